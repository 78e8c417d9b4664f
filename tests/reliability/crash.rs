//! Scenario 2: the worker is killed (its task aborted at whatever await it is in, like a
//! Lambda that times out or crashes, leaving its lease behind) at random points of a sync and
//! of a Show / No Show write-back, then run again until done. The final state must equal that
//! of an uninterrupted run of the same seed.
//!
//! The kill points are drawn with a seeded generator over the write requests (Pardot and
//! STREAMBOXY) an uninterrupted run makes, so a failure can be replayed.

use std::future::Future;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sbxy_domain::attendance::{AttendanceOutcome, AttendanceTrigger};
use sbxy_domain::ids::EventId;
use sbxy_e2e::{options_with, tenant};
use sbxy_harness::{DEMO_TENANT, Stack};
use sbxy_sync::Deadline;
use sbxy_sync::SyncOutcome;
use serde_json::json;

use crate::results::{Figures, full, record};
use crate::state::{Snapshot, demo_links, generated_stack, run_until_completed, writes};

/// A killed worker's lease expires after 1 s.
const SHORT_LEASE: [(&str, &str); 1] = [("LEASE_TTL_SECS", "1")];
/// The write-back's stack also allows Pardot only 1 s of read lag (the simulator has none),
/// so an External Activity a killed run left unsettled is checked and, if missing, sent
/// again by the next run instead of one 90 s later.
const SHORT_LEASE_AND_LAG: [(&str, &str); 2] =
    [("LEASE_TTL_SECS", "1"), ("SYNC_LOOK_BACK_SECS", "1")];
/// Waited after a kill, so the dead worker's lease has expired. The lease keeps its expiry in
/// whole seconds (`expires_at < now`, both truncated), so a lease renewed at t expires for
/// sure only at the second after t + 1 s, up to 2 s later; 1.1 s left the next run `Busy`
/// now and then.
const LEASE_EXPIRY: Duration = Duration::from_millis(2100);
/// Event 1 of the demo seed, linked to "SBXYPardotTest".
const EVENT_1: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";

/// `n` distinct kill points in 1..total, ascending, from a fixed seed.
fn kill_points(seed: u64, n: usize, total: u64) -> Vec<u64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut points: Vec<u64> = (0..n).map(|_| rng.random_range(1..total.max(2))).collect();
    points.sort_unstable();
    points.dedup();
    points
}

/// Starts `work` once per kill point and aborts it when the stack's write count reaches the
/// point; returns how many workers were killed before they finished.
async fn crash_at<F, Fut>(stack: &Stack, points: &[u64], base: u64, work: F) -> u64
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut killed = 0;
    for point in points {
        let worker = tokio::spawn(work());
        while writes(stack) - base < *point && !worker.is_finished() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if worker.is_finished() {
            let _ = worker.await;
            continue;
        }
        worker.abort();
        let _ = worker.await;
        killed += 1;
        tokio::time::sleep(LEASE_EXPIRY).await;
    }
    killed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliability_a_sync_killed_at_random_points_converges() {
    let (members, crashes) = if full() { (1_000, 50) } else { (150, 8) };

    let (reference, links) = generated_stack(members, &SHORT_LEASE).await;
    let clean = run_until_completed(&reference, 3).await;
    assert_eq!(
        clean.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );
    let expected = Snapshot::read(&reference, &links);
    let reference_writes = writes(&reference);
    reference.stop().await;

    let (stack, links) = generated_stack(members, &SHORT_LEASE).await;
    let base = writes(&stack);
    let points = kill_points(2026, crashes, reference_writes);
    let ctx = stack.ctx.clone();
    let killed = crash_at(&stack, &points, base, || {
        let ctx = ctx.clone();
        async move {
            let _ = sbxy_sync::sync_tenant(&ctx, &tenant(), Deadline::none()).await;
        }
    })
    .await;
    let after = run_until_completed(&stack, 5).await;
    let actual = Snapshot::read(&stack, &links);
    let total_writes = writes(&stack) - base;
    stack.stop().await;

    let figures = Figures {
        runs: points.len() as u64 + after.len() as u64,
        members: actual.members(),
        lost: actual.lost(),
        duplicates: actual.duplicates(),
        retries: 0,
        extra_write_attempts: total_writes.saturating_sub(reference_writes),
        extra: serde_json::from_value(json!({
            "crash_points": points.len(),
            "killed_mid_run": killed,
            "reference_writes": reference_writes,
        }))
        .expect("an object"),
    };
    record("crash_sync", &figures);

    assert_eq!(
        after.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed),
        "{:?}",
        after
            .iter()
            .map(|r| (r.outcome, r.problem.clone()))
            .collect::<Vec<_>>()
    );
    assert!(killed > 0, "no worker was killed mid-run");
    assert_eq!(figures.lost, 0);
    assert_eq!(figures.duplicates, 0);
    assert_eq!(actual, expected, "same final state as an uninterrupted run");
}

