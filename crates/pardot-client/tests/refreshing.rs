//! The refresh rules of `RefreshingTokens`: persist-before-use, serialised refreshes, retries
//! of a refresh in progress elsewhere, and proactive refresh by age.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use common::login::{MemoryStore, grant_json, origin_of, tokens};
use common::{FakeServer, Reply};
use sbxy_pardot_client::oauth::OAuthError;
use sbxy_pardot_client::token::TokenStoreError;
use sbxy_pardot_client::{AccessTokens, Secret, TokenError};

#[tokio::test]
async fn rotated_refresh_token_is_saved_before_the_new_token_is_used() {
    let server =
        FakeServer::start(|r| Reply::json(200, grant_json(&origin_of(r), "at-2", Some("rt-2"))))
            .await;
    let store = MemoryStore::new("rt-1", false);
    let tokens = tokens(&server, store.clone());

    let before = Utc::now();
    let token = tokens.current().await.expect("token");

    assert_eq!(token.expose(), "at-2");
    assert_eq!(
        store.events(),
        vec!["load".to_owned(), "save rt-2".to_owned()]
    );
    let cached = tokens.cached().await.expect("cached");
    assert_eq!(cached.access_token.expose(), "at-2");
    // Aged on our clock, although the grant says it was issued in 2010.
    assert!(cached.issued_at >= before && cached.issued_at <= Utc::now());
}

#[tokio::test]
async fn failed_save_means_the_new_token_is_not_used() {
    let server =
        FakeServer::start(|r| Reply::json(200, grant_json(&origin_of(r), "at-2", Some("rt-2"))))
            .await;
    let store = MemoryStore::new("rt-1", true);
    let tokens = tokens(&server, store);

    let result = tokens.current().await;

    assert!(matches!(
        result,
        Err(TokenError::Store(TokenStoreError::Unavailable { .. }))
    ));
    assert!(tokens.cached().await.is_none());
}

#[tokio::test]
async fn unrotated_refresh_does_not_save() {
    let server =
        FakeServer::start(|r| Reply::json(200, grant_json(&origin_of(r), "at-2", Some("rt-1"))))
            .await;
    let store = MemoryStore::new("rt-1", false);
    let tokens = tokens(&server, store.clone());

    tokens.current().await.expect("token");

    assert_eq!(store.events(), vec!["load".to_owned()]);
}

#[tokio::test]
async fn invalid_grant_needs_reconnect() {
    let server = FakeServer::start(|_| {
        Reply::json(
            400,
            r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        )
    })
    .await;
    let tokens = tokens(&server, MemoryStore::new("rt-1", false));

    let err = tokens.current().await.expect_err("expired");

    assert!(err.needs_reconnect() && !err.is_retryable(), "{err:?}");
    assert!(matches!(
        err,
        TokenError::OAuth(OAuthError::InvalidGrant { .. })
    ));
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn refresh_already_in_progress_is_retried() {
    let calls = AtomicUsize::new(0);
    let server = FakeServer::start(move |r| {
        if calls.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::json(
                400,
                r#"{"error":"invalid_grant",
                    "error_description":"token request is already being processed"}"#,
            )
        } else {
            Reply::json(200, grant_json(&origin_of(r), "at-2", None))
        }
    })
    .await;
    let store = MemoryStore::new("rt-1", false);
    let tokens = tokens(&server, store.clone());

    let token = tokens.current().await.expect("token after waiting");

    assert_eq!(token.expose(), "at-2");
    assert_eq!(server.request_count(), 3);
    assert_eq!(
        store.events().len(),
        3,
        "the refresh token is re-read before each attempt"
    );
}

#[tokio::test]
async fn proactive_refresh_by_age() {
    let server =
        FakeServer::start(|r| Reply::json(200, grant_json(&origin_of(r), "at-new", None))).await;
    let young = tokens(&server, MemoryStore::new("rt-1", false))
        .with_cached(Secret::new("at-young"), Utc::now() - TimeDelta::minutes(1));
    let old = tokens(&server, MemoryStore::new("rt-1", false))
        .with_cached(Secret::new("at-old"), Utc::now() - TimeDelta::minutes(51));

    let kept = young.current().await.expect("young");
    assert_eq!(server.request_count(), 0);
    let refreshed = old.current().await.expect("old");

    assert_eq!(kept.expose(), "at-young");
    assert_eq!(refreshed.expose(), "at-new");
    assert_eq!(server.request_count(), 1);
    assert_eq!(old.refreshes(), 1);
}

#[tokio::test]
async fn rejection_refreshes_only_if_still_cached() {
    let server =
        FakeServer::start(|r| Reply::json(200, grant_json(&origin_of(r), "at-new", None))).await;
    let tokens = tokens(&server, MemoryStore::new("rt-1", false))
        .with_cached(Secret::new("at-current"), Utc::now());

    let stale = tokens
        .refresh_after_rejection(&Secret::new("at-older"))
        .await
        .expect("stale");
    assert_eq!(server.request_count(), 0);
    let fresh = tokens
        .refresh_after_rejection(&Secret::new("at-current"))
        .await
        .expect("fresh");

    assert_eq!(stale.expose(), "at-current");
    assert_eq!(fresh.expose(), "at-new");
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn concurrent_callers_share_one_refresh() {
    let server = FakeServer::start_with_latency(Duration::from_millis(10), |r| {
        Reply::json(200, grant_json(&origin_of(r), "at-new", Some("rt-2")))
    })
    .await;
    let store = MemoryStore::new("rt-1", false);
    let tokens = Arc::new(tokens(&server, store.clone()));

    let callers = (0..10).map(|_| {
        let tokens = Arc::clone(&tokens);
        tokio::spawn(async move { tokens.current().await })
    });
    let results = futures::future::join_all(callers).await;

    for result in results {
        assert_eq!(result.expect("task").expect("token").expose(), "at-new");
    }
    assert_eq!(server.request_count(), 1);
    assert_eq!(
        store.events(),
        vec!["load".to_owned(), "save rt-2".to_owned()]
    );
}
