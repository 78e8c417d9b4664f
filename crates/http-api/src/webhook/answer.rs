//! The webhook's answers: a small JSON status for what was taken or ignored, RFC 7807 problem
//! details for what was refused (STREAMBOXY's own error format), never an internal detail.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// 202: the write-back was handed to the sync-worker.
pub(super) fn accepted(event: &str) -> Response {
    let body = json!({
        "status": "accepted",
        "detail": format!("the Show / No Show write-back of event {event} was requested"),
    });
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

/// 200: a valid delivery that needs nothing from us.
pub(super) fn ignored(detail: &str) -> Response {
    (
        StatusCode::OK,
        Json(json!({ "status": "ignored", "detail": detail })),
    )
        .into_response()
}

/// A refusal with `title` and a `detail` that tells the sender what to change.
pub(super) fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}

/// 503: a store or the bus failed; the sender should deliver again later.
pub(super) fn unavailable() -> Response {
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "Temporarily unavailable",
        "the delivery could not be taken now; deliver it again later",
    )
}
