//! The `/_sim/…` control endpoints, served on every port without auth: stats, faults, state
//! dumps, run-time seeding, attendance and event changes, and the clock. The same operations
//! back the `SimHandle` methods.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::faults::FaultConfig;
use crate::seed::{AttendanceSeed, PardotSeed, StreamboxySeed};
use crate::shared::Shared;
use crate::streamboxy::events::control_set;
use crate::sync::lock;

/// The control routes, to be merged into every listener's router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/_sim/stats", get(stats).delete(reset_stats))
        .route(
            "/_sim/faults",
            get(faults).post(set_faults).delete(clear_faults),
        )
        .route("/_sim/clock/advance", post(advance_clock))
        .route("/_sim/pardot/daily-reset", post(daily_reset))
        .route("/_sim/pardot/state", get(pardot_state))
        .route("/_sim/pardot/seed", post(pardot_seed))
        .route("/_sim/streamboxy/state", get(streamboxy_state))
        .route("/_sim/streamboxy/seed", post(streamboxy_seed))
        .route("/_sim/streamboxy/attendance", post(attendance))
        .route("/_sim/streamboxy/events/{tenant}/{event}", post(set_event))
        .route("/_sim/salesforce/state", get(salesforce_state))
        .with_state(shared)
}

/// A control-endpoint failure: 400 `{"error": "…"}`.
fn bad_request(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.into() })),
    )
        .into_response()
}

fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|err| format!("invalid body: {err}"))
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.stats()).into_response()
}

async fn reset_stats(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.stats.reset();
    StatusCode::NO_CONTENT
}

async fn faults(State(shared): State<Arc<Shared>>) -> Response {
    Json(lock(&shared.faults).config().clone()).into_response()
}

async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<FaultConfig>(&body) {
        Ok(config) => {
            shared.set_faults(Some(config));
            StatusCode::NO_CONTENT.into_response()
        }
        Err(message) => bad_request(message),
    }
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> StatusCode {
    shared.set_faults(None);
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance_clock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<Advance>(&body) {
        Ok(advance) => {
            shared.clock.advance(advance.seconds);
            Json(json!({ "now": shared.clock.now().to_rfc3339() })).into_response()
        }
        Err(message) => bad_request(message),
    }
}

async fn daily_reset(State(shared): State<Arc<Shared>>) -> StatusCode {
    lock(&shared.pardot).reset_daily();
    StatusCode::NO_CONTENT
}

async fn pardot_state(State(shared): State<Arc<Shared>>) -> Response {
    Json(lock(&shared.pardot).dump()).into_response()
}

async fn pardot_seed(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let seed = match parse::<PardotSeed>(&body) {
        Ok(seed) => seed,
        Err(message) => return bad_request(message),
    };
    match seed_pardot(&shared, &seed) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => bad_request(message),
    }
}

/// Upserts Pardot records at run time.
pub(crate) fn seed_pardot(shared: &Shared, seed: &PardotSeed) -> Result<(), String> {
    lock(&shared.pardot).merge(seed)
}

async fn streamboxy_state(State(shared): State<Arc<Shared>>) -> Response {
    Json(lock(&shared.streamboxy).dump(&shared.urls.streamboxy)).into_response()
}

async fn streamboxy_seed(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let seed = match parse::<StreamboxySeed>(&body) {
        Ok(seed) => seed,
        Err(message) => return bad_request(message),
    };
    match seed_streamboxy(&shared, &seed) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => bad_request(message),
    }
}

/// Upserts STREAMBOXY records at run time.
pub(crate) fn seed_streamboxy(shared: &Shared, seed: &StreamboxySeed) -> Result<(), String> {
    let now = shared.clock.now();
    lock(&shared.streamboxy).merge(seed, now)
}

/// `POST /_sim/streamboxy/attendance`: an attendance seed row plus `tenantId`.
async fn attendance(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let mut body = match parse::<Map<String, Value>>(&body) {
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    let Some(Value::String(tenant)) = body.remove("tenantId") else {
        return bad_request("tenantId is required");
    };
    let record: AttendanceSeed = match serde_json::from_value(Value::Object(body)) {
        Ok(record) => record,
        Err(err) => return bad_request(format!("invalid body: {err}")),
    };
    match record_attendance(&shared, &tenant, &record) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => bad_request(message),
    }
}

/// Records one attendance row (user by id or e-mail).
pub(crate) fn record_attendance(
    shared: &Shared,
    tenant: &str,
    record: &AttendanceSeed,
) -> Result<(), String> {
    let mut state = lock(&shared.streamboxy);
    let tenant = state
        .tenant_mut(tenant)
        .ok_or_else(|| format!("unknown tenant {tenant}"))?;
    tenant.record_attendance(record)
}

async fn set_event(
    State(shared): State<Arc<Shared>>,
    Path((tenant, event)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body = match parse::<Map<String, Value>>(&body) {
        Ok(body) => body,
        Err(message) => return bad_request(message),
    };
    match control_set(&mut lock(&shared.streamboxy), &tenant, &event, &body) {
        Ok(event) => Json(event).into_response(),
        Err(message) => bad_request(message),
    }
}

async fn salesforce_state(State(shared): State<Arc<Shared>>) -> Response {
    Json(lock(&shared.salesforce).dump(shared.clock.now())).into_response()
}
