//! Attacks on the admin page's checks, driven with `oneshot` like tests/page.rs: sessions
//! replayed across tenants, tampered and re-signed cookies, the expiry edge, CSRF tokens of
//! other sessions or in the wrong place, odd bodies (duplicates, other content types,
//! oversized), open redirects through `/admin` and the page's query, markup in ids, and the
//! security headers of every HTML answer, refusals included.
//!
//! The oracle that needs no storage: a POST to the re-run route with a malformed event id
//! answers 400 only after the tenant, the session and the CSRF token have all held (401: the
//! session was refused; 403: the CSRF token was). Nothing here reaches outside the process.

// Tests may unwrap: a panic there is the assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sbxy_domain::admin_token::{TENANT_ADMIN_ROLE, sign_hs256};
use sbxy_http_api::ApiState;
use sbxy_sync::connection::Clock;
use serde_json::Value;
use sha2::Sha256;

use common::{JWT_SECRET, STATE_KEY, TENANT, admin_token, body_text, claims, send};

const PAGE: &str = "/tenants/tenant-a/pardot/page";
const OTHER_PAGE: &str = "/tenants/tenant-b/pardot/page";
/// The re-run route with an event id the handler refuses after every check held.
const ORACLE: &str = "/tenants/tenant-a/pardot/page/events/bad%21id/attendance";

fn mac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The page's session key as docs/admin-page.md describes it (derived from the state key).
fn page_key() -> Vec<u8> {
    mac(STATE_KEY.as_bytes(), b"sbxy-pardot admin page session v1")
}

/// A session cookie for `tenant` as a browser sends it (`name=value`).
async fn session_cookie(state: &ApiState, tenant: &str) -> String {
    let token = sign_hs256(
        &claims(tenant, TENANT_ADMIN_ROLE, 600),
        JWT_SECRET.as_bytes(),
    );
    let request = Request::post(format!("/tenants/{tenant}/pardot/page/session"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("token={token}")))
        .unwrap();
    let response = send(state.clone(), request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[header::SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

/// The JSON inside a cookie and its tag.
fn cookie_parts(cookie: &str) -> (Value, String) {
    let value = cookie.strip_prefix("sbxy_pardot_page=").unwrap();
    let (payload, tag) = value.split_once('.').unwrap();
    let json = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    (json, tag.to_owned())
}

/// A cookie with `session` as payload, tagged with HMAC under `key`.
fn cookie_signed_with(session: &Value, key: &[u8]) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(session).unwrap());
    let tag = URL_SAFE_NO_PAD.encode(mac(key, payload.as_bytes()));
    format!("sbxy_pardot_page={payload}.{tag}")
}

/// The CSRF token the page renders for the session in `cookie`.
fn csrf_of(cookie: &str) -> String {
    let (session, _) = cookie_parts(cookie);
    let id = session["s"].as_str().unwrap();
    URL_SAFE_NO_PAD.encode(mac(&page_key(), format!("csrf:{id}").as_bytes()))
}

fn post(uri: &str, cookie: Option<&str>, content_type: &str, body: Vec<u8>) -> Request<Body> {
    let mut builder = Request::post(uri)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT_LANGUAGE, "de");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::from(body)).unwrap()
}

fn post_form(uri: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    post(
        uri,
        cookie,
        "application/x-www-form-urlencoded",
        form.as_bytes().to_vec(),
    )
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut builder = Request::get(uri).header(header::ACCEPT_LANGUAGE, "de");
    if let Some(cookie) = cookie {
        builder = builder.header(header::COOKIE, cookie);
    }
    builder.body(Body::empty()).unwrap()
}

