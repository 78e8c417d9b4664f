//! Who is calling: the Backstage admin token of the path's tenant, and the admin's language.
//! Handlers take [`TenantAdmin`] as an argument, so a tenant route cannot forget the check.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION};
use axum::http::request::Parts;
use sbxy_domain::admin_token::{AdminClaims, AdminTokenError, verify_hs256};
use sbxy_domain::ids::TenantId;
use sbxy_domain::locale::Language;

use crate::problem::ApiError;
use crate::state::ApiState;

/// A caller proven to administer the tenant in the path.
#[derive(Debug, Clone)]
pub struct TenantAdmin {
    /// The tenant of the path, which the token's `tenant_id` matches.
    pub tenant: TenantId,
    /// The token's claims.
    pub claims: AdminClaims,
}

impl FromRequestParts<ApiState> for TenantAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        // Authentication first: without a valid token the caller learns nothing, not even
        // whether the tenant id is well-formed.
        let token = bearer(parts).ok_or(AdminTokenError::Missing)?;
        let claims = verify_hs256(
            token,
            state.admin_jwt_secret.expose().as_bytes(),
            state.clock.now().timestamp(),
        )?;

        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest("the path has no tenant".into()))?;
        let raw = params
            .get("tenant")
            .ok_or_else(|| ApiError::BadRequest("the path has no tenant".into()))?;
        let tenant = TenantId::parse(raw).map_err(|e| ApiError::BadRequest(e.to_string()))?;

        claims.authorize(&tenant).inspect_err(|err| {
            tracing::warn!(tenant = %tenant, error = %err, "admin token refused for tenant");
        })?;
        Ok(Self { tenant, claims })
    }
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// The admin's language from `Accept-Language`; English when none we speak is named.
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Language);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        Ok(Self(Language::from_accept_language(header)))
    }
}
