//! STREAMBOXY resources of contract v0 (streamboxy-api.md §7). The serde shape is both the wire
//! shape and the seed shape: camelCase, timestamps as ISO-8601 UTC with milliseconds.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An event of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub title: String,
    /// One of Planned, OpenForSpeakers, Live, Finished, Deactivated, WillBeReset.
    #[serde(default = "planned")]
    pub state: String,
    #[serde(default, with = "utc_millis_opt")]
    pub start_date_time_utc: Option<DateTime<Utc>>,
    #[serde(default, with = "utc_millis_opt")]
    pub end_date_time_utc: Option<DateTime<Utc>>,
    #[serde(default)]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub custom_properties: Map<String, Value>,
    /// Opaque concurrency token; a seed may leave it empty and get one assigned.
    #[serde(default)]
    pub row_version: String,
}

/// A tenant user (granted into events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    #[serde(default)]
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub external_key: Option<String>,
    #[serde(default = "now", with = "utc_millis")]
    pub created_date_time_utc: DateTime<Utc>,
}

/// A custom property definition of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PropertyDefinition {
    pub internal_name: String,
    /// STRING, NUMBER, BOOLEAN, DATE or DROPDOWN.
    #[serde(default = "string_type")]
    pub data_type: String,
    /// Event, User or Both.
    #[serde(default = "event_target")]
    pub target: String,
    #[serde(default = "visible")]
    pub visible: bool,
}

/// One row of an event's attendance page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendance {
    pub user_id: String,
    pub email: String,
    pub attended: bool,
    #[serde(default, with = "utc_millis_opt")]
    pub first_join_date_time_utc: Option<DateTime<Utc>>,
    pub minutes_attended: f64,
}

fn planned() -> String {
    "Planned".to_owned()
}

fn string_type() -> String {
    "STRING".to_owned()
}

fn event_target() -> String {
    "Event".to_owned()
}

fn visible() -> bool {
    true
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// `2022-04-01T06:00:00.000Z`, the format of the official samples.
pub(crate) fn render_utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Serde for a UTC instant in the samples' millisecond format; parsing accepts any offset.
pub(crate) mod utc_millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::render_utc(*at))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// Like [`utc_millis`] for optional instants (`null` when absent).
pub(crate) mod utc_millis_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&super::render_utc(*at)),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        let raw = Option::<String>::deserialize(d)?;
        raw.map(|raw| {
            DateTime::parse_from_rfc3339(&raw)
                .map(|t| t.with_timezone(&Utc))
                .map_err(serde::de::Error::custom)
        })
        .transpose()
    }
}
