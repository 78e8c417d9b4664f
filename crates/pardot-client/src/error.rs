//! Errors of Pardot API calls, decided by Pardot's `{code, message}` body rather than the HTTP
//! status (Pardot has sent the same code with different statuses over time).

use serde::Deserialize;

use crate::token::TokenError;

/// Codes that mean "the same request may work in a moment": 62 conflicting concurrent update,
/// 66 too many concurrent requests, 183 internal error, 214 request timed out.
const RETRYABLE_CODES: [i64; 4] = [62, 66, 183, 214];

/// Codes that mean "the record does not exist".
const NOT_FOUND_CODES: [i64; 2] = [109, 192];

/// A failed Pardot API call. No variant carries a token, a header or a query string.
#[derive(Debug, thiserror::Error)]
pub enum PardotError {
    /// Any Pardot error without a more specific variant.
    #[error("Pardot error {code} (HTTP {status}): {message}")]
    Api {
        status: u16,
        code: i64,
        message: String,
    },

    /// Code 122: the business unit used its daily API budget. Stop calling for this BU until
    /// the daily reset (start of day in the account's time zone); not retried.
    #[error(
        "Pardot daily API limit reached for this business unit ({message}); \
         pause until the daily reset"
    )]
    DailyLimit { message: String },

    /// Codes 181, 182, 201, 49: the connection is set up wrongly; an admin must fix it.
    #[error("Pardot configuration problem {code}: {message} (hint: {hint})")]
    Configuration {
        code: i64,
        message: String,
        hint: &'static str,
    },

    /// Code 184 again right after a refresh that Salesforce granted. Usually transient (the
    /// new token has not reached Pardot yet, or the clocks disagree), so the call is retried
    /// later; the connection stays. Only a refresh refused with `invalid_grant` (a
    /// [`Self::Token`] error) means an admin must reconnect. A 184 that persists run after
    /// run points at the connected app (no `pardot_api` scope) or an unmapped user.
    #[error(
        "Pardot rejected a freshly refreshed access token ({message}); retried later. If this \
         persists, check the connected app has the pardot_api scope and the user is mapped to \
         the business unit"
    )]
    AccessTokenRejected { message: String },

    /// Code 219: the prospect is in the recycle bin and can't be updated until undeleted.
    #[error("prospect {prospect_id} is in the Pardot recycle bin; restore it to update it")]
    ProspectInRecycleBin { prospect_id: i64 },

    /// Codes 154/51 naming the field: no such prospect field (custom fields are `<fieldId>__c`).
    #[error(
        "Pardot has no prospect field {field:?}; check the configured field name \
         (custom fields end in __c)"
    )]
    UnknownField { field: String },

    /// Code 180 naming the field: the field exists but is read-only.
    #[error("Pardot prospect field {field:?} is read-only; configure a writable field")]
    FieldNotWritable { field: String },

    /// A `nextPageUrl` pointed at another host; the access token was not sent there.
    #[error("refusing to follow a Pardot page link to {origin}: not the configured Pardot host")]
    HostNotAllowed { origin: String },

    /// No access token could be obtained.
    #[error("no Pardot access token: {0}")]
    Token(#[from] TokenError),

    /// No response: connect failure, reset or timeout.
    #[error("Pardot {method} {path} got no response: {source}")]
    Transport {
        method: String,
        path: String,
        #[source]
        source: reqwest::Error,
    },

    /// A response that is not the documented JSON (e.g. an HTML gateway page).
    #[error("unexpected Pardot response (HTTP {status}): {detail}")]
    Decode { status: u16, detail: String },

    /// The call was refused before sending, e.g. an activity value over 100 characters.
    #[error("invalid Pardot request: {reason}")]
    InvalidRequest { reason: String },
}

