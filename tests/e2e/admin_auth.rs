//! The admin token over real HTTP: another tenant's token is forbidden (403); `alg: none`, a
//! wrong key and an expired token are not authenticated (401). Nothing is changed by them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use sbxy_domain::admin_token::{AdminClaims, TENANT_ADMIN_ROLE, sign_hs256};
use sbxy_e2e::tenant;
use sbxy_harness::Stack;

use crate::admin_common::{assert_not_connected, stack};

fn claims(tenant: &str, exp_from_now: i64) -> AdminClaims {
    AdminClaims {
        tenant_id: tenant.into(),
        role: vec![TENANT_ADMIN_ROLE.into()],
        exp: chrono::Utc::now().timestamp() + exp_from_now,
        nbf: None,
        sub: Some("intruder".into()),
    }
}

/// The status of `POST …/connect` and `GET …/status` of the demo tenant with `token`.
async fn statuses(stack: &Stack, token: &str) -> [StatusCode; 2] {
    let tenant = tenant();
    let connect = stack
        .http
        .post(stack.api(&format!("/tenants/{tenant}/pardot/connect")))
        .bearer_auth(token)
        .json(&serde_json::json!({ "environment": "production" }))
        .send()
        .await
        .expect("connect");
    let status = stack
        .http
        .get(stack.api(&format!("/tenants/{tenant}/pardot/status")))
        .bearer_auth(token)
        .send()
        .await
        .expect("status");
    [connect.status(), status.status()]
}

#[tokio::test]
async fn tokens_of_other_tenants_and_bad_tokens_are_refused() {
    let stack = stack().await;
    let key = stack.env["ADMIN_JWT_SECRET"].clone();

    let other_tenant = sign_hs256(&claims("another-tenant", 600), key.as_bytes());
    let wrong_key = sign_hs256(
        &claims(tenant().as_str(), 600),
        b"a-key-the-service-does-not-have",
    );
    let expired = sign_hs256(&claims(tenant().as_str(), -600), key.as_bytes());
    let payload = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&claims(tenant().as_str(), 600)).expect("claims"));
    let alg_none = format!(
        "{}.{payload}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#)
    );

    assert_eq!(
        statuses(&stack, &other_tenant).await,
        [StatusCode::FORBIDDEN; 2]
    );
    for token in [&wrong_key, &expired, &alg_none] {
        assert_eq!(statuses(&stack, token).await, [StatusCode::UNAUTHORIZED; 2]);
    }
    assert!(
        stack
            .ctx
            .store
            .tenant(&tenant())
            .await
            .expect("read")
            .is_none(),
        "no refused request created the tenant"
    );
    let valid = stack.admin_token(&tenant());
    assert_eq!(statuses(&stack, &valid).await, [StatusCode::OK; 2]);
    assert_not_connected(&stack).await;
    stack.stop().await;
}
