//! `POST /services/oauth2/token` (authorization-code and refresh-token grants) and
//! `POST /services/oauth2/revoke`, with Salesforce's response and error bodies (§2.4–2.7).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::oauth::state::{RefreshStatus, SalesforceState};
use crate::shared::Shared;
use crate::sync::lock;

/// An OAuth error answer: `{"error": …, "error_description": …}`, HTTP 400.
fn oauth_error(error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

fn expired_token() -> Response {
    oauth_error("invalid_grant", "expired access/refresh token")
}

/// The token endpoint.
pub(crate) async fn token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| form.get(name).map_or("", String::as_str);

    if let Err((error, description)) =
        check_client(&shared, field("client_id"), field("client_secret"))
    {
        return oauth_error(error, description);
    }
    match field("grant_type") {
        "authorization_code" => exchange_code(&shared, &form),
        "refresh_token" => refresh(&shared, field("refresh_token")).await,
        _ => oauth_error("unsupported_grant_type", "grant type not supported"),
    }
}

/// The app's credentials; the error is an OAuth `(error, error_description)` pair.
fn check_client(
    shared: &Shared,
    client_id: &str,
    secret: &str,
) -> Result<(), (&'static str, &'static str)> {
    let sf = lock(&shared.salesforce);
    if client_id != sf.client_id {
        return Err(("invalid_client_id", "client identifier invalid"));
    }
    if secret != sf.client_secret.expose() {
        return Err(("invalid_client", "invalid client credentials"));
    }
    Ok(())
}

fn exchange_code(shared: &Shared, form: &HashMap<String, String>) -> Response {
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    let now = shared.clock.now();
    let mut sf = lock(&shared.salesforce);

    // The code is single-use: take it out whatever happens next.
    let Some(code) = sf.codes.remove(field("code")) else {
        return oauth_error("invalid_grant", "expired authorization code");
    };
    if code.expires_at <= now || code.client_id != field("client_id") {
        return oauth_error("invalid_grant", "expired authorization code");
    }
    if code.redirect_uri != field("redirect_uri") {
        return oauth_error(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    }

    // PKCE S256: base64url(sha256(verifier)) must equal the challenge.
    if let Some(challenge) = &code.code_challenge {
        let Some(verifier) = form.get("code_verifier").filter(|v| !v.is_empty()) else {
            return oauth_error("invalid_grant", "invalid code verifier");
        };
        let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        if &computed != challenge {
            return oauth_error("invalid_request", "invalid code verifier");
        }
    }

    let grant = sf.new_grant(&code.user_id, &code.scope);
    let access = sf.issue_access_token(grant, now);
    let refresh = sf.issue_refresh_token(grant);
    sf.code_exchanges += 1;
    success(shared, &sf, grant, &access, Some(&refresh), now)
}

async fn refresh(shared: &Shared, presented: &str) -> Response {
    // Refuse an overlapping refresh with the same token, like Salesforce since 2024.
    let guard = if shared.oauth_options.reject_concurrent_refresh {
        if !lock(&shared.salesforce)
            .in_progress
            .insert(presented.to_owned())
        {
            return oauth_error("invalid_grant", "token request is already being processed");
        }
        let guard = InProgress {
            shared,
            token: presented.to_owned(),
        };
        let ms = shared.oauth_options.refresh_processing_ms;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Some(guard)
    } else {
        None
    };

    let now = shared.clock.now();
    let mut sf = lock(&shared.salesforce);
    let Some(record) = sf.refresh_tokens.get(presented).cloned() else {
        return expired_token();
    };
    match record.status {
        RefreshStatus::Live => {}
        RefreshStatus::Revoked => return expired_token(),
        RefreshStatus::Rotated => {
            // Reuse of a rotated token: the whole grant is revoked (restforce #957).
            tracing::info!(
                grant = record.grant,
                "rotated refresh token reused; grant revoked"
            );
            sf.revoke_grant(record.grant);
            return expired_token();
        }
    }
    if sf.grants.get(&record.grant).is_none_or(|g| g.revoked) {
        return expired_token();
    }

    sf.refresh_count += 1;
    if let Some(rec) = sf.refresh_tokens.get_mut(presented) {
        rec.refreshes += 1;
    }
    let access = sf.issue_access_token(record.grant, now);
    let rotated = if sf.rotate {
        if let Some(rec) = sf.refresh_tokens.get_mut(presented) {
            rec.status = RefreshStatus::Rotated;
        }
        Some(sf.issue_refresh_token(record.grant))
    } else {
        None
    };
    let response = success(shared, &sf, record.grant, &access, rotated.as_deref(), now);
    drop(sf);
    drop(guard);
    response
}

/// Clears the "being processed" mark of a refresh token when its refresh ends.
struct InProgress<'a> {
    shared: &'a Shared,
    token: String,
}

impl Drop for InProgress<'_> {
    fn drop(&mut self) {
        lock(&self.shared.salesforce)
            .in_progress
            .remove(&self.token);
    }
}

/// The §2.4 success body: `issued_at` is a string of milliseconds; there is no `expires_in`.
fn success(
    shared: &Shared,
    sf: &SalesforceState,
    grant: u64,
    access: &str,
    refresh: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Response {
    let (user_id, scope) = sf
        .grants
        .get(&grant)
        .map(|g| (g.user_id.clone(), g.scope.clone()))
        .unwrap_or_default();
    let org = sf
        .users
        .get(&user_id)
        .map(|u| u.org_id.clone())
        .unwrap_or_default();
    let id = format!("{}/id/{org}/{user_id}", shared.urls.oauth);
    let issued_at = now.timestamp_millis().to_string();
    let signature = sign(sf.client_secret.expose(), &id, &issued_at);

    let mut body = json!({
        "access_token": access,
        "signature": signature,
        "scope": scope,
        "instance_url": shared.urls.oauth,
        "id": id,
        "token_type": "Bearer",
        "issued_at": issued_at,
    });
    if let (Some(refresh), Some(map)) = (refresh, body.as_object_mut()) {
        map.insert("refresh_token".into(), json!(refresh));
    }
    (StatusCode::OK, Json(body)).into_response()
}

/// base64(HMAC-SHA256(client_secret, id + issued_at)), as Salesforce signs token responses.
fn sign(secret: &str, id: &str, issued_at: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// `POST /services/oauth2/revoke` with form `token=`.
pub(crate) async fn revoke(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let token: String = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut sf = lock(&shared.salesforce);
    if let Some(grant) = sf.refresh_tokens.get(&token).map(|r| r.grant) {
        sf.revoke_grant(grant);
        return StatusCode::OK.into_response();
    }
    if sf.access_tokens.contains_key(&token) {
        sf.invalidate_access_token(&token);
        return StatusCode::OK.into_response();
    }
    oauth_error("invalid_token", "invalid token")
}
