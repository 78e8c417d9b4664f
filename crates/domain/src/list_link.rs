//! The link between a STREAMBOXY event and a Pardot list, made by the list's exact name in an
//! event custom property, and its resolution against the lists Pardot has.

use serde::{Deserialize, Serialize};

use crate::ids::{FolderId, ListId};

/// Pardot stores list names of up to 255 characters.
const MAX_LIST_NAME: usize = 255;

/// Why a list name in an event property can't be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListNameError {
    /// The property is set but holds only whitespace.
    #[error("the Pardot list name property is empty; enter the list's exact name")]
    Empty,
    /// No Pardot list can have such a name.
    #[error("the Pardot list name has more than 255 characters; enter the list's exact name")]
    TooLong,
    /// Control characters are never part of a list name typed in Pardot.
    #[error("the Pardot list name contains control characters; retype the list's exact name")]
    ControlCharacters,
}

/// The exact name of a Pardot list, as an admin typed it into the event property.
///
/// Any name Pardot accepts is accepted here (spaces, umlauts, any script), unlike the vendor's
/// version. Surrounding whitespace is dropped, because it is invisible in the Backstage and
/// almost always a copy-and-paste accident; the match against Pardot's names is then exact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ListName(String);

impl ListName {
    /// Parses a property value into a list name.
    pub fn parse(raw: &str) -> Result<Self, ListNameError> {
        let name = raw.trim();

        if name.is_empty() {
            return Err(ListNameError::Empty);
        }
        if name.chars().count() > MAX_LIST_NAME {
            return Err(ListNameError::TooLong);
        }
        if name.chars().any(char::is_control) {
            return Err(ListNameError::ControlCharacters);
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as Pardot shows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ListName {
    type Error = ListNameError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ListName> for String {
    fn from(value: ListName) -> Self {
        value.0
    }
}

/// A Pardot list as far as the link needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSummary {
    /// Pardot's id of the list.
    pub id: ListId,
    /// The list's name, compared exactly.
    pub name: String,
    /// The folder it lives in; the Show and No Show lists are created beside it.
    pub folder_id: Option<FolderId>,
    /// Dynamic lists are rule-managed; we read them but never write to them.
    pub is_dynamic: bool,
}

/// The outcome of looking a name up among a business unit's lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListResolution {
    /// Exactly one list has this name.
    Found(ListSummary),
    /// No list has this name.
    Missing,
    /// Several lists share the name; we never guess which one is meant.
    Ambiguous(Vec<ListId>),
}

/// Finds the one list with exactly this name.
pub fn resolve_list<'a>(
    name: &ListName,
    lists: impl IntoIterator<Item = &'a ListSummary>,
) -> ListResolution {
    let matches: Vec<&ListSummary> = lists.into_iter().filter(|l| l.name == name.0).collect();

    match matches.as_slice() {
        [] => ListResolution::Missing,
        [one] => ListResolution::Found((*one).clone()),
        many => ListResolution::Ambiguous(many.iter().map(|l| l.id).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(id: i64, name: &str) -> ListSummary {
        ListSummary {
            id: ListId(id),
            name: name.into(),
            folder_id: None,
            is_dynamic: false,
        }
    }

    #[test]
    fn names_with_spaces_and_any_script_are_accepted() {
        for raw in [
            "SBXY Partner Summit",
            "Veranstaltung Zürich",
            "東京セミナー",
            "  Trim me ",
        ] {
            assert!(ListName::parse(raw).is_ok(), "{raw}");
        }
        assert_eq!(
            ListName::parse("  Trim me ").expect("valid").as_str(),
            "Trim me"
        );
    }

    #[test]
    fn empty_long_and_control_names_are_refused() {
        assert_eq!(ListName::parse(" "), Err(ListNameError::Empty));
        assert_eq!(
            ListName::parse(&"x".repeat(256)),
            Err(ListNameError::TooLong)
        );
        assert_eq!(
            ListName::parse("a\tb"),
            Err(ListNameError::ControlCharacters)
        );
    }

    #[test]
    fn resolution_is_exact_and_never_guesses() {
        let lists = [
            list(1, "Webinar"),
            list(2, "webinar"),
            list(3, "Dup"),
            list(4, "Dup"),
        ];
        let name = |n: &str| ListName::parse(n).expect("valid");

        assert_eq!(
            resolve_list(&name("Webinar"), &lists),
            ListResolution::Found(list(1, "Webinar"))
        );
        assert_eq!(
            resolve_list(&name("WEBINAR"), &lists),
            ListResolution::Missing
        );
        assert_eq!(
            resolve_list(&name("Dup"), &lists),
            ListResolution::Ambiguous(vec![ListId(3), ListId(4)])
        );
    }
}
