//! The language an admin reads: German or English, picked from the browser's
//! `Accept-Language` header, because the Backstage speaks both and refusals must name the fix
//! in the admin's own words.

use serde::{Deserialize, Serialize};

/// A language the admin API answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// English, also when the header names no language we speak.
    #[default]
    En,
    /// German.
    De,
}

impl Language {
    /// Picks the preferred supported language of an `Accept-Language` value, honouring the
    /// `q` weights (`de-DE,de;q=0.9,en;q=0.8` is German). Unknown or missing means English.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::default();
        };

        let mut best: Option<(f32, Self)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let language = match tag.split('-').next() {
                Some("de") => Self::De,
                Some("en") => Self::En,
                _ => continue,
            };
            // The first of equal weights wins, as the header lists them by preference.
            if weight > 0.0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, language));
            }
        }
        best.map_or_else(Self::default, |(_, language)| language)
    }

    /// The BCP 47 tag, for `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Language;

    #[test]
    fn weights_decide_and_unknown_languages_fall_back_to_english() {
        let pick = |h| Language::from_accept_language(Some(h));

        assert_eq!(pick("de-DE,de;q=0.9,en;q=0.8"), Language::De);
        assert_eq!(pick("fr-FR, en;q=0.5, de;q=0.7"), Language::De);
        assert_eq!(pick("en-GB"), Language::En);
        assert_eq!(pick("fr, it"), Language::En);
        assert_eq!(pick("de;q=0, en;q=0.1"), Language::En);
        assert_eq!(Language::from_accept_language(None), Language::En);
    }
}
