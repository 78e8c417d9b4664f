//! Error handling by Pardot code: the single 184 refresh-and-retry, bounded retries of 66,
//! 5xx and resets, no retry of 122 and configuration errors, and the in-flight cap.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{FakeServer, Reply, TestTokens};
use sbxy_pardot_client::{InFlightLimiter, PardotError};

const ACCOUNT: &str = r#"{"id":1,"company":"Sample GmbH","website":null}"#;

/// Answers 184 (with `status`) to token `at-1` and the account to anything else.
async fn rejects_first_token(status: u16) -> FakeServer {
    FakeServer::start(move |request| {
        if request.header("authorization") == Some("Bearer at-1") {
            Reply::error(
                status,
                184,
                "access_token is invalid, unknown, or malformed",
            )
        } else {
            Reply::json(200, ACCOUNT)
        }
    })
    .await
}

#[tokio::test]
async fn code_184_as_400_refreshes_once_and_retries() {
    let server = rejects_first_token(400).await;
    let tokens = TestTokens::new("at-1", "at-2");
    let client = common::client(&server, tokens.clone());

    let account = client.account().await.expect("account after refresh");

    assert_eq!(account.company.as_deref(), Some("Sample GmbH"));
    assert_eq!(tokens.refreshes(), 1);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("authorization"), Some("Bearer at-2"));
    assert_eq!(client.stats().snapshot().refreshes, 1);
}

