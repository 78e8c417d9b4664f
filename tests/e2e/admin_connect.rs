//! Connecting through the admin API against the Salesforce simulator: the consent URL's
//! parameters, a successful connect, and every way it must fail without connecting the
//! tenant: a denial, a tampered, an expired or a reused `state`, and a PKCE verifier that
//! does not match the challenge.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use sbxy_domain::settings::{PardotEnvironment, SettingsInput};
use sbxy_e2e::tenant;
use sbxy_harness::{Consent, Stack, StackOptions};
use url::Url;

use crate::admin_common::{assert_not_connected, demo_settings, query, stack, status};

/// Follows a callback URL and expects the admin page with `outcome`.
async fn expect_outcome(stack: &Stack, callback: &Url, outcome: &str) {
    let response = stack.callback(callback, "en").await.expect("callback");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().expect("location");
    let admin_page = Url::parse(location).expect("admin page URL");

    assert_eq!(admin_page.path(), "/admin");
    assert_eq!(
        query(&admin_page, "tenant").as_deref(),
        Some(tenant().as_str())
    );
    assert_eq!(query(&admin_page, "outcome").as_deref(), Some(outcome));
}

/// Follows a callback URL and expects a plain page containing `message`.
async fn expect_plain_message(stack: &Stack, callback: &Url, language: &str, message: &str) {
    let response = stack.callback(callback, language).await.expect("callback");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(!response.headers().contains_key(LOCATION));
    let page = response.text().await.expect("page");

    assert!(page.contains(message), "{page}");
}

