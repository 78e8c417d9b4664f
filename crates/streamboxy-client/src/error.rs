//! What can go wrong talking to STREAMBOXY, decided once: each variant says what happened and
//! what to do, and [`StreamboxyError::is_retryable`] tells a caller whether a later run may
//! succeed unchanged.

use std::time::Duration;

use serde::Deserialize;

/// An error from one STREAMBOXY call, after the client's own retries were spent.
///
/// No variant carries the credential or a query string (queries may hold an e-mail); paths
/// name only tenant, event and user ids.
#[derive(Debug, thiserror::Error)]
pub enum StreamboxyError {
    #[error(
        "STREAMBOXY rejected the API key (HTTP {status}): an operator must check the tenant's \
         API access and the stored key"
    )]
    Unauthorized { status: u16 },

    #[error("STREAMBOXY has nothing at {path}: check the tenant, event or user id")]
    NotFound { path: String },

    #[error("STREAMBOXY reported a conflict: {detail}")]
    Conflict { detail: String },

    #[error(
        "STREAMBOXY refused the change because the event changed since it was read: \
         read it again and retry"
    )]
    PreconditionFailed,

    #[error("STREAMBOXY is rate limiting this client; try again after {retry_after:?}")]
    RateLimited { retry_after: Option<Duration> },

    #[error("STREAMBOXY answered HTTP {status}: {}", problem_text(title, detail))]
    Problem {
        status: u16,
        title: Option<String>,
        detail: Option<String>,
    },

    #[error("could not reach STREAMBOXY: {source}")]
    Transport {
        #[source]
        source: reqwest::Error,
    },

    #[error(
        "the id {id:?} is empty or dot-only and would address another route: \
         fix the caller or the stored id"
    )]
    InvalidId { id: String },

    #[error(
        "STREAMBOXY answered HTTP {status} with a body this client cannot read ({reason}); \
         the API may have changed: compare docs/streamboxy-api.md with the tenant's OpenAPI"
    )]
    Decode { status: u16, reason: String },
}

impl StreamboxyError {
    /// True when the same call may succeed later without anyone changing anything: rate
    /// limits, server faults and network trouble. Everything else needs a fix first.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RateLimited { .. } => true,
            Self::Transport { source } => !source.is_builder(),
            Self::Problem { status, .. } => is_transient_status(*status),
            Self::Unauthorized { .. }
            | Self::NotFound { .. }
            | Self::Conflict { .. }
            | Self::PreconditionFailed
            | Self::InvalidId { .. }
            | Self::Decode { .. } => false,
        }
    }

    /// Wraps a reqwest error without the URL, whose query may carry an e-mail.
    pub(crate) fn transport(source: reqwest::Error) -> Self {
        Self::Transport {
            source: source.without_url(),
        }
    }
}

/// Statuses worth repeating: the server or something in front of it had a bad moment.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 500 | 502 | 503 | 504)
}

fn problem_text(title: &Option<String>, detail: &Option<String>) -> String {
    match (title, detail) {
        (Some(title), Some(detail)) => format!("{title}: {detail}"),
        (Some(text), None) | (None, Some(text)) => text.clone(),
        (None, None) => "no problem details in the body".to_owned(),
    }
}

/// An RFC 7807 problem body, read leniently: every field may be missing, and a body that is
/// empty or not JSON yields an empty problem instead of an error.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProblemBody {
    #[serde(default)]
    pub(crate) title: Option<String>,

    #[serde(default)]
    pub(crate) detail: Option<String>,

    /// Set on a 409 from user creation: the id of the user who already has the e-mail.
    #[serde(default)]
    pub(crate) existing_id: Option<String>,
}

impl ProblemBody {
    pub(crate) fn parse(body: &[u8]) -> Self {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|value| serde_json::from_value(value).ok())
            .unwrap_or_default()
    }

    /// The most useful single line of the problem, for variants that carry one text.
    pub(crate) fn summary(&self) -> String {
        problem_text(&self.title, &self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_bodies_are_read_leniently() {
        let full = ProblemBody::parse(
            br#"{"type":"x","title":"Conflict","status":409,"existingId":"u-1","traceId":"t"}"#,
        );
        assert_eq!(full.title.as_deref(), Some("Conflict"));
        assert_eq!(full.existing_id.as_deref(), Some("u-1"));

        for body in [
            &b""[..],
            b"<html>502 Bad Gateway</html>",
            b"[1,2]",
            b"{\"title\":7}",
        ] {
            let problem = ProblemBody::parse(body);
            assert!(problem.title.is_none() && problem.existing_id.is_none());
        }
    }

    #[test]
    fn retryable_is_decided_by_the_kind_of_failure() {
        let server = StreamboxyError::Problem {
            status: 503,
            title: None,
            detail: None,
        };
        let client = StreamboxyError::Problem {
            status: 400,
            title: Some("Bad Request".to_owned()),
            detail: None,
        };

        assert!(server.is_retryable());
        assert!(StreamboxyError::RateLimited { retry_after: None }.is_retryable());
        assert!(!client.is_retryable());
        assert!(!StreamboxyError::Unauthorized { status: 401 }.is_retryable());
        assert!(!StreamboxyError::PreconditionFailed.is_retryable());
        assert_eq!(
            client.to_string(),
            "STREAMBOXY answered HTTP 400: Bad Request"
        );
    }
}
