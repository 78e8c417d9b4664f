//! The steps of one write-back: read the event again (never trust what asked for the run),
//! decide whether to run, mark `Processing`, split the registrants by attendance, write the
//! lists and the External Activities, then record the outcome in the property and the store.

use chrono::{DateTime, Utc};
use sbxy_domain::attendance::{
    AttendanceFacts, AttendanceOutcome, AttendanceRow, AttendanceState, AttendanceTrigger,
    next_retry_at, should_run, split_attendance,
};
use sbxy_domain::ids::EventId;
use sbxy_domain::status::SyncProblem;
use sbxy_pardot_client::PardotError;
use sbxy_storage::AttendanceRecord;
use sbxy_streamboxy_client::{Event, EventState, StreamboxyError};

use super::AttendanceReport;
use super::property::StateProperty;
use super::session::{Ended, Session};
use super::{activities, lists};
use crate::error::DAILY_LIMIT_PROBE;

/// Why a write-back stopped before it was done.
#[derive(Debug)]
pub(super) enum Halt {
    /// It cannot go on; the property gets `Failed: <reason>`.
    Failed {
        /// In plain words, with what to do.
        reason: String,
        /// Set after code 122: the business unit makes no call until then.
        pause_until: Option<DateTime<Utc>>,
    },
    /// The invocation's deadline came; the property goes back to `Pending`.
    Deadline,
    /// Everything else is done, but some External Activities are unsettled (sent without an
    /// answer, or from a crashed run and still within Pardot's read lag); the property goes
    /// back to `Pending` so the poller's catch-up runs it again to check them.
    Unsettled { reason: String },
}

impl Halt {
    /// A failure with a reason.
    pub(super) fn failed(reason: impl Into<String>) -> Self {
        Self::Failed {
            reason: reason.into(),
            pause_until: None,
        }
    }

    /// The halt a Pardot error calls for, or `None` when only this one write failed. The
    /// words are the sync's own (`SyncProblem`), so the admin reads one text for one cause.
    pub(super) fn for_pardot(err: &PardotError) -> Option<Self> {
        let now = Utc::now();
        let problem = match err {
            PardotError::DailyLimit { .. } => SyncProblem::DailyLimitReached {
                until: now + DAILY_LIMIT_PROBE,
            },
            PardotError::Configuration {
                code,
                message,
                hint,
            } => SyncProblem::Configuration {
                code: *code,
                detail: format!("{message} ({hint})"),
            },
            PardotError::AccessTokenRejected { .. } => SyncProblem::Transient {
                detail: err.to_string(),
            },
            PardotError::Token(token) if token.needs_reconnect() => SyncProblem::ReconnectNeeded,
            PardotError::HostNotAllowed { .. } => SyncProblem::Configuration {
                code: 0,
                detail: err.to_string(),
            },
            _ => return None,
        };
        let pause_until = match &problem {
            SyncProblem::DailyLimitReached { until } => Some(*until),
            _ => None,
        };
        Some(Self::Failed {
            reason: format!("{}; {}", problem.message(), problem.action()),
            pause_until,
        })
    }
}

/// Runs the write-back of `event_id` in `session`.
pub(super) async fn write_back(
    s: &Session<'_>,
    event_id: &EventId,
    trigger: AttendanceTrigger,
) -> Result<Ended, crate::error::SyncError> {
    let now = Utc::now();
    let idle = |outcome, reason: String| Ended {
        report: AttendanceReport::idle(&s.tenant, event_id, trigger, outcome, reason),
        pause_until: None,
    };
    let name = &s.settings.attendance_state_property;
    let mut property = match StateProperty::read(&s.streamboxy, &s.tenant, event_id, name).await {
        Ok(property) => property,
        Err(StreamboxyError::NotFound { .. }) => {
            return Ok(idle(
                AttendanceOutcome::Skipped,
                "the event no longer exists in STREAMBOXY".into(),
            ));
        }
        Err(err) => {
            let reason = format!("could not read the event from STREAMBOXY: {err}");
            return Ok(idle(AttendanceOutcome::Failed, reason));
        }
    };
    let event = property.event().clone();

    // Only a finished, linked event is written back, and a poller's job checks it is still due.
    if event.state != EventState::Finished {
        let reason = format!("the event is {}, not Finished", event.state);
        return Ok(idle(AttendanceOutcome::Skipped, reason));
    }
    let Some(source) = linked_list(s, &event) else {
        let reason = "the event is not linked to a Pardot list".to_owned();
        return Ok(idle(AttendanceOutcome::Skipped, reason));
    };
    let mut record = s
        .ctx
        .store
        .attendance_record(&s.tenant, event_id)
        .await?
        .unwrap_or_else(|| AttendanceRecord::new(s.tenant.clone(), event_id.clone()));
    if !should_run(trigger, property.raw(), &record.history(), now) {
        let reason = match property.state() {
            Some(AttendanceState::Success) => "already written back (Success)".to_owned(),
            _ => "the last failure waits for its retry or for an admin's Pending".to_owned(),
        };
        return Ok(idle(AttendanceOutcome::Skipped, reason));
    }

    // A run not retrying our own failure starts a new series of retries.
    if trigger != AttendanceTrigger::Poller || property.state() != Some(AttendanceState::Failed) {
        record.failures = 0;
    }
    if let Err(err) = property.write(AttendanceState::Processing.as_str()).await {
        let reason = format!("could not set the processing state in STREAMBOXY: {err}");
        return Ok(idle(AttendanceOutcome::Failed, reason));
    }
    record.started_at = Some(now);
    s.ctx.store.save_attendance_record(&record).await?;

    let mut report =
        AttendanceReport::new(&s.tenant, event_id, trigger, AttendanceOutcome::Success);
    let worked = work(s, &event, &source, &mut record, &mut report).await;

    let ended = finish(s, &mut property, &mut record, report, worked).await;
    s.ctx.store.save_attendance_record(&record).await?;
    Ok(ended)
}

