//! What can go wrong talking to the Salesforce login host, decoded from the
//! `{error, error_description}` body so callers can tell "reconnect" from "try again".

use serde::Deserialize;

use crate::json;

/// A failed OAuth call. No variant carries a token or the client secret.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    /// The refresh token or authorization code is expired, revoked or already used. Permanent:
    /// an admin has to reconnect the business unit.
    #[error("Salesforce rejected the grant ({description}); reconnect needed")]
    InvalidGrant { description: String },

    /// Another worker is refreshing with the same refresh token right now. Retry after a short
    /// randomised delay.
    #[error("Salesforce is already processing a token request for this refresh token; retry")]
    RefreshInProgress,

    /// The connected app's client id or secret is wrong. Fix the app configuration.
    #[error("Salesforce rejected the client credentials ({description}); check the connected app")]
    InvalidClient { description: String },

    /// The request was malformed, e.g. a PKCE verifier that does not match.
    #[error("Salesforce rejected the OAuth request ({description})")]
    InvalidRequest { description: String },

    /// Any other OAuth error code, e.g. `redirect_uri_mismatch` or `unsupported_grant_type`.
    #[error("Salesforce OAuth error {error} (HTTP {status}): {description}")]
    Other {
        status: u16,
        error: String,
        description: String,
    },

    /// The login host could not be reached or timed out. Retryable.
    #[error("could not reach the Salesforce login host: {source}")]
    Transport {
        #[source]
        source: reqwest::Error,
    },

    /// The login host answered with something that is not the documented JSON.
    #[error("unexpected response from the Salesforce login host (HTTP {status}): {detail}")]
    Decode { status: u16, detail: String },

    /// A URL in the grant points somewhere other than the configured login host, so the access
    /// token was not sent there.
    #[error("refusing to send the access token to {origin}: not the configured login host")]
    HostNotAllowed { origin: String },
}

impl OAuthError {
    /// True when the same request may succeed later without anyone changing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::RefreshInProgress | Self::Transport { .. } => true,
            Self::Decode { status, .. } | Self::Other { status, .. } => *status >= 500,
            Self::InvalidGrant { .. }
            | Self::InvalidClient { .. }
            | Self::InvalidRequest { .. }
            | Self::HostNotAllowed { .. } => false,
        }
    }

    /// True when only a new consent by an admin can fix this (expired or revoked grant).
    pub fn needs_reconnect(&self) -> bool {
        matches!(self, Self::InvalidGrant { .. })
    }

    pub(crate) fn transport(err: reqwest::Error) -> Self {
        Self::Transport {
            source: err.without_url(),
        }
    }

    /// Turns a non-success response body into the matching variant.
    pub(crate) fn from_response(status: u16, body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Body {
            error: String,
            #[serde(default)]
            error_description: Option<String>,
        }

        let body: Body = match serde_json::from_slice(body) {
            Ok(body) => body,
            Err(err) => {
                return Self::Decode {
                    status,
                    detail: json::describe_error(&err),
                };
            }
        };
        let description = body.error_description.unwrap_or_default();

        match body.error.as_str() {
            "invalid_grant" if description.contains("already being processed") => {
                Self::RefreshInProgress
            }
            "invalid_grant" => Self::InvalidGrant { description },
            "invalid_client" | "invalid_client_id" => Self::InvalidClient { description },
            "invalid_request" => Self::InvalidRequest { description },
            _ => Self::Other {
                status,
                error: body.error,
                description,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OAuthError;

    #[test]
    fn classifies_documented_bodies() {
        let expired =
            br#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#;
        let busy = br#"{"error":"invalid_grant",
            "error_description":"token request is already being processed"}"#;
        let client =
            br#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#;
        let other = br#"{"error":"redirect_uri_mismatch",
            "error_description":"redirect_uri must match configuration"}"#;

        let expired = OAuthError::from_response(400, expired);
        assert!(expired.needs_reconnect() && !expired.is_retryable());
        assert!(matches!(
            OAuthError::from_response(400, busy),
            OAuthError::RefreshInProgress
        ));
        assert!(matches!(
            OAuthError::from_response(400, client),
            OAuthError::InvalidClient { .. }
        ));
        assert!(matches!(
            OAuthError::from_response(400, other),
            OAuthError::Other { ref error, .. } if error == "redirect_uri_mismatch"
        ));
    }

    #[test]
    fn html_error_page_is_a_decode_error() {
        let err = OAuthError::from_response(503, b"<html>maintenance</html>");

        assert!(matches!(err, OAuthError::Decode { status: 503, .. }));
        assert!(err.is_retryable());
    }
}
