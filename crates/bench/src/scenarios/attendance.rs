//! Show / No Show for the registrants of the throughput run: a third of them attended, the
//! event ends, and one write-back (issue 4's `run_attendance`) fills the two lists. Its calls
//! and wall time are compared with the lower bound like a sync run's.

use std::time::{Duration, Instant};

use anyhow::Context;
use sbxy_domain::attendance::AttendanceTrigger;
use sbxy_domain::ids::EventId;
use sbxy_harness::DEMO_TENANT;
use sbxy_simulators::AttendanceSeed;
use sbxy_sync::Deadline;
use serde::Serialize;
use serde_json::json;

use crate::bounds::{Calls, LowerBound};
use crate::seed::{FIRST_PROSPECT, ListSpec};
use crate::stack::BenchStack;

/// One write-back.
#[derive(Debug, Clone, Serialize)]
pub struct AttendanceResult {
    pub registrants: u64,
    pub show: u64,
    pub no_show: u64,
    pub outcome: String,
    pub reason: Option<String>,
    pub wall_secs: f64,
    pub calls: Calls,
    pub pardot_calls_per_registrant: f64,
    pub lower_bound: LowerBound,
    pub ratio_to_lower_bound: Option<f64>,
}

impl AttendanceResult {
    /// One sentence for the report.
    pub fn summary(&self) -> String {
        format!(
            "{} registrants ({} show, {} no show), outcome {}{}: {:.1} s, {} Pardot calls \
             ({:.3} per registrant) and {} STREAMBOXY calls; lower bound {:.1} s (bound by {}) \
             → ratio {}.",
            self.registrants,
            self.show,
            self.no_show,
            self.outcome,
            self.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default(),
            self.wall_secs,
            self.calls.pardot,
            self.pardot_calls_per_registrant,
            self.calls.streamboxy,
            self.lower_bound.secs,
            self.lower_bound.bound_by,
            self.ratio_to_lower_bound
                .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}"))
        )
    }
}

/// Marks every third of the `members` generated prospects as attended, ends the list's event
/// and runs the write-back.
pub async fn run(
    stack: &BenchStack,
    list: &ListSpec,
    members: usize,
) -> anyhow::Result<AttendanceResult> {
    let sim = &stack.stack.sim;
    for n in (0..members as i64).step_by(3) {
        let record = AttendanceSeed {
            event_id: list.event_id.clone(),
            user_id: None,
            email: Some(format!("member{}@bench.example", FIRST_PROSPECT + n)),
            attended: true,
            first_join_date_time_utc: Some(chrono::Utc::now()),
            minutes_attended: Some(30.0),
        };
        sim.record_attendance(DEMO_TENANT, &record)
            .context("recording attendance")?;
    }
    sim.set_event(DEMO_TENANT, &list.event_id, &json!({"state": "Finished"}))
        .context("ending the event")?;
    let event = EventId::parse(&list.event_id)?;

    let before = stack.calls();
    let started = Instant::now();
    let report = sbxy_sync::attendance::run_attendance(
        &stack.stack.ctx,
        &stack.tenant,
        &event,
        AttendanceTrigger::Runner,
        Deadline::none(),
    )
    .await
    .context("the Show/No Show write-back")?;
    let wall = started.elapsed();
    let calls = stack.calls_since(before);
    let bound = LowerBound::of(calls, stack.latency);

    let counts = &report.counts;
    Ok(AttendanceResult {
        registrants: counts.registrants,
        show: counts.show,
        no_show: counts.no_show,
        outcome: serde_json::to_value(report.outcome)?
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        reason: report.reason.clone(),
        wall_secs: wall.as_secs_f64(),
        calls,
        pardot_calls_per_registrant: calls.pardot as f64 / counts.registrants.max(1) as f64,
        ratio_to_lower_bound: bound.ratio(wall.max(Duration::from_nanos(1))),
        lower_bound: bound,
    })
}
