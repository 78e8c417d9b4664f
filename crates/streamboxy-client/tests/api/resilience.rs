//! Retries: 429 with Retry-After, bounded 5xx retries, timeouts, refused connections, and
//! error bodies that are not problem JSON.

use std::time::Duration;

use serde_json::json;

use sbxy_streamboxy_client::{StreamboxyConfig, StreamboxyError};

use crate::fake::{Fake, FakeState, Fault, TENANT};
use crate::{client_for, client_with, config_for, event};

async fn fake_with_one_event() -> Fake {
    Fake::start(FakeState {
        events: vec![event("e1", json!({}))],
        ..FakeState::default()
    })
    .await
}

#[tokio::test]
async fn rate_limit_with_retry_after_then_success() {
    let fake = fake_with_one_event().await;
    fake.fail_next([Fault::status(429, "").header("retry-after", "1")]);
    let client = client_for(&fake);

    let found = client
        .get_event(TENANT, "e1")
        .await
        .expect("second attempt succeeds");

    assert_eq!(found.id, "e1");
    let stats = client.stats();
    assert_eq!(
        (
            stats.calls,
            stats.retries,
            stats.rate_limited,
            stats.success
        ),
        (2, 1, 1, 1)
    );
}

#[tokio::test]
async fn a_huge_retry_after_is_capped() {
    let fake = fake_with_one_event().await;
    fake.fail_next([Fault::status(429, "").header("retry-after", "86400")]);
    let mut config = config_for(&fake);
    config.retry_after_cap = Duration::from_millis(20);

    let found = tokio::time::timeout(
        Duration::from_secs(30),
        client_with(config).get_event(TENANT, "e1"),
    )
    .await
    .expect("the one-day Retry-After was not honoured in full");

    assert!(found.is_ok());
}

#[tokio::test]
async fn rate_limits_past_the_retry_budget_surface_with_their_retry_after() {
    let fake = fake_with_one_event().await;
    fake.fail_next((0..3).map(|_| Fault::status(429, "").header("retry-after", "0")));
    let mut config = config_for(&fake);
    config.max_retries = 2;

    let err = client_with(config)
        .get_event(TENANT, "e1")
        .await
        .expect_err("still limited");

    assert!(matches!(err, StreamboxyError::RateLimited { retry_after: Some(d) } if d.is_zero()));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let fake = fake_with_one_event().await;
    fake.fail_next([Fault::status(500, ""), Fault::status(503, "")]);
    let client = client_for(&fake);

    client
        .get_event(TENANT, "e1")
        .await
        .expect("third attempt succeeds");

    assert_eq!(
        (client.stats().server_errors, client.stats().retries),
        (2, 2)
    );
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let fake = fake_with_one_event().await;
    let body = r#"{"title":"Service Unavailable","detail":"maintenance","status":503}"#;
    fake.fail_next((0..10).map(|_| Fault::status(503, body)));
    let mut config = config_for(&fake);
    config.max_retries = 2;
    let client = client_with(config);

    let err = client
        .get_event(TENANT, "e1")
        .await
        .expect_err("every attempt fails");

    assert_eq!(client.stats().calls, 3, "one attempt plus max_retries");
    assert_eq!(
        err.to_string(),
        "STREAMBOXY answered HTTP 503: Service Unavailable: maintenance"
    );
    assert!(err.is_retryable());
}

#[tokio::test]
async fn non_json_error_bodies_become_plain_problems() {
    let fake = fake_with_one_event().await;
    fake.fail_next([Fault::status(502, "<html><body>Bad Gateway</body></html>")]);
    fake.fail_next([Fault::status(400, "")]);
    let mut config = config_for(&fake);
    config.max_retries = 0;
    let client = client_with(config);

    let gateway = client.get_event(TENANT, "e1").await.expect_err("502");
    let empty = client.get_event(TENANT, "e1").await.expect_err("400");

    assert!(matches!(
        gateway,
        StreamboxyError::Problem {
            status: 502,
            title: None,
            detail: None
        }
    ));
    assert!(matches!(
        empty,
        StreamboxyError::Problem {
            status: 400,
            title: None,
            ..
        }
    ));
    assert!(gateway.is_retryable() && !empty.is_retryable());
}

#[tokio::test]
async fn a_success_with_an_unreadable_body_is_a_decode_error() {
    let fake = fake_with_one_event().await;
    fake.fail_next([Fault::status(200, "<html>maintenance page</html>")]);

    let err = client_for(&fake)
        .get_event(TENANT, "e1")
        .await
        .expect_err("not JSON");

    assert!(matches!(err, StreamboxyError::Decode { status: 200, .. }));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_hanging_server_times_out_and_the_retry_succeeds() {
    let fake = fake_with_one_event().await;
    fake.fail_next([Fault::hang()]);
    let mut config = config_for(&fake);
    config.request_timeout = Duration::from_millis(200);
    let client = client_with(config);

    client
        .get_event(TENANT, "e1")
        .await
        .expect("retry after the timeout succeeds");

    assert_eq!(
        (client.stats().transport_errors, client.stats().retries),
        (1, 1)
    );
}

#[tokio::test]
async fn a_refused_connection_is_retried_then_reported_as_transport() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let mut config = StreamboxyConfig::new(format!("http://{addr}/").parse().expect("url"));
    config.backoff_base = Duration::from_millis(1);
    config.max_retries = 2;
    let client = client_with(config);

    let err = client
        .list_events(TENANT)
        .await
        .expect_err("nobody listens");

    assert!(matches!(err, StreamboxyError::Transport { .. }));
    assert!(err.is_retryable());
    assert_eq!(
        (client.stats().calls, client.stats().transport_errors),
        (3, 3)
    );
    assert!(
        !err.to_string().contains("127.0.0.1"),
        "the URL is stripped: {err}"
    );
}