/// The event's list name, trimmed; `None` when it is not linked.
fn linked_list(s: &Session<'_>, event: &Event) -> Option<String> {
    let name = event.property_str(&s.settings.list_name_property)?.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// Splits the registrants and writes lists and activities.
async fn work(
    s: &Session<'_>,
    event: &Event,
    source: &str,
    record: &mut AttendanceRecord,
    report: &mut AttendanceReport,
) -> Result<(), Halt> {
    let event_id = &record.event_id;
    let registrants = s
        .ctx
        .store
        .registrants(&s.tenant, event_id)
        .await
        .map_err(|e| Halt::failed(format!("could not read the registrants: {e}; retried")))?;
    let rows = s
        .streamboxy
        .attendance(s.tenant.as_str(), event_id.as_str())
        .await
        .map_err(|e| {
            Halt::failed(format!(
                "could not read the attendance from STREAMBOXY: {e}"
            ))
        })?;
    let facts = AttendanceFacts::from_rows(rows.iter().map(|row| AttendanceRow {
        user_id: &row.user_id,
        email: row.email.as_deref(),
        attended: row.attended,
        first_join: row.first_join,
    }));
    let split = split_attendance(&registrants, &facts.attended_users, &facts.attended_emails);
    report.counts.registrants = registrants.len() as u64;
    report.counts.show = split.show.len() as u64;
    report.counts.no_show = split.no_show.len() as u64;
    tracing::info!(
        registrants = registrants.len(),
        show = split.show.len(),
        no_show = split.no_show.len(),
        "attendance split"
    );

    if s.settings.attendance_lists_enabled {
        lists::write_lists(s, source, &split, record, report).await?;
    }
    if let Some(names) = &s.settings.external_activities {
        let input = activities::ActivityInput {
            event,
            registrants: &registrants,
            split: &split,
            facts: &facts,
            names,
        };
        activities::write_activities(s, &input, report).await?;
    }
    Ok(())
}

/// Records the outcome in the property, the record and the report.
async fn finish(
    s: &Session<'_>,
    property: &mut StateProperty<'_>,
    record: &mut AttendanceRecord,
    mut report: AttendanceReport,
    worked: Result<(), Halt>,
) -> Ended {
    let now = Utc::now();
    let mut pause = None;
    let written = match worked {
        Ok(()) => {
            report.outcome = AttendanceOutcome::Success;
            record.failures = 0;
            record.next_retry_at = None;
            property.finish(AttendanceState::Success.as_str()).await
        }
        Err(Halt::Deadline) => {
            report.outcome = AttendanceOutcome::Partial;
            report.reason = Some("the deadline came first; the poller finishes it".into());
            property.finish(AttendanceState::Pending.as_str()).await
        }
        Err(Halt::Unsettled { reason }) => {
            report.outcome = AttendanceOutcome::Partial;
            report.reason = Some(reason);
            record.failures = 0;
            record.next_retry_at = None;
            property.finish(AttendanceState::Pending.as_str()).await
        }
        Err(Halt::Failed {
            reason,
            pause_until,
        }) => {
            report.outcome = AttendanceOutcome::Failed;
            record.failures += 1;
            record.next_retry_at = next_retry_at(record.failures, now);
            if let (Some(until), Some(next)) = (pause_until, record.next_retry_at) {
                record.next_retry_at = Some(next.max(until));
            }
            pause = pause_until;
            let written = property.fail(&reason).await;
            report.reason = Some(reason);
            written
        }
    };
    if let Err(err) = written {
        tracing::warn!(error = %err, "could not write the processing state; the poller retries");
    }

    record.outcome = Some(report.outcome);
    record.reason.clone_from(&report.reason);
    record.finished_at = Some(now);
    record.counts = report.counts.clone();
    record.activities_note.clone_from(&report.activities_note);
    report.pardot_calls =
        s.pardot.stats().snapshot().requests + s.activities.stats().snapshot().requests;
    report.streamboxy_calls = s.streamboxy.stats().calls;
    Ended {
        report,
        pause_until: pause,
    }
}
