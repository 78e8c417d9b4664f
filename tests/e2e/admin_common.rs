//! Shared steps of the admin API tests: a stack with the demo seed (optionally changed), the
//! demo settings, and the checks that a tenant is, or is not, connected.

use reqwest::Method;
use sbxy_domain::settings::SettingsInput;
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, Stack, StackOptions};
use sbxy_simulators::Seed;
use serde_json::Value;

use sbxy_e2e::tenant;

/// A stack with the demo seed after `change`, nobody connected yet.
pub(crate) async fn stack_with(change: impl FnOnce(&mut Seed)) -> Stack {
    let mut seed = sbxy_harness::demo_seed().expect("the demo seed loads");
    change(&mut seed);
    Stack::start(seed, StackOptions::default())
        .await
        .expect("stack")
}

/// A stack with the demo seed, nobody connected yet.
pub(crate) async fn stack() -> Stack {
    stack_with(|_| {}).await
}

/// The demo tenant's settings: sync on, the demo business unit and link field.
pub(crate) fn demo_settings() -> SettingsInput {
    SettingsInput {
        sync_enabled: true,
        business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
        link_field: Some(DEMO_LINK_FIELD.into()),
        ..SettingsInput::default()
    }
}

/// The demo tenant's status, through the API.
pub(crate) async fn status(stack: &Stack) -> Value {
    let tenant = tenant();
    let (code, body) = stack
        .admin_call(
            Method::GET,
            &tenant,
            &format!("/tenants/{tenant}/pardot/status"),
        )
        .await
        .expect("status call");
    assert_eq!(code, reqwest::StatusCode::OK, "{body}");
    body
}

/// The demo tenant is not connected: the status says so and no tokens are stored.
pub(crate) async fn assert_not_connected(stack: &Stack) {
    let status = status(stack).await;
    assert_eq!(status["connection"]["state"], "not_connected", "{status}");

    let tokens = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant())
        .await
        .expect("secrets readable");
    assert!(tokens.is_none(), "no tokens may be stored");
}

/// The query value `key` of a URL.
pub(crate) fn query(url: &url::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// The simulator's refresh tokens as `(token, status)`.
pub(crate) fn refresh_tokens(stack: &Stack) -> Vec<(String, String)> {
    let state = stack.sim.salesforce_state();
    state["refresh_tokens"]
        .as_array()
        .map(|tokens| {
            tokens
                .iter()
                .map(|t| {
                    (
                        t["token"].as_str().unwrap_or_default().to_owned(),
                        t["status"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Token endpoint calls the Salesforce simulator answered.
pub(crate) fn token_calls(stack: &Stack) -> u64 {
    stack.sim.stats().oauth.calls("POST /services/oauth2/token")
}