#[tokio::test]
async fn the_consent_url_asks_for_pardot_with_pkce_and_a_signed_state() {
    let sandbox_login = "http://127.0.0.1:9/sandbox-login";
    let mut options = StackOptions::default();
    options
        .env
        .insert("SALESFORCE_SANDBOX_LOGIN_URL".into(), sandbox_login.into());
    let stack = Stack::start(sbxy_harness::demo_seed().expect("seed"), options)
        .await
        .expect("stack");

    let production = stack
        .start_connect(&tenant(), PardotEnvironment::Production)
        .await
        .expect("connect");
    let developer = stack
        .start_connect(&tenant(), PardotEnvironment::Developer)
        .await
        .expect("connect");
    let sandbox = stack
        .start_connect(&tenant(), PardotEnvironment::Sandbox)
        .await
        .expect("connect");

    assert!(production.as_str().starts_with(&stack.sim.oauth_url));
    assert!(developer.as_str().starts_with(&stack.sim.oauth_url));
    assert!(sandbox.as_str().starts_with(sandbox_login), "{sandbox}");
    assert_eq!(production.path(), "/services/oauth2/authorize");
    assert_eq!(
        query(&production, "scope").as_deref(),
        Some("pardot_api refresh_token")
    );
    assert_eq!(
        query(&production, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(
        query(&production, "code_challenge").map(|c| c.len()),
        Some(43)
    );
    assert_eq!(
        query(&production, "redirect_uri"),
        Some(format!("{}/oauth/callback", stack.api_url))
    );
    assert_ne!(query(&production, "state"), query(&developer, "state"));
    // A tenant seen for the first time exists now, not yet connected.
    assert_not_connected(&stack).await;
    stack.stop().await;
}

#[tokio::test]
async fn connecting_records_the_user_stores_the_token_and_checks_pardot() {
    let stack = stack().await;
    let tenant = tenant();

    stack
        .connect_tenant(&tenant, demo_settings())
        .await
        .expect("connect");
    // Reconnecting with a business unit saved makes the one check call to Pardot.
    let pardot_before = stack.pardot_calls();
    let authorize = stack
        .start_connect(&tenant, PardotEnvironment::Production)
        .await
        .expect("connect");
    let callback = stack
        .consent(&authorize, Consent::Allow)
        .await
        .expect("consent");
    expect_outcome(&stack, &callback, "connected").await;

    let status = status(&stack).await;
    assert_eq!(status["connection"]["state"], "connected");
    assert_eq!(
        status["connection"]["salesforce_user_id"],
        "005DEMO000000USER"
    );
    assert_eq!(
        status["connection"]["salesforce_username"],
        sbxy_harness::DEMO_USERNAME
    );
    assert_eq!(status["connection"]["connected_by"], "demo-admin");
    let tokens = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant)
        .await
        .expect("read")
        .expect("tokens stored in Secrets Manager");
    assert!(tokens.access_token.is_some() && tokens.issued_at_ms.is_some());
    // Saving the settings asked Pardot too (account and custom fields); the reconnect made
    // exactly one call, the account.
    let account_calls = stack
        .sim
        .stats()
        .pardot
        .calls
        .calls("GET /api/v5/objects/account");
    assert_eq!(account_calls, 2);
    assert_eq!(stack.pardot_calls() - pardot_before, 1);
    // The replaced grant was revoked: one live refresh token remains.
    let live = crate::admin_common::refresh_tokens(&stack)
        .into_iter()
        .filter(|(token, state)| state == "live" && *token == tokens.refresh_token.expose())
        .count();
    assert_eq!(live, 1);
    let syncable = stack.ctx.store.syncable_tenants().await.expect("index");
    assert_eq!(syncable, vec![tenant.clone()]);
    stack.stop().await;
}

#[tokio::test]
async fn a_business_unit_pardot_refuses_is_reported_but_connected() {
    let stack = stack().await;
    let tenant = tenant();
    // Saved before connecting, so nobody could ask Pardot about this business unit yet.
    let settings = SettingsInput {
        business_unit_id: Some("0Uv5e000000OTHERAA".into()),
        ..demo_settings()
    };
    let (saved, body) = stack
        .put_settings(&tenant, &settings, "en")
        .await
        .expect("save");
    assert_eq!(saved, StatusCode::OK, "{body}");

    let authorize = stack
        .start_connect(&tenant, PardotEnvironment::Production)
        .await
        .expect("connect");
    let callback = stack
        .consent(&authorize, Consent::Allow)
        .await
        .expect("consent");
    expect_outcome(&stack, &callback, "connected_unverified").await;

    let status = status(&stack).await;
    assert_eq!(status["connection"]["state"], "connected");
    assert_eq!(status["problem"]["kind"], "configuration", "{status}");
    assert_eq!(status["problem"]["code"], 201, "{status}");
    assert_eq!(status["next_action"]["code"], "fix_configuration");
    stack.stop().await;
}

#[tokio::test]
async fn access_denied_leaves_the_tenant_not_connected() {
    let stack = stack().await;

    let authorize = stack
        .start_connect(&tenant(), PardotEnvironment::Production)
        .await
        .expect("connect");
    let callback = stack
        .consent(&authorize, Consent::Deny)
        .await
        .expect("consent");

    assert_eq!(query(&callback, "error").as_deref(), Some("access_denied"));
    expect_outcome(&stack, &callback, "denied").await;
    assert_not_connected(&stack).await;
    stack.stop().await;
}

#[tokio::test]
async fn a_tampered_state_is_refused_with_a_plain_message() {
    let stack = stack().await;
    let authorize = stack
        .start_connect(&tenant(), PardotEnvironment::Production)
        .await
        .expect("connect");
    let callback = stack
        .consent(&authorize, Consent::Allow)
        .await
        .expect("consent");

    // One character of the state's signature changed.
    let state = query(&callback, "state").expect("state");
    let mut chars: Vec<char> = state.chars().collect();
    let last = chars.len() - 2;
    chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
    let tampered: String = chars.into_iter().collect();
    let mut forged = callback.clone();
    forged
        .query_pairs_mut()
        .clear()
        .append_pair("code", &query(&callback, "code").expect("code"))
        .append_pair("state", &tampered);

    expect_plain_message(&stack, &forged, "en", "sign-in link is not valid").await;
    expect_plain_message(&stack, &forged, "de", "Anmeldelink ist ungültig").await;
    assert_not_connected(&stack).await;
    stack.stop().await;
}

#[tokio::test]
async fn a_state_older_than_ten_minutes_is_refused() {
    let stack = stack().await;
    let authorize = stack
        .start_connect(&tenant(), PardotEnvironment::Production)
        .await
        .expect("connect");
    let callback = stack
        .consent(&authorize, Consent::Allow)
        .await
        .expect("consent");

    stack.api_clock.advance(10 * 60 + 1);

    expect_plain_message(&stack, &callback, "en", "expired").await;
    expect_plain_message(&stack, &callback, "de", "abgelaufen").await;
    assert_not_connected(&stack).await;
    stack.stop().await;
}

#[tokio::test]
async fn a_state_is_used_once() {
    let stack = stack().await;
    let authorize = stack
        .start_connect(&tenant(), PardotEnvironment::Production)
        .await
        .expect("connect");
    let first = stack
        .consent(&authorize, Consent::Allow)
        .await
        .expect("consent");
    // The same consent URL approved twice: a second code with the same state.
    let second = stack
        .consent(&authorize, Consent::Allow)
        .await
        .expect("consent");
    expect_outcome(&stack, &first, "connected").await;
    let tokens_after_first = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant())
        .await
        .expect("read");

    expect_plain_message(&stack, &first, "en", "already been used").await;
    expect_plain_message(&stack, &second, "de", "bereits verwendet").await;

    let tokens = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant())
        .await
        .expect("read");
    assert_eq!(tokens, tokens_after_first, "a reused state changes nothing");
    assert_eq!(status(&stack).await["connection"]["state"], "connected");
    stack.stop().await;
}

#[tokio::test]
async fn a_pkce_verifier_that_does_not_match_fails_the_exchange() {
    let stack = stack().await;
    let authorize = stack
        .start_connect(&tenant(), PardotEnvironment::Production)
        .await
        .expect("connect");

    // Someone swaps the challenge on the way to Salesforce: our verifier no longer matches.
    let mut swapped = authorize.clone();
    let pairs: Vec<(String, String)> = authorize
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "code_challenge" {
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    swapped.query_pairs_mut().clear().extend_pairs(pairs);
    let callback = stack
        .consent(&swapped, Consent::Allow)
        .await
        .expect("consent");

    expect_outcome(&stack, &callback, "exchange_failed").await;
    assert_not_connected(&stack).await;
    let refused = stack
        .sim
        .stats()
        .oauth
        .calls_with_status("POST /services/oauth2/token", "400");
    assert_eq!(refused, 1, "the exchange was refused by Salesforce");
    stack.stop().await;
}
