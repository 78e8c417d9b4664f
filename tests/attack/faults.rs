//! Random faults on Pardot and STREAMBOXY at 10 %: runs under faults, then clean runs, must
//! end with every registrable member granted once and linked, one user per e-mail, and the
//! Pardot in-flight cap kept.

use sbxy_e2e::{connected_stack, options_with};
use sbxy_simulators::{FaultConfig, FaultKind, FaultRate};
use sbxy_sync::{Deadline, SyncOutcome};
use serde_json::json;

use crate::util::{
    DEMO_LINKS, EVENT_SUMMIT, membership, pardot_concurrency, prospect, run, run_until_completed,
    seed_pardot, stamp, violations,
};

const FAST: [(&str, &str); 1] = [("HTTP_TIMEOUT_SECS", "1")];

fn ten_percent(seed: u64) -> FaultConfig {
    FaultConfig {
        pardot: Some(FaultRate {
            rate: 0.10,
            seed,
            kinds: vec![
                FaultKind::Http500,
                FaultKind::Drop,
                FaultKind::DropAfter,
                FaultKind::Slow,
            ],
        }),
        streamboxy: Some(FaultRate {
            rate: 0.10,
            seed: seed + 100,
            kinds: vec![
                FaultKind::Http500,
                FaultKind::Drop,
                FaultKind::DropAfter,
                FaultKind::Slow,
                FaultKind::Streamboxy409,
                FaultKind::Streamboxy500,
            ],
        }),
        slow_ms: Some(1500),
        ..FaultConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_random_faults_then_clean_runs_converge() {
    for seed in [7_u64, 4242] {
        let stack = connected_stack(options_with(&FAST)).await.expect("stack");
        stack.sim.set_faults(ten_percent(seed));

        let mut faulty = Vec::new();
        for _ in 0..3 {
            faulty.push(run(&stack, Deadline::none()).await);
        }
        let injected = stack.sim.stats();
        stack.sim.clear_faults();
        let clean = run_until_completed(&stack, 5).await;
        let idle = run(&stack, Deadline::none()).await;

        for (i, r) in faulty.iter().enumerate() {
            println!(
                "seed {seed} faulty run {i}: {:?} problem={:?} counts={:?}",
                r.outcome, r.problem, r.counts
            );
        }
        println!(
            "seed {seed}: faults pardot={:?} streamboxy={:?}; clean runs: {:?}",
            injected.pardot.calls.faults,
            injected.streamboxy.calls.faults,
            clean.iter().map(|r| r.outcome).collect::<Vec<_>>()
        );
        let last = clean.last().expect("a clean run");
        assert_eq!(last.outcome, SyncOutcome::Completed, "{:?}", last.problem);
        let problems = violations(&stack, &DEMO_LINKS);
        assert!(problems.is_empty(), "seed {seed}: {problems:#?}");
        assert_eq!(
            idle.counts.users_created, 0,
            "seed {seed}: idle run created users"
        );
        assert_eq!(idle.counts.grants, 0, "seed {seed}: idle run granted");
        assert_eq!(
            idle.counts.links_written, 0,
            "seed {seed}: idle run wrote links"
        );
        let (peak, violations) = pardot_concurrency(&stack);
        println!("seed {seed}: pardot in-flight peak {peak}, cap violations {violations}");
        assert!(
            peak <= 5,
            "seed {seed}: Pardot saw {peak} requests in flight"
        );
        assert_eq!(violations, 0, "seed {seed}: the in-flight cap was broken");
        stack.stop().await;
    }
}

/// Memberships arrive while a faulty run is going on, some of them rendered with an
/// `updatedAt` up to 60 s in the past (Pardot's documented read lag); after clean runs every
/// one of them must be registered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_memberships_arriving_mid_faulty_run_are_not_passed_by_the_cursor() {
    let stack = connected_stack(options_with(&FAST)).await.expect("stack");
    stack.sim.set_faults(ten_percent(99));

    let ctx = stack.ctx.clone();
    let worker = tokio::spawn(async move {
        sbxy_sync::sync_tenant(&ctx, &sbxy_e2e::tenant(), Deadline::none()).await
    });
    // Feed new members in while the first run works, each batch lagging a little more.
    for batch in 0..6_i64 {
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        let lag = -10 * batch; // 0 .. -50 s
        let at = stamp(lag);
        let mut prospects = Vec::new();
        let mut memberships = Vec::new();
        for i in 0..10_i64 {
            let pid = 80_000 + batch * 100 + i;
            prospects.push(prospect(
                pid,
                Some(&format!("mid{pid}@attack.example")),
                &at,
            ));
            let list = if i % 2 == 0 { 5001 } else { 5002 };
            memberships.push(membership(880_000 + pid, list, pid, &at));
        }
        seed_pardot(&stack, json!([]), json!(prospects), json!(memberships));
    }
    let first = worker.await.expect("joined").expect("run");
    println!("mid-run: first run {:?} {:?}", first.outcome, first.problem);
    let second = run(&stack, Deadline::none()).await;
    println!("mid-run: second (faulty) run {:?}", second.outcome);

    stack.sim.clear_faults();
    let clean = run_until_completed(&stack, 5).await;
    assert_eq!(
        clean.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );
    let problems = violations(&stack, &DEMO_LINKS);
    assert!(problems.is_empty(), "{problems:#?}");
    let _ = EVENT_SUMMIT;
    stack.stop().await;
}
