//! Feeds events/tenant-sync-requested.json, the fan-out event the EventBridge rule delivers, to
//! the worker's handler against moto and the simulators, with the demo tenant connected.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_runtime::{Context, LambdaEvent};
use sbxy_harness::{DEMO_TENANT, StackOptions};
use serde_json::Value;

fn fan_out_event() -> Value {
    let text = include_str!("../../../events/tenant-sync-requested.json");
    serde_json::from_str(text).expect("events/tenant-sync-requested.json is JSON")
}

/// An invocation of `payload` with `budget` left before the Lambda deadline.
fn invocation(payload: Value, budget: Duration) -> LambdaEvent<Value> {
    let mut context = Context::default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    context.deadline = u64::try_from((now + budget).as_millis()).expect("fits in u64");
    LambdaEvent::new(payload, context)
}

#[tokio::test]
async fn the_fan_out_event_runs_the_tenants_sync() -> anyhow::Result<()> {
    let stack = sbxy_e2e::connected_stack(StackOptions::default()).await?;
    let event = fan_out_event();
    assert_eq!(event["detail"]["tenantId"], DEMO_TENANT);

    let report =
        lambda_sync_worker::handle(&stack.ctx, invocation(event, Duration::from_secs(300)))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;

    assert_eq!(report["tenant_id"], DEMO_TENANT);
    assert_eq!(report["outcome"], "completed", "{report:#}");
    assert!(
        report["counts"]["registered"].as_u64() > Some(0),
        "{report:#}"
    );
    stack.stop().await;
    Ok(())
}

#[tokio::test]
async fn an_event_without_a_tenant_is_refused_by_name() -> anyhow::Result<()> {
    let stack = sbxy_e2e::connected_stack(StackOptions::default()).await?;
    let mut event = fan_out_event();
    event["detail"] = serde_json::json!({});

    let err = lambda_sync_worker::handle(&stack.ctx, invocation(event, Duration::from_secs(60)))
        .await
        .expect_err("no tenant");

    assert!(err.to_string().contains("TenantSyncRequested"), "{err}");
    stack.stop().await;
    Ok(())
}
