//! Authentication: the configurable header, a rejected key, and the key never showing up in
//! formatted errors, configuration or the client.

use sbxy_domain::Secret;
use sbxy_streamboxy_client::{StreamboxyClient, StreamboxyError};
use serde_json::json;

use crate::fake::{Fake, FakeState, Fault, KEY, TENANT};
use crate::{client_for, client_with, config_for, event};

#[tokio::test]
async fn sends_bearer_authorization_by_default() {
    let fake = Fake::start(FakeState::default()).await;

    client_for(&fake)
        .list_events(TENANT)
        .await
        .expect("authorised");

    let seen = fake.seen().pop().expect("request seen");
    assert_eq!(
        seen.headers["authorization"],
        format!("Bearer {KEY}").as_str()
    );
    assert_eq!(seen.headers["accept"], "application/json");
}

#[tokio::test]
async fn sends_a_raw_key_in_a_configured_header() {
    let fake = Fake::start(FakeState {
        auth: ("x-api-key", KEY.to_owned()),
        ..FakeState::default()
    })
    .await;
    let mut config = config_for(&fake);
    config.auth_header = "X-Api-Key".into();
    config.auth_scheme = None;

    client_with(config)
        .list_events(TENANT)
        .await
        .expect("authorised by X-Api-Key");

    let seen = fake.seen().pop().expect("request seen");
    assert_eq!(seen.headers["x-api-key"], KEY);
    assert!(seen.headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_rejected_key_is_not_retried() {
    let fake = Fake::start(FakeState::default()).await;
    let client = StreamboxyClient::new(
        reqwest::Client::new(),
        config_for(&fake),
        &Secret::new("wrong-key-123"),
    )
    .expect("valid config");

    let err = client.list_events(TENANT).await.expect_err("401");

    assert!(matches!(err, StreamboxyError::Unauthorized { status: 401 }));
    assert!(!err.is_retryable());
    assert_eq!((client.stats().calls, client.stats().unauthorized), (1, 1));
    assert!(!format!("{err} {err:?}").contains("wrong-key-123"));
}

#[tokio::test]
async fn the_key_never_appears_in_debug_or_display() {
    let fake = Fake::start(FakeState {
        events: vec![event("e1", json!({}))],
        ..FakeState::default()
    })
    .await;
    let problem = r#"{"title":"Bad Request","detail":"malformed id"}"#;
    fake.fail_next([
        Fault::status(400, problem),
        Fault::status(403, ""),
        Fault::hang(),
    ]);
    let mut config = config_for(&fake);
    config.max_retries = 0;
    config.request_timeout = std::time::Duration::from_millis(100);
    let client = client_with(config.clone());

    let mut formatted = vec![format!("{config:?}"), format!("{client:?}")];
    for _ in 0..3 {
        let err = client.get_event(TENANT, "e1").await.expect_err("faulted");
        formatted.push(format!("{err} / {err:?}"));
    }

    assert!(formatted[2].contains("malformed id") && formatted[3].contains("403"));
    for text in &formatted {
        assert!(!text.contains(KEY), "key leaked in {text}");
    }
}
