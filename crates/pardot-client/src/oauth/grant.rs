//! The token endpoint's success body and the identity document, decoded into typed values.
//! Salesforce sends `issued_at` as a string of milliseconds and no `expires_in` at all.

use chrono::{DateTime, TimeZone, Utc};
use sbxy_domain::Secret;
use serde::Deserialize;
use url::Url;

use super::OAuthError;
use crate::json;

/// What the token endpoint grants after a code exchange or a refresh.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: Secret,
    /// Present after a code exchange, and after a refresh only when the connected app rotates
    /// refresh tokens; the old one is then dead and the new one must be persisted.
    pub refresh_token: Option<Secret>,
    /// When Salesforce issued the access token. Its lifetime is the org's session timeout,
    /// which the response does not state.
    pub issued_at: DateTime<Utc>,
    /// The org's Salesforce instance; irrelevant for Pardot calls, kept for the admin UI.
    pub instance_url: Url,
    /// The identity URL of the authorizing user (`…/id/<org id>/<user id>`).
    pub id: Url,
    /// Space-separated scopes actually granted, e.g. `refresh_token pardot_api`.
    pub scope: Option<String>,
}

impl TokenGrant {
    /// True when the grant includes Pardot API access. Without `pardot_api` every Pardot call
    /// fails with 184 right after a successful login.
    pub fn has_pardot_scope(&self) -> bool {
        self.scope.as_deref().is_some_and(|scope| {
            scope
                .split_whitespace()
                .any(|s| s == "pardot_api" || s == "full")
        })
    }

    /// Decodes a 2xx body of the token endpoint.
    pub(crate) fn decode(status: u16, body: &[u8]) -> Result<Self, OAuthError> {
        let wire: WireGrant = serde_json::from_slice(body).map_err(|err| OAuthError::Decode {
            status,
            detail: json::describe_error(&err),
        })?;

        // A missing `issued_at` is tolerated as "now": refreshing a bit late is harmless,
        // refusing a valid login is not.
        let issued_at = match wire.issued_at {
            None => Utc::now(),
            Some(raw) => raw.to_datetime().ok_or_else(|| OAuthError::Decode {
                status,
                detail: "issued_at is not a millisecond timestamp".to_owned(),
            })?,
        };

        Ok(Self {
            access_token: wire.access_token,
            refresh_token: wire.refresh_token.filter(|token| !token.is_empty()),
            issued_at,
            instance_url: wire.instance_url,
            id: wire.id,
            scope: wire.scope,
        })
    }
}

#[derive(Deserialize)]
struct WireGrant {
    access_token: Secret,
    #[serde(default)]
    refresh_token: Option<Secret>,
    #[serde(default)]
    issued_at: Option<IssuedAt>,
    instance_url: Url,
    id: Url,
    #[serde(default)]
    scope: Option<String>,
}

/// Documented as a string; a number is accepted too so a looser server does not break login.
#[derive(Deserialize)]
#[serde(untagged)]
enum IssuedAt {
    Text(String),
    Millis(i64),
}

impl IssuedAt {
    fn to_datetime(&self) -> Option<DateTime<Utc>> {
        let millis = match self {
            Self::Text(text) => text.trim().parse::<i64>().ok()?,
            Self::Millis(millis) => *millis,
        };
        Utc.timestamp_millis_opt(millis).single()
    }
}

/// The authorizing user, from the grant's identity URL. Shown to the admin after connecting.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Identity {
    pub user_id: String,
    pub organization_id: String,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const DOCUMENTED: &[u8] =
        br#"{"access_token":"00Dxx0000001gPL!AR8AQ","refresh_token":"5Aep861",
        "signature":"CMJ4l+CCaP=","scope":"refresh_token pardot_api",
        "instance_url":"https://acme.my.salesforce.com",
        "id":"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS",
        "token_type":"Bearer","issued_at":"1278448101416"}"#;

    #[test]
    fn decodes_documented_grant() {
        let grant = TokenGrant::decode(200, DOCUMENTED).unwrap();

        assert_eq!(grant.access_token.expose(), "00Dxx0000001gPL!AR8AQ");
        assert_eq!(grant.refresh_token.as_ref().unwrap().expose(), "5Aep861");
        assert_eq!(grant.issued_at.timestamp_millis(), 1_278_448_101_416);
        assert!(grant.has_pardot_scope());
    }

    #[test]
    fn bad_issued_at_is_a_decode_error_without_the_token() {
        let body = br#"{"access_token":"SECRET-AT","issued_at":"yesterday",
            "instance_url":"https://a.example","id":"https://login.salesforce.com/id/1/2"}"#;

        let err = TokenGrant::decode(200, body).unwrap_err();

        assert!(matches!(err, OAuthError::Decode { .. }));
        assert!(!format!("{err} {err:?}").contains("SECRET-AT"));
    }
}
