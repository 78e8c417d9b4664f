//! Faults injected by the Pardot simulator in the middle of a sync: an expired token reported
//! as HTTP 400 (code 184), a 184 that persists right after a refresh, and a burst of code 66.
//! The sync recovers and completes, at the latest on the next run.

use sbxy_domain::status::SyncProblem;
use sbxy_e2e::{connected_stack, final_state, sync, tenant};
use sbxy_harness::StackOptions;
use sbxy_simulators::{FaultConfig, FaultKind, FaultRate};
use sbxy_storage::ConnectionState;
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

#[tokio::test]
async fn a_second_184_after_a_granted_refresh_keeps_the_tenant_connected() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    let exchanges = token_requests(&stack);

    // Every Pardot call answers 184, so the call right after the refresh does too.
    stack.sim.set_faults(FaultConfig {
        pardot: Some(FaultRate {
            rate: 1.0,
            seed: 1,
            kinds: vec![FaultKind::Pardot184],
        }),
        ..FaultConfig::default()
    });
    let rejected = sync(&stack).await.expect("run");
    stack.sim.clear_faults();

    assert_eq!(rejected.outcome, SyncOutcome::Stopped, "{rejected:?}");
    assert!(
        matches!(rejected.problem, Some(SyncProblem::Transient { .. })),
        "{:?}",
        rejected.problem
    );
    assert_eq!(
        token_requests(&stack) - exchanges,
        1,
        "one refresh, granted"
    );
    let record = stack
        .ctx
        .store
        .tenant(&tenant())
        .await
        .expect("store")
        .expect("tenant");
    assert_eq!(record.connection.state, ConnectionState::Connected);
    assert!(record.is_syncable(), "the tenant stays in the sync index");

    let next = sync(&stack).await.expect("run");

    assert_eq!(next.outcome, SyncOutcome::Completed, "{:?}", next.problem);
    assert_eq!(next.problem, None);
    assert_eq!(next.counts.failed, 0);
    final_state(&stack);
    stack.stop().await;
}
