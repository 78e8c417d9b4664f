//! The Backstage admin token: a JWT whose signature, expiry, tenant and role decide whether its
//! bearer may act on a tenant's integration. Locally the key is a shared HS256 secret.
//!
//! Only `HS256` is accepted: `alg: none` and any other algorithm are refused before the
//! signature is even looked at, so a token cannot pick how it is checked.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize};
use sha2::Sha256;

use crate::ids::TenantId;

/// The role a token needs to change a tenant's integration.
pub const TENANT_ADMIN_ROLE: &str = "TenantAdministrator";

/// Clock difference between the Backstage and us that an expiry tolerates.
pub const CLOCK_SKEW_SECS: i64 = 30;

/// A longer header is not a token we issued; refusing it early bounds the work.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Why a token was refused. [`AdminTokenError::is_forbidden`] separates "who are you?" (401)
/// from "you may not do this" (403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdminTokenError {
    /// No `Authorization: Bearer` header.
    #[error("an admin token is required: send it as Authorization: Bearer <token>")]
    Missing,
    /// Not three base64url parts with JSON header and claims.
    #[error("the admin token is malformed; sign in to the Backstage again")]
    Malformed,
    /// `alg` is not HS256 (e.g. `none`).
    #[error("the admin token's algorithm {alg:?} is not accepted")]
    UnsupportedAlgorithm {
        /// The algorithm the token named.
        alg: String,
    },
    /// The signature does not match the configured key.
    #[error("the admin token's signature is invalid")]
    BadSignature,
    /// `exp` has passed.
    #[error("the admin token has expired; sign in to the Backstage again")]
    Expired,
    /// `nbf` is still ahead.
    #[error("the admin token is not valid yet")]
    NotYetValid,
    /// `tenant_id` is another tenant's.
    #[error("the admin token belongs to another tenant")]
    WrongTenant,
    /// `role` is not [`TENANT_ADMIN_ROLE`].
    #[error("only a tenant administrator may change the Pardot integration")]
    NotAdministrator,
}

impl AdminTokenError {
    /// True for a valid token that may not act on this tenant (HTTP 403); every other refusal
    /// means the caller is not authenticated (HTTP 401).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::WrongTenant | Self::NotAdministrator)
    }
}

/// The claims the integration reads. Others are ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminClaims {
    /// The STREAMBOXY tenant the admin administers.
    pub tenant_id: String,
    /// The admin's roles; the Backstage sends one string, a list is accepted too.
    #[serde(deserialize_with = "one_or_many")]
    pub role: Vec<String>,
    /// Expiry, seconds since the epoch. Required: a token that never expires is refused.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The admin's user id, recorded as who connected the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
}

impl AdminClaims {
    /// Lets the bearer act on `tenant` only as its administrator.
    pub fn authorize(&self, tenant: &TenantId) -> Result<(), AdminTokenError> {
        if self.tenant_id != tenant.as_str() {
            return Err(AdminTokenError::WrongTenant);
        }
        if !self.role.iter().any(|role| role == TENANT_ADMIN_ROLE) {
            return Err(AdminTokenError::NotAdministrator);
        }
        Ok(())
    }

    /// Who acts: the `sub` claim, or a placeholder for tokens without one.
    pub fn admin(&self) -> &str {
        self.sub.as_deref().unwrap_or("unknown-admin")
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Roles {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Roles::deserialize(deserializer)? {
        Roles::One(role) => vec![role],
        Roles::Many(roles) => roles,
    })
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// Checks an HS256 token's algorithm, signature and validity period at `now` (seconds since
/// the epoch), and returns its claims. The tenant and role are checked by
/// [`AdminClaims::authorize`].
pub fn verify_hs256(token: &str, key: &[u8], now: i64) -> Result<AdminClaims, AdminTokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(AdminTokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AdminTokenError::Malformed);
    };

    let signed = &token[..header.len() + 1 + claims.len()];

    let header: Header = decode_json(header)?;
    if header.alg != "HS256" {
        return Err(AdminTokenError::UnsupportedAlgorithm { alg: header.alg });
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| AdminTokenError::Malformed)?;
    let mut mac = hmac_sha256(key);
    mac.update(signed.as_bytes());
    // verify_slice compares in constant time.
    mac.verify_slice(&signature)
        .map_err(|_| AdminTokenError::BadSignature)?;

    let claims: AdminClaims = decode_json(claims)?;
    if claims.exp + CLOCK_SKEW_SECS <= now {
        return Err(AdminTokenError::Expired);
    }
    if claims.nbf.is_some_and(|nbf| nbf - CLOCK_SKEW_SECS > now) {
        return Err(AdminTokenError::NotYetValid);
    }
    Ok(claims)
}

