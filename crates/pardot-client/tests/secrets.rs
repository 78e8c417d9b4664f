//! Tokens and the client secret never show up in `Debug` or `Display` of errors and clients.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use common::{FakeServer, Reply};
use sbxy_pardot_client::oauth::OAuthError;
use sbxy_pardot_client::token::TokenStoreError;
use sbxy_pardot_client::{
    AccessTokens, LoginEndpoints, OAuthClient, PardotError, RefreshTokenStore, RefreshingTokens,
    SalesforceEnvironment, Secret,
};
use url::Url;

const SECRETS: [&str; 4] = [
    "CLIENT-SECRET-x1",
    "REFRESH-TOKEN-x2",
    "ACCESS-TOKEN-x3",
    "CODE-x4",
];

fn assert_hidden(value: &(impl std::fmt::Debug + ?Sized), display: &str) {
    let text = format!("{value:?} {display}");
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked in: {text}");
    }
}

struct FixedStore;

#[async_trait]
impl RefreshTokenStore for FixedStore {
    async fn load(&self) -> Result<Secret, TokenStoreError> {
        Ok(Secret::new(SECRETS[1]))
    }

    async fn save_rotated(&self, _new: &Secret) -> Result<(), TokenStoreError> {
        Ok(())
    }
}

fn oauth(base: Url) -> OAuthClient {
    OAuthClient::new(
        reqwest::Client::new(),
        LoginEndpoints {
            production: base.clone(),
            sandbox: base,
        },
        "client-id".to_owned(),
        Secret::new(SECRETS[0]),
    )
}

#[tokio::test]
async fn oauth_errors_and_clients_hide_secrets() {
    let server = FakeServer::start(|_| {
        Reply::json(
            400,
            r#"{"error":"invalid_grant","error_description":"authentication failure"}"#,
        )
    })
    .await;
    let oauth = oauth(server.base.clone());

    let refresh = oauth
        .refresh(SalesforceEnvironment::Production, &Secret::new(SECRETS[1]))
        .await
        .expect_err("rejected");
    let exchange = oauth
        .exchange_code(
            SalesforceEnvironment::Production,
            &Secret::new(SECRETS[3]),
            "https://x",
            None,
        )
        .await
        .expect_err("rejected");

    assert_hidden(&refresh, &refresh.to_string());
    assert_hidden(&exchange, &exchange.to_string());
    assert_hidden(&oauth, "");
    let tokens = RefreshingTokens::new(
        oauth,
        SalesforceEnvironment::Production,
        Arc::new(FixedStore),
    )
    .with_cached(
        Secret::new(SECRETS[2]),
        chrono::Utc::now() - chrono::TimeDelta::hours(3),
    );
    assert_hidden(&tokens, "");
    let err = PardotError::Token(tokens.current().await.expect_err("refresh fails"));
    assert_hidden(&err, &err.to_string());
}

#[tokio::test]
async fn transport_and_decode_errors_hide_secrets() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let oauth = oauth(Url::parse(&format!("http://127.0.0.1:{port}/")).expect("url"));

    let transport = oauth
        .refresh(SalesforceEnvironment::Production, &Secret::new(SECRETS[1]))
        .await
        .expect_err("nothing listens");

    assert!(matches!(transport, OAuthError::Transport { .. }));
    assert_hidden(&transport, &transport.to_string());

    let leaky = format!(
        r#"{{"access_token":"{}","issued_at":"soon","instance_url":"x"}}"#,
        SECRETS[2]
    );
    let server = FakeServer::start(move |_| Reply::json(200, leaky.clone())).await;
    let decode = self::oauth(server.base.clone())
        .refresh(SalesforceEnvironment::Production, &Secret::new(SECRETS[1]))
        .await
        .expect_err("bad grant");
    assert!(matches!(decode, OAuthError::Decode { .. }));
    assert_hidden(&decode, &decode.to_string());
}

#[tokio::test]
async fn pardot_client_hides_the_access_token() {
    let server = FakeServer::start(|_| Reply::error(401, 184, "access_token is invalid")).await;
    let tokens = common::TestTokens::new(SECRETS[2], SECRETS[2]);
    let client = common::client(&server, tokens.clone());

    let err = client.account().await.expect_err("rejected");

    assert_hidden(&client, "");
    assert_hidden(&err, &err.to_string());
    assert_hidden(&tokens.current().await.expect("token"), "");
}
