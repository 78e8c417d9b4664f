//! The router driven with `oneshot`, without a socket: admin token checks on every tenant
//! route, request validation, and the callback's refusals of a bad `state`. None of these
//! requests gets past the checks, so nothing outside the process is called.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sbxy_domain::admin_token::{TENANT_ADMIN_ROLE, sign_hs256};
use sbxy_domain::connect_state::ConnectState;
use sbxy_domain::settings::PardotEnvironment;

use common::{JWT_SECRET, TENANT, admin_token, body_text, claims, send, state_key};

/// Every tenant route, as (method, path).
const TENANT_ROUTES: [(&str, &str); 6] = [
    ("POST", "/tenants/tenant-a/pardot/connect"),
    ("POST", "/tenants/tenant-a/pardot/disconnect"),
    ("GET", "/tenants/tenant-a/pardot/settings"),
    ("PUT", "/tenants/tenant-a/pardot/settings"),
    ("GET", "/tenants/tenant-a/pardot/status"),
    ("POST", "/tenants/tenant-a/events/event-1/attendance/rerun"),
];

fn request(method: &str, uri: &str, token: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    builder.body(Body::empty()).expect("request")
}

async fn status_of_every_tenant_route(token: Option<&str>) -> Vec<(String, StatusCode)> {
    let state = common::state().await;
    let mut statuses = Vec::new();
    for (method, uri) in TENANT_ROUTES {
        let response = send(state.clone(), request(method, uri, token)).await;
        statuses.push((format!("{method} {uri}"), response.status()));
    }
    statuses
}

fn assert_all(statuses: &[(String, StatusCode)], expected: StatusCode) {
    for (route, status) in statuses {
        assert_eq!(*status, expected, "{route}");
    }
}

#[tokio::test]
async fn a_missing_token_is_401_with_a_bearer_challenge() {
    assert_all(
        &status_of_every_tenant_route(None).await,
        StatusCode::UNAUTHORIZED,
    );

    let response = send(
        common::state().await,
        request("GET", TENANT_ROUTES[2].1, None),
    )
    .await;
    assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    assert!(body_text(response).await.contains("unauthenticated"));
}

#[tokio::test]
async fn alg_none_is_401() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&claims(TENANT, TENANT_ADMIN_ROLE, 600)).expect("claims"));
    let unsigned = format!("{header}.{claims}.");

    assert_all(
        &status_of_every_tenant_route(Some(&unsigned)).await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn a_wrong_key_is_401() {
    let forged = sign_hs256(
        &claims(TENANT, TENANT_ADMIN_ROLE, 600),
        b"not-the-configured-admin-jwt-secret",
    );

    assert_all(
        &status_of_every_tenant_route(Some(&forged)).await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let expired = sign_hs256(
        &claims(TENANT, TENANT_ADMIN_ROLE, -3600),
        JWT_SECRET.as_bytes(),
    );

    assert_all(
        &status_of_every_tenant_route(Some(&expired)).await,
        StatusCode::UNAUTHORIZED,
    );
}

#[tokio::test]
async fn another_tenants_token_is_403() {
    let tenant_b = sign_hs256(
        &claims("tenant-b", TENANT_ADMIN_ROLE, 600),
        JWT_SECRET.as_bytes(),
    );

    assert_all(
        &status_of_every_tenant_route(Some(&tenant_b)).await,
        StatusCode::FORBIDDEN,
    );
}

#[tokio::test]
async fn a_token_without_the_admin_role_is_403() {
    let viewer = sign_hs256(&claims(TENANT, "EventManager", 600), JWT_SECRET.as_bytes());

    assert_all(
        &status_of_every_tenant_route(Some(&viewer)).await,
        StatusCode::FORBIDDEN,
    );
}

#[tokio::test]
async fn connect_needs_a_known_environment() {
    let state = common::state().await;
    for body in [
        "",
        "{}",
        r#"{"environment":"staging"}"#,
        r#"{"environment":"production","x":1}"#,
    ] {
        let request = Request::post("/tenants/tenant-a/pardot/connect")
            .header(header::AUTHORIZATION, format!("Bearer {}", admin_token()))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .expect("request");

        let response = send(state.clone(), request).await;

        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert!(body_text(response).await.contains("sandbox"), "{body}");
    }
}

async fn callback(query: &str, language: &str) -> (StatusCode, String) {
    let request = Request::get(format!("/oauth/callback?{query}"))
        .header(header::ACCEPT_LANGUAGE, language)
        .body(Body::empty())
        .expect("request");
    let response = send(common::state().await, request).await;
    assert_eq!(
        response
            .headers()
            .get(header::CACHE_CONTROL)
            .map(|v| v.to_str().ok()),
        Some(Some("no-store"))
    );
    assert!(!response.headers().contains_key(header::LOCATION));
    (response.status(), body_text(response).await)
}

fn sealed_state(expires_in: i64) -> String {
    ConnectState {
        tenant_id: TENANT.into(),
        admin: "admin-1".into(),
        environment: PardotEnvironment::Production,
        nonce: "0123456789abcdef".into(),
        expires_at: chrono::Utc::now().timestamp() + expires_in,
    }
    .seal(&state_key())
}

#[tokio::test]
async fn a_callback_without_state_ends_on_a_plain_message() {
    let (status, body) = callback("code=abc", "en").await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("not valid"), "{body}");
}

#[tokio::test]
async fn a_tampered_state_ends_on_a_plain_message_in_the_admins_language() {
    let state = sealed_state(600);
    let (payload, signature) = state.split_once('.').expect("two parts");
    let mut bytes = URL_SAFE_NO_PAD.decode(payload).expect("payload");
    let text = String::from_utf8(bytes.clone()).expect("json");
    bytes = text.replace("tenant-a", "tenant-b").into_bytes();
    let tampered = format!("{}.{signature}", URL_SAFE_NO_PAD.encode(bytes));

    let (status, english) = callback(&format!("code=abc&state={tampered}"), "en-GB").await;
    let (_, german) = callback(&format!("code=abc&state={tampered}"), "de-DE,de;q=0.9").await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(english.contains("sign-in link is not valid"), "{english}");
    assert!(german.contains("Anmeldelink ist ungültig"), "{german}");
}

#[tokio::test]
async fn an_expired_state_ends_on_a_plain_message() {
    let expired = sealed_state(-1);

    let (status, body) = callback(&format!("code=abc&state={expired}"), "en").await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("expired"), "{body}");
}

#[tokio::test]
async fn a_state_signed_with_another_key_is_refused() {
    let foreign = ConnectState {
        tenant_id: TENANT.into(),
        admin: "admin-1".into(),
        environment: PardotEnvironment::Production,
        nonce: "n".into(),
        expires_at: chrono::Utc::now().timestamp() + 600,
    }
    .seal(&sbxy_domain::Secret::new(
        "some-other-signing-key-0123456789ab",
    ));

    let (status, body) = callback(&format!("code=abc&state={foreign}"), "en").await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("not valid"), "{body}");
}
