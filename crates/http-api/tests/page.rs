//! The admin page's sign-in, session cookie and CSRF checks, driven with `oneshot`: the cookie
//! is set with exactly the flags we promise, a session works only for its own tenant and only
//! until it expires, and a form without the session's CSRF token is refused. None of these
//! requests gets past the checks, so nothing outside the process is called.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sbxy_domain::admin_token::{TENANT_ADMIN_ROLE, sign_hs256};
use sbxy_http_api::ApiState;
use sbxy_sync::connection::Clock;

use common::{JWT_SECRET, TENANT, admin_token, body_text, claims, send};

const PAGE: &str = "/tenants/tenant-a/pardot/page";

fn sign_in_request(tenant: &str, token: &str) -> Request<Body> {
    Request::post(format!("/tenants/{tenant}/pardot/page/session"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "de-DE,de;q=0.9")
        .body(Body::from(format!("token={token}")))
        .expect("request")
}

/// Signs in as the test tenant's admin; the `Cookie` header value of the session.
async fn session_cookie(state: &ApiState) -> String {
    let response = send(state.clone(), sign_in_request(TENANT, &admin_token())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE]
        .to_str()
        .expect("ascii")
        .to_owned();
    set_cookie
        .split(';')
        .next()
        .expect("name=value first")
        .to_owned()
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(uri).header(header::ACCEPT_LANGUAGE, "de");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).expect("request")
}

fn post_form(uri: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut builder = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT_LANGUAGE, "de");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(form.to_owned())).expect("request")
}

