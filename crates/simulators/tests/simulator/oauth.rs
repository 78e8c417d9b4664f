//! Salesforce OAuth: authorize page, code exchange with PKCE, refresh with and without
//! rotation, revoke, identity, and the concurrent-refresh rejection.

use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::common::{
    CLIENT_ID, CLIENT_SECRET, ORG, Pardot, REFRESH, USER, http, json, sim, sim_with,
};

/// RFC 7636's example verifier and its S256 challenge.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const CALLBACK: &str = "https://app.example/callback";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// Logs in on the authorize form and returns the redirect target.
async fn authorize(oauth_url: &str, decision: &str, challenge: Option<&str>) -> url::Url {
    let mut form = vec![
        ("client_id", CLIENT_ID),
        ("redirect_uri", CALLBACK),
        ("state", "st-1"),
        ("scope", "pardot_api refresh_token"),
        ("username", "admin@acme.example"),
        ("password", "demo-password"),
        ("decision", decision),
    ];
    if let Some(challenge) = challenge {
        form.push(("code_challenge", challenge));
        form.push(("code_challenge_method", "S256"));
    }
    let response = no_redirects()
        .post(format!("{oauth_url}/services/oauth2/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 302);
    url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
}

fn query(url: &url::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn token(oauth_url: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = http()
        .post(format!("{oauth_url}/services/oauth2/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), json(response).await)
}

async fn exchange(oauth_url: &str, code: &str, verifier: Option<&str>) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", CLIENT_ID),
        ("client_secret", CLIENT_SECRET),
        ("redirect_uri", CALLBACK),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    token(oauth_url, &form).await
}

async fn refresh(oauth_url: &str, refresh_token: &str) -> (u16, Value) {
    token(
        oauth_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await
}

#[tokio::test]
async fn login_page_has_the_labelled_form() {
    let sim = sim().await;
    let page = http()
        .get(format!(
            "{}/services/oauth2/authorize?response_type=code&client_id={CLIENT_ID}\
             &redirect_uri={CALLBACK}&state=s&code_challenge={CHALLENGE}\
             &code_challenge_method=S256",
            sim.oauth_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for needle in [
        "id=\"username\"",
        "id=\"password\"",
        "id=\"allow\"",
        "id=\"deny\"",
        "<label for=\"username\">",
        "<label for=\"password\">",
        "action=\"/services/oauth2/authorize\"",
    ] {
        assert!(html.contains(needle), "login page lacks {needle}");
    }

    let unknown = no_redirects()
        .get(format!(
            "{}/services/oauth2/authorize?response_type=code&client_id=nope\
             &redirect_uri={CALLBACK}",
            sim.oauth_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert!(unknown.headers().get("location").is_none());
    sim.shutdown().await;
}

#[tokio::test]
async fn code_grant_with_pkce() {
    let sim = sim().await;
    let target = authorize(&sim.oauth_url, "allow", Some(CHALLENGE)).await;
    assert!(target.as_str().starts_with(CALLBACK));
    assert!(
        target.as_str().contains("%3D"),
        "the code arrives URL-encoded"
    );
    assert_eq!(query(&target, "state").as_deref(), Some("st-1"));
    let code = query(&target, "code").unwrap();

    let (status, body) = exchange(&sim.oauth_url, &code, Some(VERIFIER)).await;
    assert_eq!(status, 200);
    let mut keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "access_token",
            "id",
            "instance_url",
            "issued_at",
            "refresh_token",
            "scope",
            "signature",
            "token_type"
        ]
    );
    assert!(body["issued_at"].as_str().unwrap().parse::<u64>().is_ok());
    assert_eq!(
        body["id"],
        json!(format!("{}/id/{ORG}/{USER}", sim.oauth_url))
    );
    assert_eq!(body["token_type"], json!("Bearer"));

    // Single use.
    let (status, reuse) = exchange(&sim.oauth_url, &code, Some(VERIFIER)).await;
    assert_eq!(
        (status, reuse["error"].clone()),
        (400, json!("invalid_grant"))
    );

    // The identity URL answers with the access token.
    let identity = http()
        .get(body["id"].as_str().unwrap())
        .bearer_auth(body["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(identity).await,
        json!({"user_id": USER, "organization_id": ORG, "username": "admin@acme.example",
               "display_name": "Admin", "email": "admin@acme.example"})
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn pkce_mismatch_missing_verifier_and_denial() {
    let sim = sim().await;
    let code = query(
        &authorize(&sim.oauth_url, "allow", Some(CHALLENGE)).await,
        "code",
    )
    .unwrap();
    let (status, body) = exchange(&sim.oauth_url, &code, Some("wrong-verifier")).await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("invalid_request"))
    );

    let code = query(
        &authorize(&sim.oauth_url, "allow", Some(CHALLENGE)).await,
        "code",
    )
    .unwrap();
    let (status, body) = exchange(&sim.oauth_url, &code, None).await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("invalid_grant"))
    );

    let denied = authorize(&sim.oauth_url, "deny", None).await;
    assert!(denied.as_str().contains(
        "error=access_denied&error_description=end-user+denied+authorization&state=st-1"
    ));
    sim.shutdown().await;
}

#[tokio::test]
async fn refresh_without_rotation_and_client_errors() {
    let sim = sim().await;
    let (status, body) = refresh(&sim.oauth_url, REFRESH).await;
    assert_eq!(status, 200);
    assert!(body.get("refresh_token").is_none());
    assert!(body.get("expires_in").is_none());
    assert_eq!(refresh(&sim.oauth_url, REFRESH).await.0, 200);

    let (status, body) = token(
        &sim.oauth_url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", REFRESH),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].clone()),
        (400, json!("invalid_client"))
    );
    let (_, body) = refresh(&sim.oauth_url, "5AepUnknown").await;
    assert_eq!(
        body,
        json!({"error": "invalid_grant", "error_description": "expired access/refresh token"})
    );
    assert_eq!(sim.salesforce_state()["refresh_count"], json!(2));
    sim.shutdown().await;
}

#[tokio::test]
async fn rotation_and_reuse_of_a_rotated_token_revokes_the_grant() {
    let sim = sim_with(|c| c.seed.salesforce.rotate_refresh_tokens = true).await;
    let (status, first) = refresh(&sim.oauth_url, REFRESH).await;
    assert_eq!(status, 200);
    let rotated = first["refresh_token"]
        .as_str()
        .expect("rotation returns a new token");
    assert_ne!(rotated, REFRESH);

    // The old token is retired; reusing it revokes the whole grant, new token included.
    let (_, reuse) = refresh(&sim.oauth_url, REFRESH).await;
    assert_eq!(reuse["error"], json!("invalid_grant"));
    let (_, after) = refresh(&sim.oauth_url, rotated).await;
    assert_eq!(after["error"], json!("invalid_grant"));
    let statuses: Vec<Value> = sim.salesforce_state()["refresh_tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("revoked"), json!("revoked")]);
    sim.shutdown().await;
}

#[tokio::test]
async fn revoke_kills_the_grant_and_its_access_tokens() {
    let sim = sim().await;
    let (_, body) = refresh(&sim.oauth_url, REFRESH).await;
    let mut pardot = Pardot::new(&sim);
    pardot.token = body["access_token"].as_str().unwrap().to_owned();
    let account = "/api/v5/objects/account?fields=id";
    assert_eq!(pardot.get(account).send().await.unwrap().status(), 200);

    let revoke = |token: &'static str| {
        http()
            .post(format!("{}/services/oauth2/revoke", sim.oauth_url))
            .form(&[("token", token)])
            .send()
    };
    assert_eq!(revoke(REFRESH).await.unwrap().status(), 200);
    assert_eq!(pardot.get(account).send().await.unwrap().status(), 401);
    assert_eq!(
        refresh(&sim.oauth_url, REFRESH).await.1["error"],
        json!("invalid_grant")
    );
    let unknown = revoke("nope").await.unwrap();
    assert_eq!(unknown.status(), 400);
    assert_eq!(json(unknown).await["error"], json!("invalid_token"));
    sim.shutdown().await;
}

#[tokio::test]
async fn overlapping_refreshes_with_one_token_are_rejected() {
    let sim = sim_with(|c| {
        c.oauth.reject_concurrent_refresh = true;
        c.oauth.refresh_processing_ms = 800;
    })
    .await;
    let url = sim.oauth_url.clone();
    let a = tokio::spawn({
        let url = url.clone();
        async move { refresh(&url, REFRESH).await }
    });
    let b = tokio::spawn(async move { refresh(&url, REFRESH).await });
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();

    assert_eq!(statuses, [200, 400]);
    let rejected = if a.0 == 400 { a.1 } else { b.1 };
    assert_eq!(
        rejected,
        json!({"error": "invalid_grant",
               "error_description": "token request is already being processed"})
    );
    sim.shutdown().await;
}