/// The security headers docs/admin-page.md promises on every page.
fn assert_page_headers(response: &Response<Body>, what: &str) {
    let csp = common::header_of(response, header::CONTENT_SECURITY_POLICY);
    for part in [
        "default-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "script-src 'nonce-",
    ] {
        assert!(csp.contains(part), "{what}: CSP {csp:?} lacks {part}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    let expected = [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
    ];
    for (name, value) in expected {
        assert_eq!(
            common::header_of(response, name.clone()),
            value,
            "{what}: {name}"
        );
    }
}

#[tokio::test]
async fn the_oracle_passes_with_the_sessions_own_csrf_token() {
    let state = common::state().await;
    let cookie = session_cookie(&state, TENANT).await;
    let form = format!("csrf={}", csrf_of(&cookie));

    let response = send(state, post_form(ORACLE, Some(&cookie), &form)).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn another_tenants_session_with_its_own_csrf_token_is_refused_on_every_form() {
    let state = common::state().await;
    let cookie_b = session_cookie(&state, "tenant-b").await;
    let form = format!("csrf={}&environment=production", csrf_of(&cookie_b));

    for path in [
        "/connect",
        "/disconnect",
        "/settings",
        "/events/event-1/attendance",
    ] {
        let uri = format!("{PAGE}{path}");
        let response = send(state.clone(), post_form(&uri, Some(&cookie_b), &form)).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{uri}");
        assert_page_headers(&response, &uri);
    }
    // And the other way round: A's genuine session is no key to B's page.
    let cookie_a = session_cookie(&state, TENANT).await;
    let page = send(state, get(OTHER_PAGE, Some(&cookie_a))).await;
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_cookie_rewritten_for_another_tenant_or_later_expiry_is_forged() {
    let state = common::state().await;
    let cookie = session_cookie(&state, "tenant-b").await;
    let (session, tag) = cookie_parts(&cookie);

    let mut for_a = session.clone();
    for_a["t"] = TENANT.into();
    let mut later = session.clone();
    later["e"] = (session["e"].as_i64().unwrap() + 86_400).into();
    let keep_tag = |s: &Value| {
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(s).unwrap());
        format!("sbxy_pardot_page={payload}.{tag}")
    };
    let forged = [
        keep_tag(&for_a),
        keep_tag(&later),
        // Signed with keys an attacker might hold or guess.
        cookie_signed_with(&for_a, JWT_SECRET.as_bytes()),
        cookie_signed_with(&for_a, STATE_KEY.as_bytes()),
        cookie_signed_with(&for_a, b""),
        // Broken shapes.
        "sbxy_pardot_page=".to_owned(),
        "sbxy_pardot_page=.".to_owned(),
        "sbxy_pardot_page=a.b.c".to_owned(),
        format!("sbxy_pardot_page={}", "A".repeat(8000)),
        // The forged cookie first, a genuine one of the same tenant after it: the first wins,
        // so cookie tossing can deny but never grant.
        format!(
            "{}; {}",
            keep_tag(&for_a),
            session_cookie(&state, TENANT).await
        ),
    ];

    for cookie in forged {
        let csrf = format!("csrf={}", csrf_of_loose(&cookie));
        let response = send(state.clone(), post_form(ORACLE, Some(&cookie), &csrf)).await;
        let status = response.status();
        let body = body_text(response).await;

        assert_eq!(status, StatusCode::UNAUTHORIZED, "{cookie:.80}");
        assert!(body.contains("Ihre Sitzung ist ungültig"), "{cookie:.80}");
    }
}

/// The CSRF token a forger would compute for a cookie (empty when it has no session id).
fn csrf_of_loose(cookie: &str) -> String {
    let first = cookie.split(';').next().unwrap_or_default();
    let Some((payload, _)) = first
        .strip_prefix("sbxy_pardot_page=")
        .and_then(|v| v.split_once('.'))
    else {
        return String::new();
    };
    let Ok(json) = URL_SAFE_NO_PAD.decode(payload) else {
        return String::new();
    };
    let Ok(session) = serde_json::from_slice::<Value>(&json) else {
        return String::new();
    };
    let id = session["s"].as_str().unwrap_or_default();
    URL_SAFE_NO_PAD.encode(mac(&page_key(), format!("csrf:{id}").as_bytes()))
}

#[tokio::test]
async fn a_session_holds_until_its_expiry_and_not_a_second_longer() {
    let clock = Clock::system();
    let state = common::state().await.with_clock(clock.clone());
    let cookie = session_cookie(&state, TENANT).await;
    let form = format!("csrf={}", csrf_of(&cookie));

    clock.advance(sbxy_http_api::page::SESSION_TTL_SECS - 60);
    let before = send(state.clone(), post_form(ORACLE, Some(&cookie), &form)).await;
    clock.advance(60);
    let at = send(state.clone(), post_form(ORACLE, Some(&cookie), &form)).await;
    let status = at.status();
    let body = body_text(at).await;

    assert_eq!(before.status(), StatusCode::BAD_REQUEST, "still valid");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("Ihre Sitzung ist abgelaufen"), "{body}");
}

#[tokio::test]
async fn a_csrf_token_of_another_session_or_outside_the_body_is_refused() {
    let state = common::state().await;
    let cookie = session_cookie(&state, TENANT).await;
    let other_session = session_cookie(&state, TENANT).await;
    let other_tenant = session_cookie(&state, "tenant-b").await;
    let own = csrf_of(&cookie);

    let refused = [
        format!("csrf={}", csrf_of(&other_session)),
        format!("csrf={}", csrf_of(&other_tenant)),
        // The session cookie's value or its tag is not a CSRF token.
        format!("csrf={}", cookie_parts(&cookie).1),
        format!("csrf={}", &own[..own.len() - 1]),
        format!("csrf={own}A"),
        format!("csrf={}", own.to_uppercase()),
        format!("CSRF={own}"),
        format!("csrf%00={own}"),
        "csrf=".to_owned(),
        String::new(),
    ];
    for form in refused {
        let response = send(state.clone(), post_form(ORACLE, Some(&cookie), &form)).await;

        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{form}");
        assert_page_headers(&response, &form);
    }

    // In the query string instead of the body.
    let uri = format!("{ORACLE}?csrf={own}");
    let in_query = send(state, post_form(&uri, Some(&cookie), "")).await;
    assert_eq!(in_query.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn forms_answer_only_post_and_sign_in_never_reads_the_url() {
    let state = common::state().await;
    let cookie = session_cookie(&state, TENANT).await;
    let csrf = csrf_of(&cookie);

    for path in [
        "/connect",
        "/disconnect",
        "/settings",
        "/events/e-1/attendance",
    ] {
        let uri = format!("{PAGE}{path}?csrf={csrf}");
        let response = send(state.clone(), get(&uri, Some(&cookie))).await;

        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{uri}");
    }
    let token = admin_token();
    let get_sign_in = send(
        state.clone(),
        get(&format!("{PAGE}/session?token={token}"), None),
    )
    .await;
    let post_sign_in = send(
        state,
        post_form(&format!("{PAGE}/session?token={token}"), None, ""),
    )
    .await;

    assert_eq!(get_sign_in.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(post_sign_in.status(), StatusCode::UNAUTHORIZED);
    assert!(!post_sign_in.headers().contains_key(header::SET_COOKIE));
}

#[tokio::test]
async fn odd_bodies_are_refused_before_any_action() {
    let state = common::state().await;
    let cookie = session_cookie(&state, TENANT).await;
    let csrf = csrf_of(&cookie);
    let form = format!("csrf={csrf}");
    let json = format!("{{\"csrf\":\"{csrf}\"}}");
    let huge = format!("csrf={csrf}&business_unit_id={}", "9".repeat(3 << 20));
    let settings = format!("{PAGE}/settings");
    let cases: [(&str, &str, Vec<u8>); 7] = [
        (ORACLE, "application/json", json.into_bytes()),
        (ORACLE, "text/plain", form.clone().into_bytes()),
        (
            ORACLE,
            "multipart/form-data; boundary=x",
            format!("--x\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--x--")
                .into_bytes(),
        ),
        // Duplicate fields, either order.
        (ORACLE, FORM, format!("{form}&csrf=forged").into_bytes()),
        (ORACLE, FORM, format!("csrf=forged&{form}").into_bytes()),
        (&settings, FORM, huge.into_bytes()),
        (&settings, FORM, b"csrf=%FF%FE&sync_enabled=on".to_vec()),
    ];

    for (uri, content_type, body) in cases {
        let response = send(state.clone(), post(uri, Some(&cookie), content_type, body)).await;
        let status = response.status();

        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::FORBIDDEN,
            "{uri} {content_type}: {status}"
        );
        assert_page_headers(&response, content_type);
    }
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn the_callback_landing_never_leaves_the_tenants_page() {
    let state = common::state().await;
    let hostile_tenants = [
        "%2F%2Fevil.example",
        "//evil.example",
        "https://evil.example",
        "https%3A%2F%2Fevil.example",
        "tenant-a%0D%0ALocation:%20https://evil.example",
        "javascript:alert(1)",
        "..%2F..%2Fevil",
        "tenant-a&tenant=evil",
        "",
    ];
    for tenant in hostile_tenants {
        let uri = format!("/admin?tenant={tenant}&outcome=connected");
        let response = send(state.clone(), get(&uri, None)).await;
        let status = response.status();
        assert_page_headers(&response, &uri);
        let body = body_text(response).await;

        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(!body.contains("evil"), "{uri}: {body}");
        assert!(!body.contains("http-equiv"), "{uri}: no hop");
    }

    for outcome in [
        "https://evil.example",
        "connected%26next%3Dhttps://evil.example",
        "%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    ] {
        let uri = format!("/admin?tenant=tenant-a&outcome={outcome}&lang=javascript:x");
        let response = send(state.clone(), get(&uri, None)).await;
        assert_page_headers(&response, &uri);
        let body = body_text(response).await;

        assert!(
            body.contains("content=\"0;url=/tenants/tenant-a/pardot/page?lang=de\""),
            "{uri}: {body}"
        );
        assert!(
            !body.contains("evil") && !body.contains("<script>"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn the_pages_query_and_headers_are_never_echoed() {
    let state = common::state().await;
    let uri = format!(
        "{PAGE}?lang=%22%3E%3Cscript%3E&notice=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E\
         &outcome=%3Cb%3Eevil"
    );
    let request = Request::get(&uri)
        .header(header::ACCEPT_LANGUAGE, "\"><script>alert(1)</script>")
        .body(Body::empty())
        .unwrap();

    let response = send(state, request).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_page_headers(&response, "page");
    assert!(
        ["de", "en"].contains(&common::header_of(&response, header::CONTENT_LANGUAGE).as_str()),
        "a fixed language tag"
    );
    let body = body_text(response).await;
    for echoed in ["<img", "onerror", "<b>", "evil", "<script>alert"] {
        assert!(!body.contains(echoed), "{echoed} in {body}");
    }
    assert!(
        !body.contains("id=\"notice\""),
        "no banner for unknown values"
    );
}

#[tokio::test]
async fn markup_in_a_tenant_or_event_id_is_refused_and_not_echoed() {
    let state = common::state().await;
    let cookie = session_cookie(&state, TENANT).await;
    let csrf = format!("csrf={}", csrf_of(&cookie));
    let script = "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let long = "a".repeat(101);

    let requests = [
        get(&format!("/tenants/{script}/pardot/page"), None),
        get(&format!("/tenants/{long}/pardot/page"), None),
        post_form(
            &format!("/tenants/{script}/pardot/page/session"),
            None,
            &format!("token={}", admin_token()),
        ),
        post_form(
            &format!("/tenants/{script}/pardot/page/disconnect"),
            None,
            "",
        ),
        post_form(
            &format!("{PAGE}/events/{script}/attendance"),
            Some(&cookie),
            &csrf,
        ),
        post_form(
            &format!("{PAGE}/events/{long}/attendance"),
            Some(&cookie),
            &csrf,
        ),
    ];
    for request in requests {
        let uri = request.uri().to_string();
        let response = send(state.clone(), request).await;
        let status = response.status();
        assert_page_headers(&response, &uri);
        let body = body_text(response).await;

        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST,
            "{uri}: {status}"
        );
        assert!(!body.contains("<script>alert"), "{uri}: {body}");
        assert!(!body.contains(&long), "{uri}: the id is not echoed");
    }
}

#[tokio::test]
async fn every_sign_in_refusal_carries_the_page_headers_and_no_cookie() {
    let state = common::state().await;
    let other = sign_hs256(
        &claims("tenant-b", TENANT_ADMIN_ROLE, 600),
        JWT_SECRET.as_bytes(),
    );
    // A token signed with the page's own session key, or the state key, is not an admin token.
    let with_state_key = sign_hs256(
        &claims(TENANT, TENANT_ADMIN_ROLE, 600),
        STATE_KEY.as_bytes(),
    );
    let alg_none = {
        let (_, rest) = admin_token()
            .split_once('.')
            .map(|(h, r)| (h.to_owned(), r.to_owned()))
            .unwrap();
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let payload = rest.split_once('.').unwrap().0.to_owned();
        format!("{header}.{payload}.")
    };

    for token in [other, with_state_key, alg_none, "x".repeat(100_000)] {
        let response = send(
            state.clone(),
            post_form(&format!("{PAGE}/session"), None, &format!("token={token}")),
        )
        .await;
        let status = response.status();

        assert!(
            status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN,
            "{status}"
        );
        assert!(!response.headers().contains_key(header::SET_COOKIE));
        assert_page_headers(&response, "sign-in");
        assert!(!body_text(response).await.contains(&token[..20]));
    }
}