/// Issues an HS256 token for `claims`: what the Backstage does, used by the demo, the tests
/// and local tooling.
pub fn sign_hs256(claims: &AdminClaims, key: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    // Serializing a struct of strings and integers cannot fail.
    let body = serde_json::to_vec(claims).unwrap_or_default();
    let signed = format!("{header}.{}", URL_SAFE_NO_PAD.encode(body));

    let mut mac = hmac_sha256(key);
    mac.update(signed.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signed}.{signature}")
}

/// HMAC-SHA256 takes keys of any length, so construction cannot fail.
pub(crate) fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

fn decode_json<T: for<'de> Deserialize<'de>>(part: &str) -> Result<T, AdminTokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AdminTokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| AdminTokenError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"local-admin-jwt-secret-of-32-bytes!!";
    const NOW: i64 = 1_900_000_000;

    fn claims(tenant: &str, role: &str) -> AdminClaims {
        AdminClaims {
            tenant_id: tenant.into(),
            role: vec![role.into()],
            exp: NOW + 600,
            nbf: None,
            sub: Some("admin-1".into()),
        }
    }

    fn tenant(id: &str) -> TenantId {
        TenantId::parse(id).expect("valid tenant id")
    }

    #[test]
    fn a_signed_token_of_the_tenants_admin_passes() {
        let token = sign_hs256(&claims("t-a", TENANT_ADMIN_ROLE), KEY);

        let verified = verify_hs256(&token, KEY, NOW).expect("valid");

        assert_eq!(verified.authorize(&tenant("t-a")), Ok(()));
        assert_eq!(verified.admin(), "admin-1");
    }

    #[test]
    fn another_tenant_or_role_is_forbidden_not_unauthenticated() {
        let token = sign_hs256(&claims("t-a", TENANT_ADMIN_ROLE), KEY);
        let viewer = sign_hs256(&claims("t-a", "EventManager"), KEY);

        let wrong_tenant = verify_hs256(&token, KEY, NOW)
            .expect("valid")
            .authorize(&tenant("t-b"))
            .expect_err("other tenant");
        let wrong_role = verify_hs256(&viewer, KEY, NOW)
            .expect("valid")
            .authorize(&tenant("t-a"))
            .expect_err("not admin");

        assert!(wrong_tenant.is_forbidden() && wrong_role.is_forbidden());
    }

    #[test]
    fn alg_none_a_wrong_key_and_expiry_are_unauthenticated() {
        let good = sign_hs256(&claims("t-a", TENANT_ADMIN_ROLE), KEY);
        let payload = good.split('.').nth(1).expect("claims part");
        let none = format!(
            "{}.{payload}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
        );
        let other_key = sign_hs256(&claims("t-a", TENANT_ADMIN_ROLE), b"another key");
        let mut old = claims("t-a", TENANT_ADMIN_ROLE);
        old.exp = NOW - 3600;
        let expired = sign_hs256(&old, KEY);

        let errors = [
            verify_hs256(&none, KEY, NOW),
            verify_hs256(&other_key, KEY, NOW),
            verify_hs256(&expired, KEY, NOW),
            verify_hs256("not-a-jwt", KEY, NOW),
        ]
        .map(|r| r.expect_err("refused"));

        assert!(matches!(
            errors[0],
            AdminTokenError::UnsupportedAlgorithm { .. }
        ));
        assert_eq!(errors[1], AdminTokenError::BadSignature);
        assert_eq!(errors[2], AdminTokenError::Expired);
        assert_eq!(errors[3], AdminTokenError::Malformed);
        assert!(errors.iter().all(|e| !e.is_forbidden()));
    }

    #[test]
    fn changed_claims_break_the_signature() {
        let token = sign_hs256(&claims("t-a", TENANT_ADMIN_ROLE), KEY);
        let forged_claims = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&claims("t-b", TENANT_ADMIN_ROLE)).expect("serializable"));
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!("{}.{forged_claims}.{}", parts[0], parts[2]);

        assert_eq!(
            verify_hs256(&forged, KEY, NOW),
            Err(AdminTokenError::BadSignature)
        );
    }

    #[test]
    fn a_role_list_is_accepted() {
        let json = r#"{"tenant_id":"t-a","role":["Viewer","TenantAdministrator"],"exp":1}"#;
        let claims: AdminClaims = serde_json::from_str(json).expect("decodes");

        assert_eq!(claims.authorize(&tenant("t-a")), Ok(()));
    }
}
