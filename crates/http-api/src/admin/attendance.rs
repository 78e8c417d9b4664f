//! `POST …/events/{event}/attendance/rerun`: an admin asks for an event's Show / No Show
//! write-back again. The job goes to the sync-worker through EventBridge, like the webhook's,
//! so it runs under the business unit's lease; a re-run always converges.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sbxy_domain::attendance::AttendanceTrigger;
use sbxy_domain::ids::EventId;
use sbxy_sync::attendance::request_attendance;
use serde_json::{Value, json};

use super::auth::TenantAdmin;
use crate::problem::ApiError;
use crate::state::ApiState;

/// Hands the write-back of one event to the sync-worker; answers 202 once it is queued.
///
/// Known limit: any well-formed event id is queued, linked to the tenant or not; the worker
/// then finds no linked list and ends the job without a Pardot call, but the admin still
/// reads "accepted". The page's re-run button only shows for linked events.
pub(super) async fn rerun(
    State(state): State<ApiState>,
    admin: TenantAdmin,
    Path((_, event)): Path<(String, String)>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let event = EventId::parse(&event).map_err(|e| ApiError::BadRequest(e.to_string()))?;

    request_attendance(&state.ctx, &admin.tenant, &event, AttendanceTrigger::Rerun)
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "attendance re-run could not be queued");
            ApiError::Unavailable("the re-run could not be queued; try again shortly".into())
        })?;
    let body = json!({ "requested": true, "event_id": event.as_str() });
    Ok((StatusCode::ACCEPTED, Json(body)))
}
