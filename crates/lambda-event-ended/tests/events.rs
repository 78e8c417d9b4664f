//! Feeds events/webhook-event-state.json, API Gateway's v2 payload of the Backstage's signed
//! webhook, through `lambda_http`'s own conversion into the router this Lambda runs, against
//! moto and the simulators. The sample's stale signature is refused; signed afresh, it hands
//! event 1's write-back off, which then runs.

use chrono::Utc;
use sbxy_domain::Secret;
use sbxy_domain::webhook::sign;
use sbxy_harness::{DEMO_TENANT, Stack, StackOptions, attendance_settings};
use sbxy_http_api::{WebhookConfig, WebhookState, webhook_router};
use serde_json::Value;
use tower::ServiceExt;

const EVENT_1: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";
/// The key the sample was signed with (events/README.md); it opens nothing real.
const SAMPLE_KEY: &str = "local-webhook-secret-for-samples-only";

fn sample() -> Value {
    let text = include_str!("../../../events/webhook-event-state.json");
    serde_json::from_str(text).expect("events/webhook-event-state.json is JSON")
}

/// Sends an API Gateway v2 event through the Lambda's router; returns status and body.
async fn invoke(stack: &Stack, event: &Value) -> anyhow::Result<(u16, Value)> {
    let request = lambda_http::request::from_str(&event.to_string())?;
    let state = WebhookState::new(stack.ctx.clone(), WebhookConfig::default());

    let response = webhook_router(state).oneshot(request).await?;
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    ))
}

#[tokio::test]
async fn the_api_gateway_event_hands_the_write_back_off_once_signed_afresh() -> anyhow::Result<()> {
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

    // The sample key is a second key of the secret, as during a rotation.
    let name = stack
        .ctx
        .secrets
        .name(&WebhookConfig::default().secret_name);
    let keys = format!("{}\n{SAMPLE_KEY}\n", stack.webhook_secret.expose());
    stack.ctx.secrets.put(&name, &Secret::new(keys)).await?;

    let mut event = sample();
    let (stale_status, stale) = invoke(&stack, &event).await?;

    let body = event["body"].as_str().unwrap_or_default().to_owned();
    let timestamp = Utc::now().timestamp().to_string();
    let signature = sign(&stack.webhook_secret, &timestamp, body.as_bytes());
    event["headers"]["x-streamboxy-timestamp"] = Value::String(timestamp);
    event["headers"]["x-streamboxy-signature"] = Value::String(signature);
    let (status, accepted) = invoke(&stack, &event).await?;
    stack.attendance.settle().await;
    let reports = stack.attendance.take_reports();

    assert_eq!(stale_status, 401, "{stale}");
    assert!(
        stale["detail"]
            .as_str()
            .is_some_and(|d| d.contains("s ago")),
        "{stale}"
    );
    assert_eq!(status, 202, "{accepted}");
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert_eq!(reports[0].event_id, EVENT_1);
    assert_eq!(stack.processing_state(EVENT_1).as_deref(), Some("Success"));
    stack.stop().await;
    Ok(())
}
