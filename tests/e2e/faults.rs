//! Faults injected by the Pardot simulator in the middle of a sync: an expired token reported
//! as HTTP 400 (code 184), and a burst of code 66. The sync recovers and completes.

use sbxy_e2e::{connected_stack, final_state, sync};
use sbxy_harness::StackOptions;
use sbxy_simulators::FaultConfig;
use sbxy_sync::SyncOutcome;

fn token_requests(stack: &sbxy_harness::Stack) -> u64 {
    stack.sim.stats().oauth.calls("POST /services/oauth2/token")
}

#[tokio::test]
async fn code_184_as_http_400_mid_sync_refreshes_once_and_the_sync_goes_on() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    let exchanges = token_requests(&stack);
    stack.sim.set_faults(FaultConfig {
        pardot_184_after: Some(200),
        ..FaultConfig::default()
    });

    let report = sync(&stack).await.expect("run");

    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    assert_eq!(token_requests(&stack) - exchanges, 1, "exactly one refresh");
    assert_eq!(report.counts.failed, 0);
    assert_eq!(
        report.counts.registered + report.counts.skipped_total(),
        report.counts.memberships
    );
    final_state(&stack);
    stack.stop().await;
}

#[tokio::test]
async fn a_burst_of_code_66_is_retried_and_the_sync_completes() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    stack.sim.set_faults(FaultConfig {
        pardot_66_burst: Some(6),
        ..FaultConfig::default()
    });

    let report = sync(&stack).await.expect("run");

    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    let answered_66: u64 = stack.sim.stats().pardot.calls.total_with_status("429");
    assert!(
        answered_66 >= 6,
        "the simulator answered the burst ({answered_66})"
    );
    assert_eq!(report.counts.failed, 0);
    final_state(&stack);
    stack.stop().await;
}
