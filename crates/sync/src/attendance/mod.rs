//! The Show / No Show write-back of an ended event: who was there (STREAMBOXY's attendance of
//! the prospects this service registered), two Pardot lists that converge on every run, the
//! External Activities with their ledger, and the event's processing-state property.
//!
//! Jobs arrive as `AttendanceRequested` events (from the webhook, the poller's catch-up and an
//! admin's re-run) and run in the sync-worker under the business unit's lease, sharing the
//! process's Pardot in-flight limiter, so a business unit never has more than the configured
//! calls in flight however its work is triggered.

mod activities;
mod catch_up;
mod lists;
mod local;
mod property;
mod reconcile;
mod session;
mod write_back;

use sbxy_domain::attendance::{AttendanceCounts, AttendanceOutcome, AttendanceTrigger};
use sbxy_domain::ids::{EventId, TenantId};
use serde::Serialize;
use tracing::Instrument;

use crate::context::AppContext;
use crate::deadline::Deadline;
use crate::error::SyncError;

pub(crate) use catch_up::catch_up;
pub use local::LocalWorker;
pub use sbxy_storage::{ATTENDANCE_REQUESTED, AttendanceJob};

/// A Pardot list the write-back used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenList {
    /// Pardot's id.
    pub id: i64,
    /// Its name, from the tenant's pattern.
    pub name: String,
    /// Its folder: the source list's.
    pub folder_id: Option<i64>,
    /// True when this run created it (first run, or the list was deleted).
    pub created: bool,
}

/// What one write-back did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttendanceReport {
    /// The tenant.
    pub tenant_id: String,
    /// The event.
    pub event_id: String,
    /// What asked for it.
    pub trigger: AttendanceTrigger,
    /// How it ended.
    pub outcome: AttendanceOutcome,
    /// Why it failed or was skipped, in plain words.
    pub reason: Option<String>,
    /// The figures.
    pub counts: AttendanceCounts,
    /// The Show list.
    pub show_list: Option<WrittenList>,
    /// The No Show list.
    pub no_show_list: Option<WrittenList>,
    /// The External Activities' plain status (e.g. a missing extension), when there is one.
    pub activities_note: Option<String>,
    /// Pardot requests this run made (retries included).
    pub pardot_calls: u64,
    /// STREAMBOXY requests this run made (retries included).
    pub streamboxy_calls: u64,
}

impl AttendanceReport {
    /// A run that did no work, for the given reason.
    pub(crate) fn idle(
        tenant: &TenantId,
        event: &EventId,
        trigger: AttendanceTrigger,
        outcome: AttendanceOutcome,
        reason: impl Into<String>,
    ) -> Self {
        Self {
            reason: Some(reason.into()),
            ..Self::new(tenant, event, trigger, outcome)
        }
    }

    /// A report with nothing counted yet.
    pub(crate) fn new(
        tenant: &TenantId,
        event: &EventId,
        trigger: AttendanceTrigger,
        outcome: AttendanceOutcome,
    ) -> Self {
        Self {
            tenant_id: tenant.to_string(),
            event_id: event.to_string(),
            trigger,
            outcome,
            reason: None,
            counts: AttendanceCounts::default(),
            show_list: None,
            no_show_list: None,
            activities_note: None,
            pardot_calls: 0,
            streamboxy_calls: 0,
        }
    }
}

/// Runs the write-back of one event now, in this process: gates, the business unit's lease
/// (waiting a little for a running sync to end), the work, the property and the record.
/// Errors are returned only when the run's own bookkeeping failed.
pub async fn run_attendance(
    ctx: &AppContext,
    tenant: &TenantId,
    event: &EventId,
    trigger: AttendanceTrigger,
    deadline: Deadline,
) -> Result<AttendanceReport, SyncError> {
    let span = tracing::info_span!(
        "attendance",
        tenant = %tenant,
        event = %event,
        trigger = ?trigger,
        run = %uuid::Uuid::new_v4(),
    );
    async {
        let report = session::run(ctx, tenant, event, trigger, deadline).await?;
        tracing::info!(
            outcome = ?report.outcome,
            reason = report.reason.as_deref().unwrap_or(""),
            registrants = report.counts.registrants,
            show = report.counts.show,
            no_show = report.counts.no_show,
            added = report.counts.added,
            removed = report.counts.removed,
            activities = report.counts.activities_written,
            pardot_calls = report.pardot_calls,
            "attendance write-back finished"
        );
        Ok(report)
    }
    .instrument(span)
    .await
}

/// Runs a job as the sync-worker receives it from EventBridge.
pub async fn run_job(
    ctx: &AppContext,
    job: &AttendanceJob,
    deadline: Deadline,
) -> Result<AttendanceReport, SyncError> {
    let tenant = TenantId::parse(&job.tenant_id).map_err(|e| SyncError::Input(e.to_string()))?;
    let event = EventId::parse(&job.event_id).map_err(|e| SyncError::Input(e.to_string()))?;
    run_attendance(ctx, &tenant, &event, job.reason, deadline).await
}

/// Hands a write-back to the sync-worker (EventBridge `AttendanceRequested`); what the webhook
/// and the admin's re-run call.
pub async fn request_attendance(
    ctx: &AppContext,
    tenant: &TenantId,
    event: &EventId,
    trigger: AttendanceTrigger,
) -> Result<(), SyncError> {
    let job = AttendanceJob {
        tenant_id: tenant.to_string(),
        event_id: event.to_string(),
        reason: trigger,
    };
    ctx.bus.put_attendance_job(&job).await?;
    tracing::info!(tenant = %tenant, event = %event, trigger = ?trigger,
        "attendance write-back requested");
    Ok(())
}
