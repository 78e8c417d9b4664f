//! A sync killed halfway (its task dropped at an arbitrary await, like a crashed Lambda that
//! never releases its lease) and run again ends in the same state as an uninterrupted run:
//! each member registered once, each link in place.

use std::time::Duration;

use sbxy_e2e::{connected_stack, final_state, options_with, pardot_calls_to, sync, tenant};
use sbxy_sync::{Deadline, SyncOutcome};

const LEASE: [(&str, &str); 1] = [("LEASE_TTL_SECS", "1")];

#[tokio::test]
async fn a_sync_killed_halfway_and_run_again_converges() {
    let reference = connected_stack(options_with(&LEASE))
        .await
        .expect("reference stack");
    sync(&reference).await.expect("uninterrupted run");
    let expected = final_state(&reference);
    reference.stop().await;

    let stack = connected_stack(options_with(&LEASE)).await.expect("stack");
    for kill_after_writes in [60_u64, 250, 420] {
        let ctx = stack.ctx.clone();
        let worker =
            tokio::spawn(
                async move { sbxy_sync::sync_tenant(&ctx, &tenant(), Deadline::none()).await },
            );
        while pardot_calls_to(&stack, "PATCH /api/v5/objects/prospects") < kill_after_writes
            && !worker.is_finished()
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        worker.abort();
        let _ = worker.await;
        // The killed worker never released its lease; wait until it expires.
        tokio::time::sleep(Duration::from_millis(2100)).await;
    }

    let report = sync(&stack).await.expect("final run");
    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    let actual = final_state(&stack);
    assert_eq!(actual, expected, "same final state as an uninterrupted run");

    let links = actual.link_events.values().filter(|l| l.is_some()).count() as u64;
    let writes = pardot_calls_to(&stack, "PATCH /api/v5/objects/prospects");
    println!(
        "interrupted sync: {links} prospects linked with {writes} writes; {} write attempts beyond \
         one per linked prospect (overlapping lists are written once per list)",
        writes.saturating_sub(links)
    );
    stack.stop().await;
}
