//! The webhook route driven through the routers with `oneshot`, for the answers it gives
//! before or without AWS: unsigned and oversized deliveries, and a signing key that cannot be
//! read (AWS points at a closed loopback port here; the end-to-end tests cover the rest).

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use sbxy_http_api::webhook::{MAX_BODY_BYTES, WEBHOOK_PATH};
use sbxy_http_api::{WebhookConfig, WebhookState, webhook_router};
use tower::ServiceExt;

fn delivery(body: Vec<u8>, signed: bool) -> Request<Body> {
    let mut request = Request::post(WEBHOOK_PATH).header("content-type", "application/json");
    if signed {
        request = request
            .header(
                "X-Streamboxy-Timestamp",
                chrono::Utc::now().timestamp().to_string(),
            )
            .header("X-Streamboxy-Signature", format!("v1={}", "ab".repeat(32)));
    }
    request.body(Body::from(body)).expect("request")
}

#[tokio::test]
async fn an_unsigned_delivery_is_refused_without_reading_the_secret() {
    let state = common::state().await;

    let response = common::send(state, delivery(b"{}".to_vec(), false)).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let content_type = response.headers().get("content-type").cloned();
    assert_eq!(
        content_type.as_ref().and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let body = common::body_text(response).await;
    assert!(body.contains("X-Streamboxy-Timestamp"), "{body}");
}

#[tokio::test]
async fn an_oversized_delivery_is_refused_by_both_routers() {
    let state = common::state().await;
    let huge = vec![b' '; MAX_BODY_BYTES + 1];
    let alone = webhook_router(WebhookState::new(
        state.ctx.clone(),
        WebhookConfig::default(),
    ));

    let merged = common::send(state, delivery(huge.clone(), true)).await;
    let lambda = alone
        .oneshot(delivery(huge, true))
        .await
        .expect("the router answers");

    assert_eq!(merged.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(lambda.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_signing_key_that_cannot_be_read_makes_the_sender_retry_later() {
    let state = common::state().await;

    let response = common::send(state, delivery(b"{}".to_vec(), true)).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = common::body_text(response).await;
    assert!(body.contains("deliver it again later"), "{body}");
    assert!(!body.contains("127.0.0.1"), "no internal detail: {body}");
}
