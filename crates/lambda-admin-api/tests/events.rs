//! Feeds events/oauth-callback.json and events/settings-put.json, API Gateway v2 payloads as
//! the HTTP API delivers them, through `lambda_http`'s decoding to the admin API's router, the
//! same path the Lambda takes, against moto and the simulators.
//!
//! The samples carry a placeholder `code` and `state` and a token of a local sample key; each
//! test swaps in live ones from the running stack before feeding the payload.

use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::PardotEnvironment;
use sbxy_harness::{Consent, DEMO_TENANT, Stack, StackOptions};
use sbxy_http_api::ApiState;
use sbxy_sync::config::AdminApiConfig;
use serde_json::Value;
use tower::ServiceExt;

fn sample(text: &str) -> Value {
    serde_json::from_str(text).expect("the sample is JSON")
}

fn tenant() -> TenantId {
    TenantId::parse(DEMO_TENANT).expect("the demo tenant id is valid")
}

/// Runs an API Gateway v2 payload through `lambda_http` and the admin API's router, as the
/// Lambda does: the status, the `Location` header and the body.
async fn invoke(stack: &Stack, payload: &Value) -> anyhow::Result<(u16, String, String)> {
    let admin = AdminApiConfig::from_lookup(|name| stack.env.get(name).cloned())?;
    let state = ApiState::from_config(stack.ctx.clone(), &admin).await?;
    let request = lambda_http::request::from_str(&payload.to_string())?;

    let response = sbxy_http_api::router(state).oneshot(request).await?;

    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
    Ok((
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    ))
}

#[tokio::test]
async fn the_oauth_callback_payload_connects_the_tenant() -> anyhow::Result<()> {
    let stack = Stack::start(sbxy_harness::demo_seed()?, StackOptions::default()).await?;
    let authorize_url = stack
        .start_connect(&tenant(), PardotEnvironment::Production)
        .await?;
    let callback_url = stack.consent(&authorize_url, Consent::Allow).await?;
    let query = callback_url.query().unwrap_or_default().to_owned();
    let mut payload = sample(include_str!("../../../events/oauth-callback.json"));
    payload["rawQueryString"] = Value::from(query);
    for (name, value) in callback_url.query_pairs() {
        payload["queryStringParameters"][name.as_ref()] = Value::from(value.as_ref());
    }

    let (status, location, body) = invoke(&stack, &payload).await?;

    assert_eq!(status, 303, "{body}");
    assert!(location.contains("outcome=connected"), "{location}");
    let record = stack
        .ctx
        .store
        .tenant(&tenant())
        .await?
        .expect("the tenant exists");
    assert_eq!(
        record.connection.state,
        sbxy_storage::ConnectionState::Connected
    );
    stack.stop().await;
    Ok(())
}

#[tokio::test]
async fn the_sample_callback_with_its_placeholder_state_is_refused() -> anyhow::Result<()> {
    let stack = Stack::start(sbxy_harness::demo_seed()?, StackOptions::default()).await?;
    let payload = sample(include_str!("../../../events/oauth-callback.json"));

    let (status, location, _) = invoke(&stack, &payload).await?;

    assert!((400..500).contains(&status), "{status}");
    assert!(!location.contains("outcome=connected"), "{location}");
    assert!(
        stack
            .ctx
            .store
            .tenant(&tenant())
            .await?
            .is_none_or(|t| { t.connection.state != sbxy_storage::ConnectionState::Connected })
    );
    stack.stop().await;
    Ok(())
}

#[tokio::test]
async fn the_settings_put_payload_saves_the_settings() -> anyhow::Result<()> {
    let stack = sbxy_e2e::connected_stack(StackOptions::default()).await?;
    let mut payload = sample(include_str!("../../../events/settings-put.json"));
    payload["headers"]["authorization"] =
        Value::from(format!("Bearer {}", stack.admin_token(&tenant())));

    let (status, _, body) = invoke(&stack, &payload).await?;

    assert_eq!(status, 200, "{body}");
    let record = stack
        .ctx
        .store
        .tenant(&tenant())
        .await?
        .expect("the tenant exists");
    let settings = record.settings.expect("settings were saved");
    assert!(settings.sync_enabled);
    assert!(settings.attendance_lists_enabled);
    stack.stop().await;
    Ok(())
}

#[tokio::test]
async fn the_settings_put_sample_token_is_refused_by_this_stacks_key() -> anyhow::Result<()> {
    let stack = sbxy_e2e::connected_stack(StackOptions::default()).await?;
    let payload = sample(include_str!("../../../events/settings-put.json"));

    let (status, _, body) = invoke(&stack, &payload).await?;

    assert_eq!(status, 401, "{body}");
    stack.stop().await;
    Ok(())
}
