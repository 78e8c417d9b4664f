//! Salesforce OAuth (pardot-api.md §2.3–2.7): authorize page, token, revoke and identity.

mod authorize;
pub(crate) mod state;
mod token;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::faults::{Decision, FaultKind, System};
use crate::http::{Prelude, SystemCtx, kill_switch_of, prelude, record};
use crate::shared::Shared;
use crate::sync::lock;

/// The OAuth listener's routes (control routes are merged by the caller).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let ctx = SystemCtx {
        shared: Arc::clone(&shared),
        system: System::OAuth,
    };
    Router::new()
        .route(
            "/services/oauth2/authorize",
            get(authorize::page).post(authorize::submit),
        )
        .route("/services/oauth2/token", post(token::token))
        .route("/services/oauth2/revoke", post(token::revoke))
        .route("/id/{org}/{user}", get(identity))
        .route_layer(middleware::from_fn_with_state(shared.clone(), faults))
        .route_layer(middleware::from_fn_with_state(ctx, record))
        .with_state(shared)
}

/// Latency and faults of the OAuth host.
async fn faults(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    match prelude(&shared, System::OAuth, kill_switch_of(&req)).await {
        Prelude::Respond(response) => response,
        Prelude::Special(Decision::Random(FaultKind::Http500)) | Prelude::Special(_) => {
            let body = json!({"error": "server_error", "error_description": "internal error"});
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }
        Prelude::Proceed { drop_after } => {
            let switch = kill_switch_of(&req).filter(|_| drop_after);
            let response = next.run(req).await;
            match switch {
                Some(switch) => {
                    switch.trigger();
                    crate::http::dropped_response()
                }
                None => response,
            }
        }
    }
}

/// `GET /id/{org}/{user}` with a Bearer access token of that user.
async fn identity(
    State(shared): State<Arc<Shared>>,
    Path((org, user)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let token = bearer(&headers).unwrap_or_default();
    let sf = lock(&shared.salesforce);
    let owner = sf.check_access(&token, shared.clock.now());
    let Some(owner) = owner.filter(|o| o.user_id == user) else {
        return (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response();
    };
    let Some(account) = sf.users.get(&owner.user_id).filter(|u| u.org_id == org) else {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    };
    Json(json!({
        "user_id": account.id,
        "organization_id": account.org_id,
        "username": account.username,
        "display_name": account.display_name,
        "email": account.email,
    }))
    .into_response()
}

/// The token of an `Authorization: Bearer …` header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}
