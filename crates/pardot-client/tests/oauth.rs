//! Salesforce OAuth against a fake login host: refresh, code exchange, revoke, identity and
//! the consent URL.

mod common;

use common::login::{CLIENT_SECRET, grant_json, oauth_for, origin_of};
use common::{FakeServer, Reply};
use sbxy_pardot_client::oauth::OAuthError;
use sbxy_pardot_client::{LoginEndpoints, OAuthClient, SalesforceEnvironment, Secret};
use url::Url;

#[tokio::test]
async fn refresh_sends_the_form_and_parses_issued_at_string() {
    let server =
        FakeServer::start(|r| Reply::json(200, grant_json(&origin_of(r), "at-new", None))).await;
    let oauth = oauth_for(&server);

    let grant = oauth
        .refresh(SalesforceEnvironment::Production, &Secret::new("rt-1"))
        .await
        .expect("grant");

    assert_eq!(grant.access_token.expose(), "at-new");
    assert!(
        grant.refresh_token.is_none(),
        "no rotation, no refresh token"
    );
    assert_eq!(grant.issued_at.timestamp_millis(), 1_278_448_101_416);
    let request = &server.requests()[0];
    assert_eq!(request.path, "/services/oauth2/token");
    assert_eq!(
        request.form_value("grant_type").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(request.form_value("refresh_token").as_deref(), Some("rt-1"));
    assert_eq!(
        request.form_value("client_id").as_deref(),
        Some("client-id-1")
    );
    assert_eq!(
        request.form_value("client_secret").as_deref(),
        Some(CLIENT_SECRET)
    );
}

#[tokio::test]
async fn exchange_code_sends_verifier_and_returns_refresh_token() {
    let server =
        FakeServer::start(|r| Reply::json(200, grant_json(&origin_of(r), "at-1", Some("rt-1"))))
            .await;
    let oauth = oauth_for(&server);

    let grant = oauth
        .exchange_code(
            SalesforceEnvironment::Production,
            &Secret::new("aPrx%3D=="),
            "https://app.example.test/callback",
            Some(&Secret::new("verifier-123")),
        )
        .await
        .expect("grant");

    assert_eq!(grant.refresh_token.expect("refresh token").expose(), "rt-1");
    let request = &server.requests()[0];
    assert_eq!(
        request.form_value("grant_type").as_deref(),
        Some("authorization_code")
    );
    assert_eq!(request.form_value("code").as_deref(), Some("aPrx%3D=="));
    assert_eq!(
        request.form_value("code_verifier").as_deref(),
        Some("verifier-123")
    );
    assert_eq!(
        request.form_value("redirect_uri").as_deref(),
        Some("https://app.example.test/callback")
    );
}

#[tokio::test]
async fn revoke_posts_the_token() {
    let server = FakeServer::start(|r| {
        if r.form_value("token").as_deref() == Some("dead") {
            Reply::json(
                400,
                r#"{"error":"invalid_token","error_description":"invalid token"}"#,
            )
        } else {
            Reply::empty(200)
        }
    })
    .await;
    let oauth = oauth_for(&server);

    oauth
        .revoke(SalesforceEnvironment::Production, &Secret::new("rt-1"))
        .await
        .expect("revoked");
    let dead = oauth
        .revoke(SalesforceEnvironment::Production, &Secret::new("dead"))
        .await;

    assert!(matches!(dead, Err(OAuthError::Other { ref error, .. }) if error == "invalid_token"));
    assert_eq!(server.requests()[0].path, "/services/oauth2/revoke");
}

#[tokio::test]
async fn identity_only_goes_to_the_login_host() {
    let server = FakeServer::start(|r| {
        if r.path.starts_with("/id/") {
            Reply::json(
                200,
                r#"{"user_id":"005xx","organization_id":"00Dxx","username":"admin@acme.test"}"#,
            )
        } else {
            Reply::json(200, grant_json(&origin_of(r), "at-1", Some("rt-1")))
        }
    })
    .await;
    let oauth = oauth_for(&server);
    let mut grant = oauth
        .refresh(SalesforceEnvironment::Production, &Secret::new("rt-1"))
        .await
        .expect("grant");

    let identity = oauth
        .identity(SalesforceEnvironment::Production, &grant)
        .await
        .expect("identity");
    let wrong_env = oauth.identity(SalesforceEnvironment::Sandbox, &grant).await;
    grant.id = Url::parse("https://evil.example.test/id/00D/005").expect("url");
    let foreign = oauth
        .identity(SalesforceEnvironment::Production, &grant)
        .await;

    assert_eq!(identity.user_id, "005xx");
    assert!(matches!(wrong_env, Err(OAuthError::HostNotAllowed { .. })));
    assert!(matches!(foreign, Err(OAuthError::HostNotAllowed { .. })));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("authorization"), Some("Bearer at-1"));
}

#[test]
fn authorize_url_carries_pkce_and_scope() {
    let oauth = OAuthClient::new(
        reqwest::Client::new(),
        LoginEndpoints::salesforce(),
        "client-id-1".to_owned(),
        Secret::new(CLIENT_SECRET),
    );

    let url = oauth.authorize_url(
        SalesforceEnvironment::Sandbox,
        "https://app.example.test/callback",
        "state-1",
        Some("challenge"),
    );

    assert_eq!(url.host_str(), Some("test.salesforce.com"));
    assert_eq!(url.path(), "/services/oauth2/authorize");
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert!(pairs.contains(&("scope".to_owned(), "pardot_api refresh_token".to_owned())));
    assert!(pairs.contains(&("code_challenge_method".to_owned(), "S256".to_owned())));
    assert!(!url.as_str().contains(CLIENT_SECRET));
}
