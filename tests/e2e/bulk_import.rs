//! The bulk path (`PARDOT_BULK_IMPORT=on`): a large page's links go through one Pardot import
//! instead of one PATCH each, the outcome is the same as on the direct path, and a run that
//! meets failing Pardot calls (imports included) still converges.

use sbxy_e2e::{connected_stack, final_state, options_with, pardot_calls_to, sync};
use sbxy_simulators::{FaultConfig, FaultKind, FaultRate};
use sbxy_sync::SyncOutcome;

#[tokio::test]
async fn a_large_page_writes_its_links_with_one_import_and_ends_like_the_direct_path() {
    let direct = connected_stack(options_with(&[])).await.expect("stack");
    sync(&direct).await.expect("direct run");
    let expected = final_state(&direct);
    direct.stop().await;
    let stack = connected_stack(options_with(&[("PARDOT_BULK_IMPORT", "on")]))
        .await
        .expect("stack");

    let report = sync(&stack).await.expect("run");

    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    assert_eq!(report.counts.failed, 0);
    // "SBXYPardotTest" (520 members, one page) crosses the default threshold of 100; the
    // 50 members of "SBXY Partner Summit" stay below it and are PATCHed.
    assert_eq!(pardot_calls_to(&stack, "POST /api/v5/imports"), 1);
    let patches = pardot_calls_to(&stack, "PATCH /api/v5/objects/prospects");
    assert!(patches <= 50, "{patches} PATCHes");
    assert!(report.counts.links_written > 500, "{:?}", report.counts);
    assert_eq!(final_state(&stack), expected);

    let before = stack.pardot_calls();
    let second = sync(&stack).await.expect("second run");
    assert_eq!(second.outcome, SyncOutcome::Completed);
    assert_eq!(second.counts.links_written, 0);
    assert_eq!(stack.pardot_calls() - before, 1, "nothing left to write");
    stack.stop().await;
}

#[tokio::test]
async fn failing_pardot_calls_during_bulk_runs_still_converge() {
    let stack = connected_stack(options_with(&[
        ("PARDOT_BULK_IMPORT", "on"),
        ("PARDOT_BULK_THRESHOLD", "1"),
        ("PARDOT_PAGE_SIZE", "200"),
        ("PARDOT_MAX_RETRIES", "0"),
    ]))
    .await
    .expect("stack");
    stack.sim.set_faults(FaultConfig {
        pardot: Some(FaultRate {
            rate: 0.05,
            seed: 7,
            kinds: vec![FaultKind::Http500],
        }),
        ..FaultConfig::default()
    });

    let mut completed = false;
    for _ in 0..15 {
        let report = sync(&stack).await.expect("run");
        if report.outcome == SyncOutcome::Completed && report.counts.failed == 0 {
            completed = true;
            break;
        }
    }
    stack.sim.clear_faults();
    let report = sync(&stack).await.expect("final run");

    assert!(completed, "no run completed under 5 % Pardot 500s");
    assert_eq!(report.outcome, SyncOutcome::Completed);
    assert!(pardot_calls_to(&stack, "POST /api/v5/imports") >= 1);
    final_state(&stack);
    stack.stop().await;
}