#[tokio::test]
async fn signing_in_sets_a_strict_http_only_cookie_scoped_to_the_tenants_page() {
    let state = common::state().await;

    let response = send(state, sign_in_request(TENANT, &admin_token())).await;

    assert_eq!(response.status(), StatusCode::OK);
    let cookie = common::header_of(&response, header::SET_COOKIE);
    let (value, flags) = cookie.split_once(';').expect("flags");
    assert!(value.starts_with("sbxy_pardot_page="), "{cookie}");
    assert_eq!(
        flags,
        " Path=/tenants/tenant-a/pardot/page; Max-Age=1800; HttpOnly; Secure; SameSite=Strict"
    );
    assert_eq!(
        common::header_of(&response, header::CACHE_CONTROL),
        "no-store"
    );
    assert_eq!(
        common::header_of(&response, header::X_FRAME_OPTIONS),
        "DENY"
    );
    let csp = common::header_of(&response, header::CONTENT_SECURITY_POLICY);
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("script-src 'nonce-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let body = body_text(response).await;
    assert!(
        body.contains("url=/tenants/tenant-a/pardot/page?lang=de"),
        "{body}"
    );
    assert!(!body.contains(&admin_token()), "the token is never echoed");
}

#[tokio::test]
async fn signing_in_needs_a_valid_token_of_the_paths_tenant() {
    let state = common::state().await;
    let other = sign_hs256(
        &claims("tenant-b", TENANT_ADMIN_ROLE, 600),
        JWT_SECRET.as_bytes(),
    );
    let wrong_role = sign_hs256(&claims(TENANT, "Viewer", 600), JWT_SECRET.as_bytes());
    let expired = sign_hs256(
        &claims(TENANT, TENANT_ADMIN_ROLE, -600),
        JWT_SECRET.as_bytes(),
    );

    let cases = [
        (other.as_str(), StatusCode::FORBIDDEN),
        (wrong_role.as_str(), StatusCode::FORBIDDEN),
        (expired.as_str(), StatusCode::UNAUTHORIZED),
        ("not-a-jwt", StatusCode::UNAUTHORIZED),
        ("", StatusCode::UNAUTHORIZED),
    ];
    for (token, expected) in cases {
        let response = send(state.clone(), sign_in_request(TENANT, token)).await;

        assert_eq!(response.status(), expected, "{token}");
        assert!(!response.headers().contains_key(header::SET_COOKIE));
    }
}

#[tokio::test]
async fn without_a_session_the_page_says_how_to_sign_in() {
    let response = send(common::state().await, get(PAGE, None)).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(common::header_of(&response, header::CONTENT_LANGUAGE), "de");
    let body = body_text(response).await;
    assert!(
        body.contains("Öffnen Sie diese Seite aus dem Backstage"),
        "{body}"
    );
}

#[tokio::test]
async fn another_tenants_session_is_refused() {
    let state = common::state().await;
    let cookie = session_cookie(&state).await;

    let page = send(
        state.clone(),
        get("/tenants/tenant-b/pardot/page", Some(&cookie)),
    )
    .await;
    let form = send(
        state,
        post_form(
            "/tenants/tenant-b/pardot/page/disconnect",
            Some(&cookie),
            "csrf=x",
        ),
    )
    .await;

    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    assert!(body_text(page).await.contains("Ihre Sitzung ist ungültig"));
    assert_eq!(form.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_403() {
    let state = common::state().await;
    let cookie = session_cookie(&state).await;
    let forms = [
        ("/connect", "environment=production"),
        ("/disconnect", "csrf="),
        ("/settings", "csrf=forged&sync_enabled=on"),
        ("/events/event-1/attendance", "csrf=AAAA"),
    ];

    for (path, form) in forms {
        let uri = format!("{PAGE}{path}");
        let response = send(state.clone(), post_form(&uri, Some(&cookie), form)).await;

        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{uri}");
        assert!(
            body_text(response)
                .await
                .contains("Das Formular ist nicht mehr gültig"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn a_form_without_a_session_is_401() {
    let state = common::state().await;

    let response = send(
        state,
        post_form(&format!("{PAGE}/disconnect"), None, "csrf=x"),
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_expired_session_asks_to_sign_in_again() {
    let clock = Clock::system();
    let state = common::state().await.with_clock(clock.clone());
    let cookie = session_cookie(&state).await;
    clock.advance(sbxy_http_api::page::SESSION_TTL_SECS + 1);

    let response = send(state, get(PAGE, Some(&cookie))).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        body_text(response)
            .await
            .contains("Ihre Sitzung ist abgelaufen")
    );
}

#[tokio::test]
async fn a_forged_cookie_is_refused() {
    let state = common::state().await;
    let cookie = session_cookie(&state).await;
    let forged = cookie.replacen("sbxy_pardot_page=", "sbxy_pardot_page=x", 1);

    let response = send(state, get(PAGE, Some(&forged))).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        body_text(response)
            .await
            .contains("Ihre Sitzung ist ungültig")
    );
}

#[tokio::test]
async fn the_callbacks_landing_moves_on_to_the_page_with_a_known_outcome_only() {
    let state = common::state().await;

    let known = send(
        state.clone(),
        get("/admin?tenant=tenant-a&outcome=denied", None),
    )
    .await;
    let unknown = send(
        state.clone(),
        get("/admin?tenant=tenant-a&outcome=%22%3E%3Cscript%3E", None),
    )
    .await;
    let bad_tenant = send(state, get("/admin?tenant=a%23b&outcome=denied", None)).await;

    assert_eq!(known.status(), StatusCode::OK);
    assert!(
        body_text(known)
            .await
            .contains("url=/tenants/tenant-a/pardot/page?lang=de&amp;outcome=denied")
    );
    let unknown = body_text(unknown).await;
    assert!(unknown.contains("url=/tenants/tenant-a/pardot/page?lang=de\""));
    assert!(!unknown.contains("<script>"));
    assert_eq!(bad_tenant.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_outcome_shows_even_before_signing_in() {
    let response = send(
        common::state().await,
        get(&format!("{PAGE}?outcome=denied&lang=en"), None),
    )
    .await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body = body_text(response).await;
    assert!(body.contains("Access was denied at Salesforce"), "{body}");
    assert!(body.contains("<html lang=\"en\">"));
}
