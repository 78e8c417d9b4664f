//! External activities: a Show / No Show recorded on a prospect's timeline.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

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
