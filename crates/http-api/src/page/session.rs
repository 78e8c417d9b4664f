//! The page's sign-in session and its CSRF tokens. The Backstage hands the admin token over
//! once; from then on the browser holds a short-lived cookie that names the tenant, the admin
//! and an expiry, signed with a key derived from the service's state signing key. Every form
//! carries a CSRF token bound to the session, checked on every POST.
//!
//! Why these choices (docs/admin-page.md has the full story): the cookie is `HttpOnly` (no
//! script reads it), `Secure`, `SameSite=Strict` (no other site's page can send it along) and
//! its `Path` is the tenant's page, so a browser never sends one tenant's session to another
//! tenant's routes; the tenant inside the signed value is checked as well.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "sbxy_pardot_page";

/// How long a session lasts from sign-in: long enough to connect and configure, short
/// enough that a forgotten tab is useless soon. Not extended by use.
pub const SESSION_TTL_SECS: i64 = 30 * 60;

/// The label the session key is derived under, so it never equals a key used elsewhere.
const KEY_LABEL: &[u8] = b"sbxy-pardot admin page session v1";

/// A signed-in admin of one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PageSession {
    /// The tenant the admin token was issued for.
    #[serde(rename = "t")]
    pub(crate) tenant: String,
    /// The admin (the token's `sub`), recorded with a connect attempt.
    #[serde(rename = "a")]
    pub(crate) admin: String,
    /// A random id the CSRF token is bound to.
    #[serde(rename = "s")]
    pub(crate) id: String,
    /// Unix seconds after which the session is refused.
    #[serde(rename = "e")]
    pub(crate) expires_at: i64,
}

/// Why a request has no usable session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SessionError {
    /// No cookie: the page was not opened from the Backstage (or cookies are blocked).
    #[error("no session; open the page from the Backstage")]
    Missing,
    /// A cookie we did not sign, or an altered one.
    #[error("the session cookie is not valid; open the page from the Backstage again")]
    Forged,
    /// A genuine cookie past its expiry.
    #[error("the session expired; open the page from the Backstage again")]
    Expired,
    /// A genuine cookie of another tenant.
    #[error("the session belongs to another tenant")]
    WrongTenant,
}

/// The key that signs sessions and CSRF tokens.
pub(crate) struct SessionKey([u8; 32]);

impl SessionKey {
    /// Derives the page's key from the state signing key: a key of the service alone (the
    /// Backstage knows the admin token key, not this one).
    pub(crate) fn derive(state_key: &Secret) -> Self {
        Self(mac(state_key.expose().as_bytes(), KEY_LABEL))
    }

    /// A new session of `admin` for `tenant`, valid for [`SESSION_TTL_SECS`] from `now`.
    pub(crate) fn new_session(tenant: &TenantId, admin: &str, now: i64) -> PageSession {
        let mut id = [0_u8; 16];
        rand::rng().fill_bytes(&mut id);
        PageSession {
            tenant: tenant.to_string(),
            admin: admin.to_owned(),
            id: URL_SAFE_NO_PAD.encode(id),
            expires_at: now + SESSION_TTL_SECS,
        }
    }

    /// The cookie value: `base64url(JSON).base64url(HMAC)`.
    pub(crate) fn seal(&self, session: &PageSession) -> String {
        // A struct of strings and an integer always serializes.
        let json = serde_json::to_vec(session).unwrap_or_default();
        let payload = URL_SAFE_NO_PAD.encode(json);
        let tag = URL_SAFE_NO_PAD.encode(mac(&self.0, payload.as_bytes()));
        format!("{payload}.{tag}")
    }

