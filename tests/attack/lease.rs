//! Two runs of one tenant at once: the business-unit lease must let exactly one work, and the
//! Pardot in-flight cap must hold; a lease that expires under a slow run must not let two
//! workers duplicate anything.

use sbxy_e2e::{connected_stack, options_with};
use sbxy_harness::StackOptions;
use sbxy_simulators::{FaultConfig, LatencyOverride};
use sbxy_sync::{Deadline, SyncOutcome};

use crate::util::{DEMO_LINKS, pardot_concurrency, run, run_until_completed, violations};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_two_runs_at_once_one_is_busy() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");

    let (a, b) = tokio::join!(run(&stack, Deadline::none()), run(&stack, Deadline::none()));
    println!("concurrent: {:?} / {:?}", a.outcome, b.outcome);
    let outcomes = [a.outcome, b.outcome];
    assert!(outcomes.contains(&SyncOutcome::Busy), "{outcomes:?}");
    assert!(outcomes.contains(&SyncOutcome::Completed), "{outcomes:?}");

    let problems = violations(&stack, &DEMO_LINKS);
    assert!(problems.is_empty(), "{problems:#?}");
    let (peak, cap) = pardot_concurrency(&stack);
    println!("pardot in-flight peak {peak}, cap violations {cap}");
    assert!(peak <= 4, "peak {peak}");
    assert_eq!(cap, 0);

    let tenant = stack
        .ctx
        .store
        .tenant(&sbxy_e2e::tenant())
        .await
        .expect("read")
        .expect("tenant");
    println!(
        "status after concurrent runs: counts={:?} problem={:?}",
        tenant.status.last_counts, tenant.status.problem
    );
    stack.stop().await;
}

/// A slow run outlives its 1 s lease; a second run takes the lease and works the same business
/// unit at the same time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_a_renewed_lease_keeps_a_second_worker_out_of_a_slow_run() {
    // A short lease, renewed after every page: pages of 50 take well under the lease's 3 s.
    let stack = connected_stack(options_with(&[
        ("LEASE_TTL_SECS", "3"),
        ("PARDOT_PAGE_SIZE", "50"),
    ]))
    .await
    .expect("stack");
    stack.sim.set_faults(FaultConfig {
        latency_ms: Some(LatencyOverride {
            oauth: None,
            pardot: Some(40),
            streamboxy: Some(20),
        }),
        ..FaultConfig::default()
    });

    let ctx = stack.ctx.clone();
    let first = tokio::spawn(async move {
        sbxy_sync::sync_tenant(&ctx, &sbxy_e2e::tenant(), Deadline::none()).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let second = run(&stack, Deadline::none()).await;
    let first = first.await.expect("joined").expect("run");
    println!(
        "lease overlap: first {:?} {:?}, second {:?} {:?}",
        first.outcome, first.counts, second.outcome, second.counts
    );
    stack.sim.clear_faults();
    let clean = run_until_completed(&stack, 3).await;
    assert_eq!(
        clean.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );
    let problems = violations(&stack, &DEMO_LINKS);
    assert!(problems.is_empty(), "{problems:#?}");
    let (peak, cap) = pardot_concurrency(&stack);
    println!("lease overlap: pardot in-flight peak {peak}, cap violations {cap}");
    assert!(
        second.outcome == SyncOutcome::Busy,
        "a second worker ran while the first still worked (lease not renewed): {:?}",
        second.outcome
    );
    stack.stop().await;
}