impl PardotError {
    /// True when the same call may succeed later without anyone changing anything. The client
    /// has already retried these a bounded number of times when it returns them.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { status, code, .. } => *status >= 500 || RETRYABLE_CODES.contains(code),
            Self::Transport { .. } => true,
            Self::Decode { status, .. } => *status >= 500 || *status == 429,
            Self::Token(err) => err.is_retryable(),
            // A second 184 after a granted refresh: the token propagates, ask again later.
            Self::AccessTokenRejected { .. } => true,
            Self::DailyLimit { .. }
            | Self::Configuration { .. }
            | Self::ProspectInRecycleBin { .. }
            | Self::UnknownField { .. }
            | Self::FieldNotWritable { .. }
            | Self::HostNotAllowed { .. }
            | Self::InvalidRequest { .. } => false,
        }
    }

    /// True when an admin has to reconnect the business unit before calls can work.
    /// A rejected access token alone never does: only Salesforce refusing the refresh token.
    pub fn needs_reconnect(&self) -> bool {
        match self {
            Self::Token(err) => err.needs_reconnect(),
            _ => false,
        }
    }

    /// True for "record not found" (codes 109 and 192).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::Api { code, .. } if NOT_FOUND_CODES.contains(code))
    }

    /// The Pardot error code, when the failure came with one.
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Api { code, .. } | Self::Configuration { code, .. } => Some(*code),
            Self::DailyLimit { .. } => Some(122),
            Self::AccessTokenRejected { .. } => Some(184),
            Self::ProspectInRecycleBin { .. } => Some(219),
            _ => None,
        }
    }

    /// Maps a decoded error body to the variant its code calls for. 184 is handled by the
    /// caller before this, because it triggers a refresh instead of failing.
    pub(crate) fn from_body(status: u16, body: ApiErrorBody) -> Self {
        let ApiErrorBody { code, message } = body;

        match code {
            122 => Self::DailyLimit { message },
            184 => Self::AccessTokenRejected { message },
            181 | 182 | 201 | 49 => Self::Configuration {
                code,
                message,
                hint: configuration_hint(code),
            },
            _ => Self::Api {
                status,
                code,
                message,
            },
        }
    }
}

/// What an admin should check for each configuration code.
fn configuration_hint(code: i64) -> &'static str {
    match code {
        181 => "the Pardot-Business-Unit-Id header was not sent; a proxy may be dropping it",
        182 => {
            "the business unit ID is malformed; it is 18 characters starting with 0Uv \
                (Salesforce Setup → Business Unit Setup)"
        }
        201 => {
            "production BU on the demo host or vice versa, or a typo; check the Salesforce \
                environment (production / developer / sandbox) and the business unit ID"
        }
        49 => {
            "the Salesforce user is not mapped to this business unit; map the user in \
               Account Engagement or connect with a user of this business unit"
        }
        _ => "check the Pardot connection settings",
    }
}

/// Pardot's v5 error body.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ApiErrorBody {
    pub code: i64,
    #[serde(default)]
    pub message: String,
}

impl ApiErrorBody {
    /// Decodes an error body; `None` when it is not Pardot's `{code, message}` JSON.
    pub fn decode(body: &[u8]) -> Option<Self> {
        serde_json::from_slice(body).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(code: i64) -> ApiErrorBody {
        ApiErrorBody {
            code,
            message: format!("message {code}"),
        }
    }

    #[test]
    fn configuration_codes_carry_hints() {
        for code in [181, 182, 201, 49] {
            let err = PardotError::from_body(403, body(code));

            assert!(matches!(err, PardotError::Configuration { code: c, .. } if c == code));
            assert!(!err.is_retryable());
        }
        let wrong_host = PardotError::from_body(403, body(201)).to_string();
        assert!(wrong_host.contains("production BU on the demo host or vice versa, or a typo"));
    }

    #[test]
    fn retryability_is_decided_by_code() {
        assert!(PardotError::from_body(400, body(66)).is_retryable());
        assert!(PardotError::from_body(500, body(1)).is_retryable());
        assert!(!PardotError::from_body(429, body(122)).is_retryable());
        assert!(!PardotError::from_body(400, body(58)).is_retryable());
        assert!(PardotError::from_body(404, body(109)).is_not_found());
    }
}
