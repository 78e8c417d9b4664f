//! The e-mail address of a prospect: kept as written for display, folded for matching.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an e-mail address cannot be used to register a prospect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// The prospect has no e-mail in Pardot.
    #[error("the prospect has no e-mail address; add one in Pardot and the next sync picks it up")]
    Missing,
    /// Pardot's own rule (local part ≤ 64, domain with a dot, no spaces) is not met.
    #[error("the prospect's e-mail address is not valid; correct it in Pardot")]
    Invalid,
}

/// A prospect's e-mail address.
///
/// Pardot keeps e-mails as typed, including mixed case and stray spaces. STREAMBOXY matches
/// users case-insensitively, so the folded form decides identity while the trimmed original is
/// what we show and send.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email {
    original: String,
    folded: String,
}

impl Email {
    /// Trims, checks the shape Pardot itself enforces, and folds case for matching.
    pub fn parse(raw: Option<&str>) -> Result<Self, EmailError> {
        let trimmed = raw.map(str::trim).unwrap_or_default();
        if trimmed.is_empty() {
            return Err(EmailError::Missing);
        }

        let Some((local, domain)) = trimmed.rsplit_once('@') else {
            return Err(EmailError::Invalid);
        };
        let domain_ok = !domain.starts_with('.')
            && !domain.contains("..")
            && domain
                .rsplit_once('.')
                .is_some_and(|(host, tld)| !host.is_empty() && (2..=13).contains(&tld.len()));
        let well_formed = (1..=64).contains(&local.len())
            && domain.len() <= 255
            && domain_ok
            && !trimmed
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || is_invisible(c))
            && !local.contains('@')
            && !local.ends_with('.');
        if !well_formed {
            return Err(EmailError::Invalid);
        }

        Ok(Self {
            original: trimmed.to_owned(),
            folded: trimmed.to_lowercase(),
        })
    }

    /// The address as the prospect wrote it, without surrounding spaces.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The case-folded address that decides whether two prospects are one event user.
    pub fn folded(&self) -> &str {
        &self.folded
    }
}

/// Format characters that render as nothing (zero-width spaces and joiners, the byte-order
/// mark, soft hyphens): an address containing one looks right but matches nobody.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.original)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn mixed_case_and_spaces_fold_to_one_identity() {
        let a = Email::parse(Some("  Anna.Mueller@Example.COM ")).expect("valid");
        let b = Email::parse(Some("anna.mueller@example.com")).expect("valid");

        assert_eq!(a.folded(), b.folded());
        assert_eq!(a.as_str(), "Anna.Mueller@Example.COM");
    }

    #[test]
    fn missing_and_invalid_addresses_are_told_apart() {
        assert_eq!(Email::parse(None), Err(EmailError::Missing));
        assert_eq!(Email::parse(Some("   ")), Err(EmailError::Missing));
        for bad in [
            "no-at-sign",
            "a@b",
            "a b@example.com",
            "@example.com",
            "a.@example.com",
        ] {
            assert_eq!(Email::parse(Some(bad)), Err(EmailError::Invalid), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_and_folding_is_idempotent(raw in ".{0,80}") {
            if let Ok(email) = Email::parse(Some(&raw)) {
                let again = Email::parse(Some(email.folded())).expect("folded form stays valid");
                prop_assert_eq!(again.folded(), email.folded());
            }
        }
    }
}
