//! Feeds events/schedule-tick.json, the payload EventBridge's schedule delivers every minute,
//! to the poller's handler against moto and the simulators, with the demo tenant connected.

use sbxy_harness::{DEMO_TENANT, StackOptions};
use sbxy_sync::poller::buckets_of_slot;
use serde_json::Value;

fn schedule_tick() -> Value {
    let text = include_str!("../../../events/schedule-tick.json");
    serde_json::from_str(text).expect("events/schedule-tick.json is JSON")
}

#[tokio::test]
async fn the_schedule_tick_fans_out_the_tenants_of_its_slot() -> anyhow::Result<()> {
    let stack = sbxy_e2e::connected_stack(StackOptions::default()).await?;
    let tick = schedule_tick();
    let slot = lambda_list_poller::slot_of(&tick);
    // The sample's minute was chosen so the demo tenant's bucket is in its slot.
    assert!(buckets_of_slot(slot).contains(&sbxy_storage::sync_bucket(DEMO_TENANT)));

    let report = lambda_list_poller::handle(&stack.ctx, &tick).await?;

    assert_eq!(report.buckets, buckets_of_slot(slot));
    let tenants: Vec<&str> = report.jobs.iter().map(|j| j.tenant_id.as_str()).collect();
    assert_eq!(tenants, [DEMO_TENANT]);
    assert_eq!(report.refused, 0);
    stack.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_tick_of_another_slot_leaves_the_tenant_alone() -> anyhow::Result<()> {
    let stack = sbxy_e2e::connected_stack(StackOptions::default()).await?;
    let mut tick = schedule_tick();
    tick["time"] = Value::from("2026-12-04T17:08:00Z");

    let report = lambda_list_poller::handle(&stack.ctx, &tick).await?;

    assert_eq!(report.buckets, buckets_of_slot(3));
    assert!(report.jobs.is_empty(), "{:?}", report.jobs);
    stack.stop().await;
    Ok(())
}
