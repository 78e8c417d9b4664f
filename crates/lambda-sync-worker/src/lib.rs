//! The sync worker's handler, apart from `main` so a test can feed it the fan-out event
//! (events/tenant-sync-requested.json) and a write-back job (events/attendance-requested.json)
//! exactly as EventBridge delivers them.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lambda_runtime::{Error, LambdaEvent};
use sbxy_domain::ids::TenantId;
use sbxy_sync::attendance::{ATTENDANCE_REQUESTED, AttendanceJob};
use sbxy_sync::{AppContext, Deadline};
use serde_json::Value;

/// Handles one EventBridge event: a `TenantSyncRequested` runs the tenant's sync, an
/// `AttendanceRequested` runs an ended event's Show / No Show write-back; either answers with
/// its report. The run stops before the invocation's deadline.
pub async fn handle(ctx: &AppContext, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let deadline = deadline_of(event.context.deadline);
    let detail_type = event.payload.get("detail-type").and_then(Value::as_str);

    if detail_type == Some(ATTENDANCE_REQUESTED) {
        let job = attendance_job_of(&event.payload)?;
        // Boxed: the two runs' futures nested in one are too deep for the compiler's layout.
        let report = Box::pin(sbxy_sync::attendance::run_job(ctx, &job, deadline)).await?;
        return Ok(serde_json::to_value(report)?);
    }
    let tenant = tenant_of(&event.payload)?;
    // Boxed: the sync run's future nests deep enough that the release build's layout query of
    // `main`'s future would otherwise pass the compiler's recursion limit.
    let report = Box::pin(sbxy_sync::sync_tenant(ctx, &tenant, deadline)).await?;
    Ok(serde_json::to_value(report)?)
}

/// The job from an `AttendanceRequested` event's `detail`.
fn attendance_job_of(event: &Value) -> Result<AttendanceJob, Error> {
    let detail = event.get("detail").cloned().unwrap_or(Value::Null);
    serde_json::from_value(detail).map_err(|err| {
        format!(
            "the AttendanceRequested event's detail is not {{tenantId, eventId, reason}}: {err}"
        )
        .into()
    })
}

/// The tenant from the EventBridge event's `detail.tenantId`.
fn tenant_of(event: &Value) -> Result<TenantId, Error> {
    let id = event
        .pointer("/detail/tenantId")
        .and_then(Value::as_str)
        .ok_or("the event has no detail.tenantId; expected a TenantSyncRequested event")?;
    Ok(TenantId::parse(id)?)
}

/// Converts the invocation deadline (ms since the epoch) into a monotonic instant.
fn deadline_of(deadline_ms: u64) -> Deadline {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let left = u128::from(deadline_ms).saturating_sub(now_ms);
    let left = Duration::from_millis(u64::try_from(left).unwrap_or(u64::MAX));
    Deadline::at(Instant::now() + left)
}
