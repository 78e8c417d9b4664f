//! External Activities of a write-back (checkbox 3): one Show or No Show activity per
//! registrant e-mail, each claimed in the DynamoDB ledger before it is sent, so none is ever
//! recorded twice, not by a re-run and not by a retry after a lost answer. A claim left
//! unsettled (a crash mid-send, an answer lost in transit) is checked in Pardot by the next
//! run (`reconcile`) and sent again only when Pardot did not record it, so none is lost.
//!
//! A missing or inactive extension or activity type is a plain note on the run (the lists are
//! written all the same); a busy or exhausted business unit fails the run so it is retried.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use sbxy_domain::attendance::{
    ActivityKind, AttendanceFacts, AttendanceSplit, PlannedActivity, Registrant, activity_value,
    plan_activities,
};
use sbxy_domain::ids::EventId;
use sbxy_domain::settings::ExternalActivityNames;
use sbxy_pardot_client::PardotError;
use sbxy_pardot_client::model::ExternalActivity;
use sbxy_storage::{ActivityEntry, LedgerEntry};
use sbxy_streamboxy_client::Event;

use super::AttendanceReport;
use super::reconcile::{Unsettled, reconcile};
use super::session::Session;
use super::write_back::Halt;

/// Pardot's code for an e-mail no prospect has.
const NO_SUCH_EMAIL: i64 = 4;
/// Codes that say the request was not processed because the business unit was busy.
const BUSY_CODES: [i64; 2] = [62, 66];
/// Tries of one activity while the business unit answers "busy".
const BUSY_ATTEMPTS: u32 = 6;

/// What the activities are made of.
pub(super) struct ActivityInput<'a> {
    pub(super) event: &'a Event,
    pub(super) registrants: &'a [Registrant],
    pub(super) split: &'a AttendanceSplit,
    pub(super) facts: &'a AttendanceFacts,
    pub(super) names: &'a ExternalActivityNames,
}

/// What became of one activity.
enum Sent {
    Written,
    Refused,
    Uncertain,
    /// Already in the ledger (another run claimed it first), or skipped after a setup problem.
    Known,
    /// Pardot refused the extension or type; nothing is sent until an admin fixes it.
    SetupProblem(String),
    NotStarted,
    Stop(Halt),
}

/// Records the activities the ledger does not have yet.
pub(super) async fn write_activities(
    s: &Session<'_>,
    input: &ActivityInput<'_>,
    report: &mut AttendanceReport,
) -> Result<(), Halt> {
    let event_id = EventId::parse(&input.event.id).map_err(|e| Halt::failed(e.to_string()))?;
    let planned = plan_activities(
        input.registrants,
        input.split,
        input.facts,
        input.event.end,
        Utc::now(),
    );
    let ledger = s
        .ctx
        .store
        .activity_ledger(&s.tenant, &event_id)
        .await
        .map_err(|e| Halt::failed(format!("could not read the activity ledger: {e}; retried")))?;
    let value = activity_value(&input.event.id);
    let mut todo = Vec::new();
    let mut unsettled = Vec::new();
    for planned in planned {
        match ledger.get(&planned.ledger_key()) {
            None => todo.push((planned, Claim::New)),
            Some(entry) if entry.is_unsettled() => unsettled.push(Unsettled {
                planned,
                entry: *entry,
            }),
            Some(_) => report.counts.activities_known += 1,
        }
    }

    // What an earlier run left unsettled is checked in Pardot before anything is sent again.
    let mut waiting = 0;
    if !unsettled.is_empty() {
        let reconciled = reconcile(
            s,
            &event_id,
            input.names,
            &value,
            input.registrants,
            unsettled,
        )
        .await?;
        report.counts.activities_known += reconciled.confirmed;
        waiting = reconciled.waiting;
        todo.extend(
            reconciled
                .resend
                .into_iter()
                .map(|u| (u.planned, Claim::Retake(u.entry))),
        );
    }

    let stop = AtomicBool::new(false);
    let mut results = futures::stream::iter(todo)
        .map(|(activity, claim)| send(s, &event_id, input.names, &value, activity, claim, &stop))
        .buffer_unordered(s.ctx.config.pardot_max_in_flight.max(1));
    let mut setup_problem = None;
    let mut deadline = false;
    while let Some(sent) = results.next().await {
        let counts = &mut report.counts;
        match sent {
            Sent::Written => counts.activities_written += 1,
            Sent::Refused => counts.activities_refused += 1,
            Sent::Uncertain => counts.activities_uncertain += 1,
            Sent::Known => {}
            Sent::SetupProblem(note) => {
                setup_problem.get_or_insert(note);
            }
            Sent::NotStarted => deadline = true,
            Sent::Stop(halt) => return Err(halt),
        }
    }
    drop(results);

    report.counts.activities_uncertain += waiting;
    report.activities_note = note(setup_problem, &report.counts);
    if let Some(note) = &report.activities_note {
        tracing::warn!(note = %note, "External Activities not all recorded");
    }
    if deadline {
        return Err(Halt::Deadline);
    }
    // Unsettled activities need another run: the event goes back to `Pending`.
    if report.counts.activities_uncertain > 0 {
        return Err(Halt::Unsettled {
            reason: format!(
                "{} External Activities await Pardot's confirmation; the next run checks \
                 them and sends those Pardot did not record",
                report.counts.activities_uncertain
            ),
        });
    }
    Ok(())
}

