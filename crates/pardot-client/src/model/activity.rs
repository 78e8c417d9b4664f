//! External activities: a Show / No Show recorded on a prospect's timeline, and the rows a
//! query of the recorded ones returns (to learn whether a send whose answer was lost landed).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::error::PardotError;

/// Pardot's limit on `value`; longer values are refused client-side because Pardot does not
/// validate them.
pub const MAX_ACTIVITY_VALUE_CHARS: usize = 100;

/// One external activity to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalActivity {
    /// DeveloperName of the Salesforce marketing app extension.
    pub extension: String,
    /// DeveloperName of an activity type registered under that extension.
    pub activity_type: String,
    /// The prospect's e-mail; with several matches Pardot picks the most recently active one.
    pub email: String,
    /// Up to 100 characters; put an id or slug here, not a URL.
    pub value: String,
    /// Backdating; `None` means "now".
    pub activity_date: Option<DateTime<FixedOffset>>,
}

/// Fields requested for every external activity query. Pardot returns the prospect the
/// activity landed on, not the e-mail it was sent with.
pub const EXTERNAL_ACTIVITY_FIELDS: &str = "id,extension,type,value,prospectId";

/// An external activity as Pardot recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordedActivity {
    pub id: i64,
    #[serde(default, deserialize_with = "crate::json::null_as_default")]
    pub extension: String,
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::json::null_as_default"
    )]
    pub activity_type: String,
    #[serde(default, deserialize_with = "crate::json::null_as_default")]
    pub value: String,
    /// The prospect Pardot chose for the e-mail (the most recently active one).
    #[serde(default)]
    pub prospect_id: Option<i64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalActivityBody<'a> {
    extension: &'a str,
    #[serde(rename = "type")]
    activity_type: &'a str,
    email: &'a str,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    activity_date: Option<String>,
}

impl ExternalActivity {
    /// The JSON body, after checking the value length.
    pub(crate) fn body(&self) -> Result<ExternalActivityBody<'_>, PardotError> {
        let chars = self.value.chars().count();
        if chars > MAX_ACTIVITY_VALUE_CHARS {
            return Err(PardotError::InvalidRequest {
                reason: format!(
                    "external activity value has {chars} characters; Pardot allows \
                     {MAX_ACTIVITY_VALUE_CHARS}"
                ),
            });
        }

        Ok(ExternalActivityBody {
            extension: &self.extension,
            activity_type: &self.activity_type,
            email: &self.email,
            value: &self.value,
            activity_date: self
                .activity_date
                .as_ref()
                .map(super::membership::filter_timestamp),
        })
    }
}
