//! Who attended an event: the input of the Show / No Show write-back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::timestamp;

/// One granted user's attendance of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attendance {
    /// The tenant user; the sync maps it back to the prospect that registered.
    pub user_id: String,

    /// Informational only: matching goes by `user_id`.
    #[serde(default)]
    pub email: Option<String>,

    /// Whether STREAMBOXY counts the user as a Show; its threshold is its own.
    pub attended: bool,

    #[serde(
        rename = "firstJoinDateTimeUtc",
        default,
        deserialize_with = "timestamp::optional"
    )]
    pub first_join: Option<DateTime<Utc>>,

    #[serde(default)]
    pub minutes_attended: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::Attendance;
    use serde_json::json;

    #[test]
    fn reads_shows_and_no_shows() {
        let rows: Vec<Attendance> = serde_json::from_value(json!([
            {"userId": "u1", "email": "a@example.com", "attended": true,
             "firstJoinDateTimeUtc": "2027-03-01T09:03:00Z", "minutesAttended": 42.5},
            {"userId": "u2", "attended": false, "firstJoinDateTimeUtc": null}
        ]))
        .expect("attendance decodes");

        assert!(rows[0].attended && rows[0].minutes_attended == Some(42.5));
        assert!(!rows[1].attended && rows[1].first_join.is_none() && rows[1].email.is_none());
    }
}
