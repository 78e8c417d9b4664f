//! `POST …/pardot/connect`, `GET /oauth/callback` and `POST …/pardot/disconnect`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sbxy_domain::locale::Language;
use sbxy_domain::settings::PardotEnvironment;
use sbxy_sync::connection::{
    CallbackParams, CallbackResult, ConnectionError, Disconnected, finish_connect, start_connect,
};
use serde::{Deserialize, Serialize};

use super::auth::{Lang, TenantAdmin};
use crate::problem::ApiError;
use crate::state::ApiState;

/// The body of `connect`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConnectRequest {
    /// Which Salesforce org: it picks the login host and, later, the Pardot host.
    environment: PardotEnvironment,
}

/// The answer of `connect`: where to send the admin's browser.
#[derive(Debug, Serialize)]
pub(super) struct ConnectResponse {
    authorize_url: String,
}

/// Starts a connect attempt and answers the Salesforce consent URL.
pub(super) async fn connect(
    State(state): State<ApiState>,
    admin: TenantAdmin,
    body: Result<Json<ConnectRequest>, JsonRejection>,
) -> Result<Json<ConnectResponse>, ApiError> {
    let Json(request) = body.map_err(|rejection| {
        ApiError::BadRequest(format!(
            "expected {{\"environment\": \"production\" | \"developer\" | \"sandbox\"}} ({})",
            rejection.body_text()
        ))
    })?;

    let url = start_connect(
        &state.ctx,
        &state.connect,
        &admin.tenant,
        admin.claims.admin(),
        request.environment,
        state.clock.now(),
    )
    .await
    .map_err(connection_error)?;
    Ok(Json(ConnectResponse {
        authorize_url: url.to_string(),
    }))
}

/// Where Salesforce sends the admin back. A genuine `state` ends in a redirect to the admin
/// page with the outcome; a missing, altered, expired or reused one in a plain page, because
/// its tenant cannot be trusted.
pub(super) async fn callback(
    State(state): State<ApiState>,
    Lang(language): Lang,
    query: Result<Query<CallbackParams>, QueryRejection>,
) -> Response {
    let params = query.map(|Query(params)| params).unwrap_or_default();

    let result = finish_connect(&state.ctx, &state.connect, params, state.clock.now()).await;
    let mut response = match result {
        Ok(CallbackResult {
            outcome,
            tenant: Some(tenant),
        }) => {
            let mut target = state.connect.admin_page.clone();
            target
                .query_pairs_mut()
                .append_pair("tenant", tenant.as_str())
                .append_pair("outcome", outcome.code());
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, target.to_string())],
            )
                .into_response()
        }
        Ok(CallbackResult { outcome, .. }) => {
            message_page(StatusCode::BAD_REQUEST, outcome.message(language), language)
        }
        Err(err) => {
            tracing::error!(error = %err, "OAuth callback failed");
            let message = match language {
                Language::En => {
                    "Connecting could not be finished right now; nothing was changed. Start \
                     again in a minute."
                }
                Language::De => {
                    "Die Verbindung konnte gerade nicht hergestellt werden; es wurde nichts \
                     geändert. Beginnen Sie in einer Minute erneut."
                }
            };
            message_page(StatusCode::SERVICE_UNAVAILABLE, message, language)
        }
    };

    // The callback URL carries the authorization code: keep it out of caches and referrers.
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
}

/// Revokes the grant, deletes the tokens and marks the tenant not connected.
pub(super) async fn disconnect(
    State(state): State<ApiState>,
    admin: TenantAdmin,
) -> Result<Json<Disconnected>, ApiError> {
    sbxy_sync::connection::disconnect(&state.ctx, &admin.tenant)
        .await
        .map(Json)
        .map_err(connection_error)
}

/// A minimal page with one fixed message (never request data, so nothing can be injected).
fn message_page(status: StatusCode, message: &str, language: Language) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <title>STREAMBOXY · Pardot</title></head><body><p id=\"message\">{message}</p>\
         </body></html>",
        language.tag()
    );
    (status, Html(body)).into_response()
}

pub(super) fn connection_error(err: ConnectionError) -> ApiError {
    match err {
        ConnectionError::RevokeUnavailable { .. } => ApiError::Unavailable(err.to_string()),
        err if err.is_retryable() => {
            tracing::error!(error = %err, "connection storage failed");
            ApiError::Unavailable("storage is unavailable right now; try again shortly".into())
        }
        err => ApiError::Internal(err.to_string()),
    }
}