/// The demo seed synced once with the write-back's settings, a third of event 1's audience
/// (every third by e-mail, so two stacks pick the same people) attended, the event finished.
async fn ended_stack() -> Stack {
    let stack = Stack::start(
        sbxy_harness::demo_seed().expect("demo seed"),
        options_with(&SHORT_LEASE_AND_LAG),
    )
    .await
    .expect("stack");
    stack
        .connect_tenant(&tenant(), attendance_settings())
        .await
        .expect("connect");
    let synced = run_until_completed(&stack, 3).await;
    assert_eq!(
        synced.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );

    let granted = stack.sim.grants(DEMO_TENANT, EVENT_1);
    let mut users: Vec<(String, String)> = stack
        .sim
        .users(DEMO_TENANT)
        .into_iter()
        .filter(|u| granted.contains(&u.id))
        .map(|u| (u.email.to_lowercase(), u.id))
        .collect();
    users.sort();
    let attended: Vec<String> = users.into_iter().step_by(3).map(|(_, id)| id).collect();
    stack
        .record_attendance(EVENT_1, &attended, true)
        .expect("attendance");
    stack.set_event_state(EVENT_1, "Finished").expect("finish");
    stack
}

/// Checkboxes 1–3 (sync, Show / No Show lists, External Activities) with the demo's names.
fn attendance_settings() -> sbxy_domain::settings::SettingsInput {
    sbxy_domain::settings::SettingsInput {
        attendance_lists_enabled: true,
        external_activities_enabled: true,
        external_activity_extension: Some("STREAMBOXY".into()),
        external_activity_show_type: Some("Show".into()),
        external_activity_no_show_type: Some("NoShow".into()),
        ..crate::state::sync_settings()
    }
}

async fn write_back(stack: &Stack) -> AttendanceOutcome {
    let event = EventId::parse(EVENT_1).expect("event id");
    sbxy_sync::attendance::run_attendance(
        &stack.ctx,
        &tenant(),
        &event,
        AttendanceTrigger::Runner,
        Deadline::none(),
    )
    .await
    .expect("the write-back's bookkeeping works")
    .outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliability_a_write_back_killed_at_random_points_converges() {
    let crashes = if full() { 50 } else { 6 };

    let reference = ended_stack().await;
    let before = writes(&reference);
    assert_eq!(write_back(&reference).await, AttendanceOutcome::Success);
    let reference_writes = writes(&reference) - before;
    let expected = Snapshot::read(&reference, &demo_links());
    reference.stop().await;

    let stack = ended_stack().await;
    let base = writes(&stack);
    let points = kill_points(6, crashes, reference_writes);
    let ctx = stack.ctx.clone();
    let killed = crash_at(&stack, &points, base, || {
        let ctx = ctx.clone();
        async move {
            let event = EventId::parse(EVENT_1).expect("event id");
            let _ = sbxy_sync::attendance::run_attendance(
                &ctx,
                &tenant(),
                &event,
                AttendanceTrigger::Runner,
                Deadline::none(),
            )
            .await;
        }
    })
    .await;
    let mut outcomes = Vec::new();
    for _ in 0..6 {
        let outcome = write_back(&stack).await;
        outcomes.push(outcome);
        if outcome == AttendanceOutcome::Success {
            break;
        }
        tokio::time::sleep(LEASE_EXPIRY).await;
    }
    let actual = Snapshot::read(&stack, &demo_links());
    let total_writes = writes(&stack) - base;
    stack.stop().await;

    let registrants: u64 = actual
        .attendance
        .values()
        .map(|(show, no_show)| (show.len() + no_show.len()) as u64)
        .sum();
    let figures = Figures {
        runs: points.len() as u64 + outcomes.len() as u64,
        members: registrants,
        lost: actual.lost() + expected_missing(&expected, &actual),
        duplicates: actual.duplicates(),
        retries: 0,
        extra_write_attempts: total_writes.saturating_sub(reference_writes),
        extra: serde_json::from_value(json!({
            "crash_points": points.len(),
            "killed_mid_run": killed,
            "reference_writes": reference_writes,
            "activities": actual.activities.len(),
            "outcomes_after_the_kills": format!("{outcomes:?}"),
        }))
        .expect("an object"),
    };
    record("crash_write_back", &figures);

    assert_eq!(
        outcomes.last(),
        Some(&AttendanceOutcome::Success),
        "{outcomes:?}"
    );
    assert!(killed > 0, "no write-back was killed mid-run");
    assert_eq!(
        actual.attendance, expected.attendance,
        "Show / No Show lists differ"
    );
    let missing: Vec<_> = expected
        .activities
        .keys()
        .filter(|k| !actual.activities.contains_key(*k))
        .collect();
    let extra: Vec<_> = actual
        .activities
        .keys()
        .filter(|k| !expected.activities.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "External Activities lost after a crash: {missing:?} (on other prospects: {extra:?})"
    );
    assert_eq!(figures.lost, 0);
    assert_eq!(figures.duplicates, 0);
    assert_eq!(
        actual, expected,
        "same final state as an uninterrupted write-back"
    );
}

/// Show / No Show memberships and activities the reference has and the crashed run lacks.
fn expected_missing(expected: &Snapshot, actual: &Snapshot) -> u64 {
    let mut missing = 0;
    for (list, (show, no_show)) in &expected.attendance {
        let (got_show, got_no_show) = actual.attendance.get(list).cloned().unwrap_or_default();
        missing += show.difference(&got_show).count() as u64;
        missing += no_show.difference(&got_no_show).count() as u64;
    }
    missing
        + expected
            .activities
            .keys()
            .filter(|k| !actual.activities.contains_key(*k))
            .count() as u64
}
