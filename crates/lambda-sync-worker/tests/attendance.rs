//! Feeds events/attendance-requested.json, the write-back job EventBridge delivers, to the
//! worker's handler against moto and the simulators: the demo tenant synced with Show / No
//! Show on, and event 1 ended with a third of its audience attended.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lambda_runtime::{Context, LambdaEvent};
use sbxy_harness::{DEMO_TENANT, Stack, StackOptions, attendance_settings};
use serde_json::Value;

const EVENT_1: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";

fn job_event() -> Value {
    let text = include_str!("../../../events/attendance-requested.json");
    serde_json::from_str(text).expect("events/attendance-requested.json is JSON")
}

fn invocation(payload: Value) -> LambdaEvent<Value> {
    let mut context = Context::default();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970");
    let deadline = now + Duration::from_secs(300);
    context.deadline = u64::try_from(deadline.as_millis()).expect("fits in u64");
    LambdaEvent::new(payload, context)
}

#[tokio::test]
async fn the_job_event_writes_show_and_no_show_back() -> anyhow::Result<()> {
    let stack = Stack::start(sbxy_harness::demo_seed()?, StackOptions::default()).await?;
    stack
        .connect_tenant(&sbxy_e2e::tenant(), attendance_settings())
        .await?;
    sbxy_e2e::sync(&stack).await?;
    let attended: Vec<String> = stack
        .sim
        .grants(DEMO_TENANT, EVENT_1)
        .into_iter()
        .step_by(3)
        .collect();
    stack.record_attendance(EVENT_1, &attended, true)?;
    stack.set_event_state(EVENT_1, "Finished")?;
    let event = job_event();
    assert_eq!(event["detail"]["eventId"], EVENT_1);

    let report = lambda_sync_worker::handle(&stack.ctx, invocation(event))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    assert_eq!(report["outcome"], "success", "{report:#}");
    assert_eq!(report["trigger"], "webhook");
    let counts = &report["counts"];
    assert_eq!(
        counts["show"].as_u64().unwrap_or(0) + counts["no_show"].as_u64().unwrap_or(0),
        counts["registrants"].as_u64().unwrap_or(u64::MAX),
        "{report:#}"
    );
    assert_eq!(stack.processing_state(EVENT_1).as_deref(), Some("Success"));
    stack.stop().await;
    Ok(())
}

#[tokio::test]
async fn a_job_without_ids_is_refused_by_name() -> anyhow::Result<()> {
    let stack = Stack::start(sbxy_harness::demo_seed()?, StackOptions::default()).await?;
    let mut event = job_event();
    event["detail"] = serde_json::json!({ "tenantId": DEMO_TENANT });

    let err = lambda_sync_worker::handle(&stack.ctx, invocation(event))
        .await
        .expect_err("no event id");

    assert!(err.to_string().contains("AttendanceRequested"), "{err}");
    stack.stop().await;
    Ok(())
}
