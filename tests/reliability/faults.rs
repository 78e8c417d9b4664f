//! Scenario 1: a sync under 10 % random faults on Pardot and STREAMBOXY (5xx, slow answers
//! past the client timeout, dropped connections before and after processing, code 66,
//! STREAMBOXY 409 and 500), plus a burst of code 66 and a code 184 in the middle of the run,
//! must end in the same state as a fault-free run of the same seed.

use sbxy_simulators::{FaultConfig, FaultKind, FaultRate};
use sbxy_sync::SyncOutcome;
use serde_json::json;

use crate::results::{Figures, full, record};
use crate::state::{
    Snapshot, calls, generated_stack, pardot_concurrency, retries, run, run_until_completed, writes,
};

/// Slow answers take 1.5 s; the client gives up after 1 s.
const FAST_TIMEOUT: [(&str, &str); 1] = [("HTTP_TIMEOUT_SECS", "1")];

fn ten_percent(seed: u64) -> FaultConfig {
    let common = [
        FaultKind::Http500,
        FaultKind::Slow,
        FaultKind::Drop,
        FaultKind::DropAfter,
    ];
    let mut pardot = common.to_vec();
    // Code 184 comes once, mid-run (`pardot_184_after`): as a random kind it invalidates every
    // live token, and a second 184 within one call is taken for a dead connection (see
    // docs/reliability.md, findings).
    pardot.push(FaultKind::Pardot66);
    let mut streamboxy = common.to_vec();
    streamboxy.extend([FaultKind::Streamboxy409, FaultKind::Streamboxy500]);
    FaultConfig {
        pardot: Some(FaultRate {
            rate: 0.10,
            seed,
            kinds: pardot,
        }),
        streamboxy: Some(FaultRate {
            rate: 0.10,
            seed: seed + 1,
            kinds: streamboxy,
        }),
        slow_ms: Some(1500),
        pardot_66_burst: Some(5),
        pardot_184_after: Some(40),
        ..FaultConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliability_faults_at_ten_percent_lose_and_duplicate_nothing() {
    let members = if full() { 2_000 } else { 200 };

    // The fault-free reference: its writes are one per member and step.
    let (reference, links) = generated_stack(members, &FAST_TIMEOUT).await;
    let clean = run_until_completed(&reference, 3).await;
    assert_eq!(
        clean.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );
    let expected = Snapshot::read(&reference, &links);
    let (reference_writes, reference_calls) = (writes(&reference), calls(&reference));
    reference.stop().await;

    // The same seed under faults, run until a run completes with the faults still on.
    let (stack, links) = generated_stack(members, &FAST_TIMEOUT).await;
    stack.sim.set_faults(ten_percent(6));
    let reports = run_until_completed(&stack, 20).await;
    for (i, r) in reports.iter().enumerate() {
        println!(
            "faulty run {i}: {:?} {:?} {:?}",
            r.outcome, r.problem, r.counts
        );
    }
    assert_eq!(
        reports.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed),
        "no run completed under 10 % faults"
    );
    let injected = retries(&stack);
    let (faulty_writes, faulty_calls) = (writes(&stack), calls(&stack));

    // The completed run left nothing behind the cursor: a clean run finds nothing to do.
    stack.sim.clear_faults();
    let idle = run(&stack).await;
    let actual = Snapshot::read(&stack, &links);
    let (peak, cap_violations) = pardot_concurrency(&stack);
    stack.stop().await;

    let figures = Figures {
        runs: reports.len() as u64 + 1,
        members: actual.members(),
        lost: actual.lost(),
        duplicates: actual.duplicates(),
        retries: injected,
        extra_write_attempts: faulty_writes.saturating_sub(reference_writes),
        extra: serde_json::from_value(json!({
            "fault_rate": 0.10,
            "calls": faulty_calls,
            "reference_calls": reference_calls,
            "pardot_max_in_flight": peak,
            "cap_violations": cap_violations,
        }))
        .expect("an object"),
    };
    record("faults", &figures);

    assert_eq!(figures.lost, 0, "members lost under faults");
    assert_eq!(figures.duplicates, 0, "duplicates under faults");
    assert_eq!(actual, expected, "same final state as a fault-free run");
    assert_eq!(idle.counts.grants, 0, "the cursor passed unfinished work");
    assert_eq!(
        idle.counts.users_created, 0,
        "the cursor passed unfinished work"
    );
    assert_eq!(
        idle.counts.links_written, 0,
        "the cursor passed unfinished work"
    );
    assert!(
        faulty_calls <= 3 * reference_calls,
        "retries are unbounded: {faulty_calls} calls against {reference_calls} without faults"
    );
    assert_eq!(cap_violations, 0);
    assert!(peak <= 5, "Pardot saw {peak} requests in flight");
}
