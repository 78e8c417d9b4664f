//! A STREAMBOXY event and its lifecycle state, as `GET /tenant/{t}/Event/{id}` returns it.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{null_as_default, timestamp};

/// An event of a tenant. Only the fields the sync reads are kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,

    #[serde(default, deserialize_with = "null_as_default")]
    pub title: String,

    pub state: EventState,

    #[serde(
        rename = "startDateTimeUtc",
        default,
        deserialize_with = "timestamp::optional"
    )]
    pub start: Option<DateTime<Utc>>,

    #[serde(
        rename = "endDateTimeUtc",
        default,
        deserialize_with = "timestamp::optional"
    )]
    pub end: Option<DateTime<Utc>>,

    #[serde(default)]
    pub time_zone: Option<String>,

    /// Values keyed by the property's internal name; JSON scalars of the property's type.
    #[serde(default, deserialize_with = "null_as_default")]
    pub custom_properties: serde_json::Map<String, serde_json::Value>,

    /// Concurrency token; send it as `If-Match` to make a property write conditional.
    #[serde(default)]
    pub row_version: Option<String>,
}

impl Event {
    /// The custom property `name` when it holds a string; `None` when it is missing, `null`
    /// or another type (the sync treats those alike: not set).
    pub fn property_str(&self, name: &str) -> Option<&str> {
        self.custom_properties.get(name)?.as_str()
    }
}

/// The event lifecycle shown in the Backstage's event dashboard.
///
/// The wire encoding is not documented; names are matched case-insensitively, and anything
/// else (a new state, or a number if the API encodes the enum as an integer) is kept as
/// [`EventState::Other`] instead of failing the whole list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventState {
    Planned,
    OpenForSpeakers,
    Live,
    Finished,
    Deactivated,
    WillBeReset,
    Other(String),
}

impl EventState {
    const KNOWN: [(&'static str, EventState); 6] = [
        ("Planned", EventState::Planned),
        ("OpenForSpeakers", EventState::OpenForSpeakers),
        ("Live", EventState::Live),
        ("Finished", EventState::Finished),
        ("Deactivated", EventState::Deactivated),
        ("WillBeReset", EventState::WillBeReset),
    ];

    /// Reads a wire value; never fails.
    pub fn parse(text: &str) -> Self {
        Self::KNOWN
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
            .map_or_else(|| Self::Other(text.to_owned()), |(_, state)| state.clone())
    }

    /// The wire value, as contract v0 spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Planned => "Planned",
            Self::OpenForSpeakers => "OpenForSpeakers",
            Self::Live => "Live",
            Self::Finished => "Finished",
            Self::Deactivated => "Deactivated",
            Self::WillBeReset => "WillBeReset",
            Self::Other(text) => text,
        }
    }
}

impl fmt::Display for EventState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventState {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventState {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StateVisitor)
    }
}

/// Accepts a string or an integer; an integer is kept verbatim as `Other`, because its
/// meaning (enum order) is unknown until a tenant's OpenAPI document says.
struct StateVisitor;

impl serde::de::Visitor<'_> for StateVisitor {
    type Value = EventState;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an event state name or number")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<EventState, E> {
        Ok(EventState::parse(text))
    }

    fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<EventState, E> {
        Ok(EventState::Other(number.to_string()))
    }

    fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<EventState, E> {
        Ok(EventState::Other(number.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_contract_event() {
        let event: Event = serde_json::from_value(json!({
            "id": "3e3bf4dd-81e3-4c3e-949f-c016ca513f4c",
            "title": "Product Launch 2027",
            "state": "Live",
            "startDateTimeUtc": "2027-03-01T09:00:00.000Z",
            "endDateTimeUtc": null,
            "timeZone": "Europe/Berlin",
            "customProperties": {"PardotListName": "SBXYPardotTest", "Seats": 40},
            "rowVersion": "AAAAAAAAB9E="
        }))
        .expect("contract event decodes");

        assert_eq!(event.state, EventState::Live);
        assert_eq!(event.property_str("PardotListName"), Some("SBXYPardotTest"));
        assert_eq!(event.property_str("Seats"), None);
        assert_eq!(event.property_str("Missing"), None);
        assert!(event.start.is_some() && event.end.is_none());
        assert_eq!(event.row_version.as_deref(), Some("AAAAAAAAB9E="));
    }

    #[test]
    fn tolerates_sparse_events_and_unknown_states() {
        let event: Event = serde_json::from_value(json!({
            "id": "e1", "title": null, "state": 3, "customProperties": null
        }))
        .expect("sparse event decodes");

        assert_eq!(event.title, "");
        assert_eq!(event.state, EventState::Other("3".to_owned()));
        assert!(event.custom_properties.is_empty());
    }

    #[test]
    fn state_names_match_any_case_and_round_trip() {
        assert_eq!(
            EventState::parse("openForSpeakers"),
            EventState::OpenForSpeakers
        );
        assert_eq!(EventState::parse("FINISHED"), EventState::Finished);
        assert_eq!(
            EventState::parse("Archived"),
            EventState::Other("Archived".into())
        );

        let text = serde_json::to_string(&EventState::WillBeReset).expect("serialises");
        assert_eq!(text, "\"WillBeReset\"");
    }
}