#[tokio::test]
async fn code_184_as_401_refreshes_once_and_retries() {
    let server = rejects_first_token(401).await;
    let tokens = TestTokens::new("at-1", "at-2");
    let client = common::client(&server, tokens.clone());

    client.account().await.expect("account after refresh");

    assert_eq!(tokens.refreshes(), 1);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn persistent_184_stops_after_one_refresh_and_is_retried_later() {
    let server = FakeServer::start(|_| {
        Reply::error(401, 184, "access_token is invalid, unknown, or malformed")
    })
    .await;
    let tokens = TestTokens::new("at-1", "at-2");
    let client = common::client(&server, tokens.clone());

    let err = client.account().await.expect_err("token stays rejected");

    assert!(
        matches!(err, PardotError::AccessTokenRejected { .. }),
        "{err:?}"
    );
    // The refresh was granted, so the connection stands: a later run tries again.
    assert!(!err.needs_reconnect() && err.is_retryable(), "{err:?}");
    assert_eq!(tokens.refreshes(), 1);
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn code_66_burst_is_retried_until_success() {
    let calls = AtomicUsize::new(0);
    let server = FakeServer::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) < 3 {
            Reply::error(429, 66, "Too many concurrent requests")
        } else {
            Reply::json(200, ACCOUNT)
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    client.account().await.expect("account after retries");

    let stats = client.stats().snapshot();
    assert_eq!(server.request_count(), 4);
    assert_eq!(stats.retries, 3);
    assert_eq!(stats.write_retries, 0);
    assert_eq!(stats.errors_by_code.get(&66), Some(&3));
    assert_eq!(stats.ok, 1);
}

#[tokio::test]
async fn code_66_retries_are_bounded() {
    let server = FakeServer::start(|_| Reply::error(429, 66, "Too many concurrent requests")).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let err = client.account().await.expect_err("never succeeds");

    assert!(matches!(err, PardotError::Api { code: 66, .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        server.request_count(),
        1 + common::fast_settings().max_retries as usize
    );
}

#[tokio::test]
async fn code_122_is_daily_limit_and_not_retried() {
    let server = FakeServer::start(|_| Reply::error(429, 122, "Daily API rate limit met")).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let err = client.account().await.expect_err("limit");

    assert!(matches!(err, PardotError::DailyLimit { .. }), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn configuration_codes_are_not_retried() {
    for (status, code) in [(400, 181), (400, 182), (403, 201), (403, 49)] {
        let server = FakeServer::start(move |_| Reply::error(status, code, "configuration")).await;
        let client = common::client(&server, TestTokens::new("at-1", "at-2"));

        let err = client.account().await.expect_err("configuration error");

        match &err {
            PardotError::Configuration { code: c, hint, .. } => {
                assert_eq!(*c, code);
                assert!(!hint.is_empty());
            }
            other => panic!("code {code}: expected Configuration, got {other:?}"),
        }
        assert_eq!(server.request_count(), 1, "code {code} must not be retried");
    }
}

#[tokio::test]
async fn non_json_5xx_is_retried_then_reported_with_status() {
    let server = FakeServer::start(|_| Reply {
        status: 502,
        headers: vec![("content-type".to_owned(), "text/html".to_owned())],
        body: "<html>Bad Gateway</html>".to_owned(),
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let err = client.account().await.expect_err("gateway error");

    assert!(
        matches!(err, PardotError::Decode { status: 502, .. }),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 5);
    assert_eq!(client.stats().snapshot().undecodable_errors, 5);
}

#[tokio::test]
async fn non_json_4xx_is_a_decode_error_without_retry() {
    let server = FakeServer::start(|_| Reply::empty(400)).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let err = client.account().await.expect_err("bad request");

    assert!(
        matches!(err, PardotError::Decode { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn unreachable_host_is_a_retried_transport_error_without_query() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let endpoints = sbxy_pardot_client::PardotEndpoints {
        production: url::Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url"),
        demo: url::Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url"),
    };
    let settings = common::fast_settings();
    let client = sbxy_pardot_client::PardotClient::new(
        reqwest::Client::new(),
        &endpoints,
        sbxy_pardot_client::PardotHost::Demo,
        common::BU.to_owned(),
        TestTokens::new("at-1", "at-2"),
        InFlightLimiter::from_settings(&settings),
        settings,
    );

    let err = client.read_list(7).await.expect_err("nothing listens");

    assert!(matches!(err, PardotError::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    let text = format!("{err} {err:?}");
    assert!(text.contains("/api/v5/objects/lists/7"), "{text}");
    assert!(
        !text.contains("fields="),
        "no query string in errors: {text}"
    );
    let stats = client.stats().snapshot();
    assert_eq!(stats.transport_errors, 5);
    assert_eq!(stats.retries, 4);
}

#[tokio::test]
async fn post_retries_are_counted_as_write_retries() {
    let calls = AtomicUsize::new(0);
    let server = FakeServer::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::error(500, 183, "Internal error")
        } else {
            Reply::json(201, r#"{"id":77}"#)
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let created = client.create_list_membership(10, 5).await.expect("created");

    assert_eq!(
        created,
        sbxy_pardot_client::model::MembershipCreated::Created(77)
    );
    let stats = client.stats().snapshot();
    assert_eq!((stats.retries, stats.write_retries), (2, 2));
}

#[tokio::test]
async fn in_flight_cap_holds_for_twenty_callers_across_clients() {
    let server =
        FakeServer::start_with_latency(Duration::from_millis(15), |_| Reply::json(200, ACCOUNT))
            .await;
    let settings = common::fast_settings();
    let limiter = InFlightLimiter::from_settings(&settings);
    let tokens = TestTokens::new("at-1", "at-2");
    let first = common::client_with(&server, tokens.clone(), limiter.clone(), settings.clone());
    let second = common::client_with(&server, tokens, limiter, settings.clone());

    let callers = (0..20).map(|i| {
        let client = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tokio::spawn(async move { client.account().await })
    });
    let results = futures::future::join_all(callers).await;

    for result in results {
        result.expect("task").expect("account");
    }
    assert_eq!(server.request_count(), 20);
    assert!(
        server.max_in_flight() <= settings.max_in_flight,
        "max {}",
        server.max_in_flight()
    );
    assert!(server.max_in_flight() > 1, "callers did overlap");
}

#[tokio::test]
async fn in_flight_cap_counts_retries() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let server = FakeServer::start_with_latency(Duration::from_millis(5), move |_| {
        if counter.fetch_add(1, Ordering::SeqCst) < 10 {
            Reply::error(429, 66, "Too many concurrent requests")
        } else {
            Reply::json(200, ACCOUNT)
        }
    })
    .await;
    // Enough retries that no caller can run out while the first ten requests fail.
    let settings = sbxy_pardot_client::ClientSettings {
        max_retries: 12,
        ..common::fast_settings()
    };
    let limiter = InFlightLimiter::from_settings(&settings);
    let client = common::client_with(&server, TestTokens::new("at-1", "at-2"), limiter, settings);

    let callers = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.account().await })
    });
    let results = futures::future::join_all(callers).await;

    for result in results {
        result.expect("task").expect("account");
    }
    assert_eq!(server.request_count(), 30);
    assert_eq!(client.stats().snapshot().retries, 10);
    assert!(
        server.max_in_flight() <= 4,
        "max {}",
        server.max_in_flight()
    );
}