    /// The session in `value` if we signed it, it has not expired and it is `tenant`'s.
    /// The signature is checked first, so nothing of an unsigned value is trusted.
    pub(crate) fn open(
        &self,
        value: Option<&str>,
        tenant: &TenantId,
        now: i64,
    ) -> Result<PageSession, SessionError> {
        let value = value.ok_or(SessionError::Missing)?;
        let (payload, tag) = value.split_once('.').ok_or(SessionError::Forged)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| SessionError::Forged)?;
        let mut check = self.hmac();
        check.update(payload.as_bytes());
        check.verify_slice(&tag).map_err(|_| SessionError::Forged)?;

        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| SessionError::Forged)?;
        let session: PageSession =
            serde_json::from_slice(&json).map_err(|_| SessionError::Forged)?;
        if session.expires_at <= now {
            return Err(SessionError::Expired);
        }
        if session.tenant != tenant.as_str() {
            return Err(SessionError::WrongTenant);
        }
        Ok(session)
    }

    /// The CSRF token of `session`: an HMAC of its id, so it is known only to pages rendered
    /// for this session and needs no storage.
    pub(crate) fn csrf_token(&self, session: &PageSession) -> String {
        let mut input = b"csrf:".to_vec();
        input.extend_from_slice(session.id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac(&self.0, &input))
    }

    /// True when `token` is `session`'s CSRF token (compared in constant time).
    pub(crate) fn csrf_matches(&self, session: &PageSession, token: Option<&str>) -> bool {
        let Some(tag) = token.and_then(|t| URL_SAFE_NO_PAD.decode(t).ok()) else {
            return false;
        };
        let mut check = self.hmac();
        check.update(b"csrf:");
        check.update(session.id.as_bytes());
        check.verify_slice(&tag).is_ok()
    }

    fn hmac(&self) -> HmacSha256 {
        // HMAC takes keys of any length; 32 bytes is always accepted.
        <HmacSha256 as Mac>::new_from_slice(&self.0).expect("HMAC accepts a 32-byte key")
    }
}

fn mac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The `Set-Cookie` value that stores `value` for the page at `path`.
pub(crate) fn set_cookie(value: &str, path: &str) -> String {
    format!(
        "{COOKIE_NAME}={value}; Path={path}; Max-Age={SESSION_TTL_SECS}; HttpOnly; Secure; \
         SameSite=Strict"
    )
}

/// The session cookie's value among the request's `Cookie` headers.
pub(crate) fn cookie_value(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn key() -> SessionKey {
        SessionKey::derive(&Secret::new("a-state-signing-key-of-32-characters"))
    }

    fn tenant(id: &str) -> TenantId {
        TenantId::parse(id).expect("valid tenant id")
    }

    #[test]
    fn a_sealed_session_opens_for_its_tenant_until_it_expires() {
        let key = key();
        let session = SessionKey::new_session(&tenant("t-1"), "admin-1", 1_000);
        let value = key.seal(&session);

        assert_eq!(key.open(Some(&value), &tenant("t-1"), 1_000), Ok(session));
        assert_eq!(
            key.open(Some(&value), &tenant("t-2"), 1_000),
            Err(SessionError::WrongTenant)
        );
        assert_eq!(
            key.open(Some(&value), &tenant("t-1"), 1_000 + SESSION_TTL_SECS),
            Err(SessionError::Expired)
        );
        assert_eq!(
            key.open(None, &tenant("t-1"), 1_000),
            Err(SessionError::Missing)
        );
    }

    #[test]
    fn an_altered_or_foreign_cookie_is_forged() {
        let key = key();
        let session = SessionKey::new_session(&tenant("t-1"), "admin-1", 1_000);
        let value = key.seal(&session);
        let (payload, tag) = value.split_once('.').expect("two parts");

        // The same payload claiming another tenant, with the old tag.
        let mut other = session.clone();
        other.tenant = "t-2".into();
        let swapped = key.seal(&other);
        let (other_payload, _) = swapped.split_once('.').expect("two parts");
        let foreign = SessionKey::derive(&Secret::new("another-key")).seal(&session);

        for value in [
            format!("{other_payload}.{tag}"),
            format!("{payload}.x{tag}"),
            payload.to_owned(),
            foreign,
        ] {
            assert_eq!(
                key.open(Some(&value), &tenant("t-2"), 1_000),
                Err(SessionError::Forged),
                "{value}"
            );
        }
    }

    #[test]
    fn a_csrf_token_belongs_to_one_session() {
        let key = key();
        let one = SessionKey::new_session(&tenant("t-1"), "admin-1", 1_000);
        let two = SessionKey::new_session(&tenant("t-1"), "admin-1", 1_000);
        let token = key.csrf_token(&one);

        assert!(key.csrf_matches(&one, Some(&token)));
        assert!(!key.csrf_matches(&two, Some(&token)));
        assert!(!key.csrf_matches(&one, None));
        assert!(!key.csrf_matches(&one, Some("forged")));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; sbxy_pardot_page=v.t"),
        );
        headers.append(COOKIE, HeaderValue::from_static("b=2"));

        assert_eq!(cookie_value(&headers), Some("v.t"));
        assert_eq!(cookie_value(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_has_every_flag() {
        assert_eq!(
            set_cookie("v.t", "/tenants/t-1/pardot/page"),
            "sbxy_pardot_page=v.t; Path=/tenants/t-1/pardot/page; Max-Age=1800; HttpOnly; \
             Secure; SameSite=Strict"
        );
    }
}