/// How an activity is claimed in the ledger before it is sent.
enum Claim {
    /// Not in the ledger yet: a conditional put that fails when any run has it.
    New,
    /// Unsettled, and Pardot does not have it: taken over if the item is still as read.
    Retake(LedgerEntry),
}

/// Claims, sends and settles one activity.
async fn send(
    s: &Session<'_>,
    event_id: &EventId,
    names: &ExternalActivityNames,
    value: &str,
    planned: PlannedActivity,
    claim: Claim,
    stop: &AtomicBool,
) -> Sent {
    if stop.load(Ordering::Relaxed) {
        return Sent::Known;
    }
    if s.deadline.reached() {
        return Sent::NotStarted;
    }
    let key = planned.ledger_key();
    let store = &s.ctx.store;
    let claimed = match &claim {
        Claim::New => {
            store
                .claim_activity(&s.tenant, event_id, &key, Utc::now())
                .await
        }
        Claim::Retake(seen) => {
            store
                .reclaim_activity(&s.tenant, event_id, &key, seen, Utc::now())
                .await
        }
    };
    match claimed {
        Ok(true) => {}
        Ok(false) => return Sent::Known,
        Err(err) => return Sent::Stop(Halt::failed(format!("activity ledger: {err}; retried"))),
    }

    let activity = ExternalActivity {
        extension: names.extension.clone(),
        activity_type: match planned.kind {
            ActivityKind::Show => names.show_type.clone(),
            ActivityKind::NoShow => names.no_show_type.clone(),
        },
        email: planned.email,
        value: value.to_owned(),
        activity_date: Some(planned.activity_date.fixed_offset()),
    };
    let outcome = create(s, &activity).await;

    // Settle the claim: what Pardot surely did not record is given back, the rest stays.
    let (entry, sent) = match outcome {
        Ok(()) => (Some(ActivityEntry::Written), Sent::Written),
        Err(err) if err.code() == Some(NO_SUCH_EMAIL) => {
            (Some(ActivityEntry::Refused), Sent::Refused)
        }
        Err(err) if not_processed(&err) => (None, classify_refusal(&err, names, stop)),
        Err(err) => {
            tracing::warn!(error = %err, kind = planned.kind.as_str(),
                "External Activity got no clear answer; the next run checks it in Pardot");
            (Some(ActivityEntry::Uncertain), Sent::Uncertain)
        }
    };
    let settled = match entry {
        Some(entry) => {
            store
                .settle_activity(&s.tenant, event_id, &key, entry, Utc::now())
                .await
        }
        None => store.release_activity(&s.tenant, event_id, &key).await,
    };
    match settled {
        Ok(()) => sent,
        Err(err) => Sent::Stop(Halt::failed(format!("activity ledger: {err}; retried"))),
    }
}

/// One create, repeated only while Pardot says the business unit is busy (then it surely did
/// not process the request). Every other failure is returned as it is: the client itself does
/// not retry this call.
async fn create(s: &Session<'_>, activity: &ExternalActivity) -> Result<(), PardotError> {
    let mut attempt = 0;
    loop {
        match s.activities.create_external_activity(activity).await {
            Err(err) if is_busy(&err) && attempt + 1 < BUSY_ATTEMPTS => {
                let wait = Duration::from_millis(250 << attempt.min(5));
                attempt += 1;
                tokio::time::sleep(wait).await;
            }
            other => return other,
        }
    }
}

fn is_busy(err: &PardotError) -> bool {
    err.code().is_some_and(|code| BUSY_CODES.contains(&code))
}

/// True when Pardot answered, or the request never left, so the activity was surely not
/// recorded: an error body below 500, or no token to send it with.
fn not_processed(err: &PardotError) -> bool {
    match err {
        PardotError::Api { status, .. } => *status < 500,
        PardotError::DailyLimit { .. }
        | PardotError::Configuration { .. }
        | PardotError::AccessTokenRejected { .. }
        | PardotError::Token(_)
        | PardotError::InvalidRequest { .. } => true,
        _ => false,
    }
}

/// What a refusal means: the run stops for a busy, spent or disconnected business unit, and
/// any other refusal is taken as a setup problem of the extension or type.
fn classify_refusal(err: &PardotError, names: &ExternalActivityNames, stop: &AtomicBool) -> Sent {
    if let Some(halt) = Halt::for_pardot(err) {
        return Sent::Stop(halt);
    }
    if is_busy(err) || err.is_retryable() {
        return Sent::Stop(Halt::failed(format!(
            "Pardot stayed busy while recording External Activities ({err}); retried"
        )));
    }
    stop.store(true, Ordering::Relaxed);
    Sent::SetupProblem(format!(
        "External Activities were not recorded: Pardot refused the extension \"{}\" with the \
         types \"{}\" / \"{}\" ({err}). Create them in Salesforce Setup, activate them and \
         assign the extension to this business unit; the lists were written.",
        names.extension, names.show_type, names.no_show_type
    ))
}

/// The plain status of the activities, when something needs saying.
fn note(
    setup_problem: Option<String>,
    counts: &sbxy_domain::attendance::AttendanceCounts,
) -> Option<String> {
    let mut parts: Vec<String> = setup_problem.into_iter().collect();
    if counts.activities_uncertain > 0 {
        parts.push(format!(
            "{} External Activities got no answer from Pardot (or were cut off by a crash); \
             the next run checks them in Pardot and sends only those it did not record",
            counts.activities_uncertain
        ));
    }
    if counts.activities_refused > 0 {
        parts.push(format!(
            "{} e-mails have no prospect in Pardot; no activity was recorded for them",
            counts.activities_refused
        ));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}
