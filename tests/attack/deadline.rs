//! Runs cut short by a tiny deadline, repeated: each run must end, and the runs together must
//! converge on the same final state as one uninterrupted run.

use std::time::{Duration, Instant};

use sbxy_e2e::connected_stack;
use sbxy_harness::StackOptions;
use sbxy_sync::{Deadline, SyncOutcome};

use crate::util::{DEMO_LINKS, run, violations};

async fn converge(
    budget: Duration,
    max_runs: usize,
) -> (usize, Vec<String>, Vec<SyncOutcome>, usize) {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    let mut outcomes = Vec::new();
    let mut runs = 0;
    let started = Instant::now();
    while runs < max_runs {
        runs += 1;
        let report = run(&stack, Deadline::after(budget)).await;
        if runs <= 3 || runs % 20 == 0 {
            println!(
                "budget {budget:?} run {runs}: {:?} registered={} failed={} pardot={} sbxy={}",
                report.outcome,
                report.counts.registered,
                report.counts.failed,
                report.pardot_calls,
                report.streamboxy_calls
            );
        }
        outcomes.push(report.outcome);
        if report.outcome == SyncOutcome::Completed {
            break;
        }
    }
    println!(
        "budget {budget:?}: {runs} runs in {:?}, last {:?}",
        started.elapsed(),
        outcomes.last()
    );
    let problems = violations(&stack, &DEMO_LINKS);
    // The demo seed holds 3 STREAMBOXY users before any run.
    let users = stack.sim.users(sbxy_harness::DEMO_TENANT).len() - 3;
    stack.stop().await;
    (runs, problems, outcomes, users)
}

#[tokio::test]
async fn attack_short_deadlines_converge() {
    // Shorter budgets than a run's fixed cost still progress (the next test), just slowly.
    for budget in [Duration::from_millis(1500)] {
        let (runs, problems, outcomes, _) = converge(budget, 120).await;
        assert_eq!(
            outcomes.last(),
            Some(&SyncOutcome::Completed),
            "budget {budget:?}: not done after {runs} runs"
        );
        assert!(problems.is_empty(), "budget {budget:?}: {problems:#?}");
    }
}

/// A budget shorter than a run's fixed cost (event listing, lease, first page) still has to
/// make some progress per run, or a mis-sized Lambda timeout never syncs anything.
#[tokio::test]
async fn attack_tiny_deadline_makes_progress() {
    let (runs, problems, outcomes, users) = converge(Duration::from_millis(30), 25).await;
    println!(
        "30 ms budget: {runs} runs, outcomes {outcomes:?}, {users} users created, {} problems left",
        problems.len()
    );
    assert!(
        users > 0,
        "{runs} runs with a 30 ms budget registered nobody"
    );
}
