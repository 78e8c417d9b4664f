//! The poller's fallback, called once at the end of every sync run: finished linked events
//! whose processing state never reached `Success` (a lost webhook, an admin's `Pending`, a
//! run that died) get a write-back job, and a `Failed` one only when its retry is due.
//!
//! It asks through EventBridge rather than running inline: the write-back then runs under
//! its own lease and invocation, with its own deadline, and the sync run stays short.

use chrono::Utc;
use sbxy_domain::attendance::{AttendanceState, AttendanceTrigger, CatchUp, catch_up as decide};
use sbxy_domain::ids::EventId;
use sbxy_storage::{AttendanceJob, AttendanceRecord, LinkedEventRecord};
use sbxy_streamboxy_client::EventState;

use crate::worker::TenantRun;

/// Asks for the write-backs the tenant's finished events still need. Costs one STREAMBOXY
/// listing per run when Show / No Show is on, and nothing in Pardot; its failures are logged
/// and left to the next run.
pub(crate) async fn catch_up(run: &TenantRun<'_>, linked: &[LinkedEventRecord]) {
    let settings = &run.settings;
    let switched_on = settings.attendance_lists_enabled || settings.external_activities.is_some();
    if !switched_on || linked.is_empty() || run.problem.is_some() || run.deadline.reached() {
        return;
    }

    let events = match run.streamboxy.list_events(run.tenant.as_str()).await {
        Ok(events) => events,
        Err(err) => {
            tracing::warn!(error = %err, "attendance catch-up could not list the events");
            return;
        }
    };
    let finished = events
        .into_iter()
        .filter(|e| e.state == EventState::Finished);
    for event in finished {
        let Ok(event_id) = EventId::parse(&event.id) else {
            continue;
        };
        if !linked.iter().any(|l| l.event_id == event_id) {
            continue;
        }
        let state = event.property_str(&settings.attendance_state_property);
        if AttendanceState::parse(state) == Some(AttendanceState::Success) {
            continue;
        }
        if let Err(err) = ask(run, &event_id, state).await {
            tracing::warn!(event = %event_id, error = %err, "attendance catch-up failed");
        }
    }
}

/// Decides for one finished event and asks for its write-back when it is due.
async fn ask(
    run: &TenantRun<'_>,
    event: &EventId,
    state: Option<&str>,
) -> Result<(), sbxy_storage::StorageError> {
    let store = &run.ctx.store;
    let now = Utc::now();
    let mut record = store
        .attendance_record(&run.tenant, event)
        .await?
        .unwrap_or_else(|| AttendanceRecord::new(run.tenant.clone(), event.clone()));

    match decide(state, &record.history(), now) {
        CatchUp::Run => {}
        other => {
            tracing::debug!(event = %event, decision = ?other, "no attendance write-back now");
            return Ok(());
        }
    }
    let job = AttendanceJob {
        tenant_id: run.tenant.to_string(),
        event_id: event.to_string(),
        reason: AttendanceTrigger::Poller,
    };
    run.ctx.bus.put_attendance_job(&job).await?;
    record.requested_at = Some(now);
    store.save_attendance_record(&record).await?;
    tracing::info!(event = %event, state = state.unwrap_or("(none)"),
        "finished event without Success; attendance write-back requested");
    Ok(())
}
