//! A router state for tests that never reach AWS or Salesforce: every request they send is
//! answered before any outside call (authentication, body and `state` checks). AWS points at
//! a closed loopback port, so a test that did reach it would fail, not talk to the internet.

// Each test binary uses only some of the helpers.
#![allow(dead_code)]

use std::collections::HashMap;

use axum::body::Body;
use axum::http::{Request, Response};
use sbxy_domain::Secret;
use sbxy_domain::admin_token::{AdminClaims, TENANT_ADMIN_ROLE, sign_hs256};
use sbxy_http_api::ApiState;
use sbxy_sync::config::AdminApiConfig;
use sbxy_sync::{AppContext, ServiceConfig};
use tower::ServiceExt;

pub(crate) const JWT_SECRET: &str = "router-test-admin-jwt-secret-0123456789";
pub(crate) const STATE_KEY: &str = "router-test-state-signing-key-0123456789";
pub(crate) const TENANT: &str = "tenant-a";

pub(crate) async fn state() -> ApiState {
    let env: HashMap<&str, &str> = HashMap::from([
        ("TABLE_NAME", "unused"),
        ("EVENT_BUS_NAME", "unused"),
        ("SALESFORCE_CLIENT_ID", "client"),
        ("SALESFORCE_CLIENT_SECRET", "client-secret"),
        ("SALESFORCE_LOGIN_URL", "http://127.0.0.1:9"),
        ("PUBLIC_BASE_URL", "http://127.0.0.1:8080"),
        ("ADMIN_JWT_SECRET", JWT_SECRET),
        ("STATE_SIGNING_KEY", STATE_KEY),
    ]);
    let lookup = |name: &str| env.get(name).map(|v| (*v).to_owned());
    let config = ServiceConfig::from_lookup(lookup).expect("service config");
    let admin = AdminApiConfig::from_lookup(lookup).expect("admin config");

    let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url("http://127.0.0.1:9")
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .load()
        .await;
    let ctx = AppContext::with_aws(config, &aws).expect("context");
    ApiState::from_config(ctx, &admin).await.expect("state")
}

pub(crate) fn claims(tenant: &str, role: &str, exp_from_now: i64) -> AdminClaims {
    AdminClaims {
        tenant_id: tenant.into(),
        role: vec![role.into()],
        exp: chrono::Utc::now().timestamp() + exp_from_now,
        nbf: None,
        sub: Some("admin-1".into()),
    }
}

/// A valid token of the test tenant's administrator.
pub(crate) fn admin_token() -> String {
    sign_hs256(
        &claims(TENANT, TENANT_ADMIN_ROLE, 600),
        JWT_SECRET.as_bytes(),
    )
}

pub(crate) fn state_key() -> Secret {
    Secret::new(STATE_KEY)
}

pub(crate) async fn send(state: ApiState, request: Request<Body>) -> Response<Body> {
    sbxy_http_api::router(state)
        .oneshot(request)
        .await
        .expect("the router answers every request")
}

pub(crate) async fn body_text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("body");
    String::from_utf8(bytes.to_vec()).expect("utf-8 body")
}

/// A response header as text; empty when absent (the assertion then names what is missing).
pub(crate) fn header_of(
    response: &axum::http::Response<axum::body::Body>,
    name: axum::http::header::HeaderName,
) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
