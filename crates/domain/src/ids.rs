//! Identifiers of the two systems, parsed once at the boundary so that a malformed id cannot
//! travel further into the service.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an identifier was refused; every variant tells the admin what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// The 15-character form is what Salesforce shows in some URLs; the API needs 18.
    #[error(
        "the Business Unit ID has 15 characters; copy the 18-character ID from Salesforce \
         Setup → Business Unit Setup"
    )]
    BusinessUnitIdShort,
    /// Anything else that is not `0Uv` + 15 alphanumerics.
    #[error(
        "the Business Unit ID must start with 0Uv and have 18 letters or digits; copy it from \
         Salesforce Setup → Business Unit Setup"
    )]
    BusinessUnitIdMalformed,
    /// Tenant and event ids are path segments and keys; they may not be empty or contain `#`.
    #[error("{kind} must be non-empty and contain only letters, digits, '-' and '_'")]
    Malformed {
        /// Which identifier was refused.
        kind: &'static str,
    },
}

/// A Pardot business unit, e.g. `0Uv5e000000DEMOCAA`: `0Uv` plus 15 alphanumerics.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BusinessUnitId(String);

impl BusinessUnitId {
    /// Parses an 18-character id; surrounding whitespace from copy and paste is dropped.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let id = raw.trim();
        let alphanumeric = id.chars().all(|c| c.is_ascii_alphanumeric());

        if id.starts_with("0Uv") && id.len() == 15 && alphanumeric {
            return Err(IdError::BusinessUnitIdShort);
        }
        if !id.starts_with("0Uv") || id.len() != 18 || !alphanumeric {
            return Err(IdError::BusinessUnitIdMalformed);
        }
        Ok(Self(id.to_owned()))
    }

    /// The id as sent in the `Pardot-Business-Unit-Id` header.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BusinessUnitId {
    type Error = IdError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<BusinessUnitId> for String {
    fn from(value: BusinessUnitId) -> Self {
        value.0
    }
}

impl fmt::Display for BusinessUnitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Declares a string id that is safe as a URL path segment and inside a storage key.
macro_rules! token_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Parses the id; only letters, digits, `-` and `_` are allowed.
            pub fn parse(raw: &str) -> Result<Self, IdError> {
                let ok = !raw.is_empty()
                    && raw.len() <= 100
                    && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
                if ok { Ok(Self(raw.to_owned())) } else { Err(IdError::Malformed { kind: $kind }) }
            }

            /// The id as it appears on the wire.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

token_id!(
    /// A STREAMBOXY tenant: the customer whose Backstage configured the integration.
    TenantId,
    "the tenant id"
);
token_id!(
    /// A STREAMBOXY event (a GUID on the wire).
    EventId,
    "the event id"
);
token_id!(
    /// A STREAMBOXY tenant user, the event user a prospect becomes.
    EventUserId,
    "the STREAMBOXY user id"
);

/// Declares a Pardot integer id.
macro_rules! pardot_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

pardot_id!(
    /// A Pardot prospect. Two prospects may share an e-mail, so this, not the e-mail, is
    /// the identity of a registrant.
    ProspectId
);
pardot_id!(
    /// A Pardot list.
    ListId
);
pardot_id!(
    /// One prospect's membership of one list.
    MembershipId
);
pardot_id!(
    /// A Pardot folder; Show and No Show lists go into the source list's folder.
    FolderId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_unit_id_accepts_the_18_character_form() {
        let id = BusinessUnitId::parse(" 0Uv5e000000DEMOCAA ").expect("valid id");

        assert_eq!(id.as_str(), "0Uv5e000000DEMOCAA");
    }

    #[test]
    fn business_unit_id_refuses_the_15_character_form_with_a_hint() {
        let err = BusinessUnitId::parse("0Uv5e000000DEMO").expect_err("short id");

        assert_eq!(err, IdError::BusinessUnitIdShort);
        assert!(err.to_string().contains("18-character"));
    }

    #[test]
    fn business_unit_id_refuses_other_prefixes_and_symbols() {
        for raw in [
            "00D5e000000DEMOCAA",
            "0Uv5e000000DEMOCA!",
            "",
            "0Uv5e000000DEMOCAAX",
        ] {
            assert_eq!(
                BusinessUnitId::parse(raw),
                Err(IdError::BusinessUnitIdMalformed),
                "{raw}"
            );
        }
    }

    #[test]
    fn token_ids_refuse_key_separators() {
        assert!(TenantId::parse("a7c3e1f0-5b2d").is_ok());
        assert!(TenantId::parse("a#b").is_err());
        assert!(EventId::parse("").is_err());
    }
}
