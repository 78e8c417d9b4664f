//! Attacks on the admin page with the whole stack (moto, simulators, the API on 127.0.0.1):
//! hostile names from Salesforce, STREAMBOXY and Pardot rendered into the page, the checkbox
//! dependency posted around the page's script, a re-run of an event the tenant does not have,
//! and the admin token, session cookie and CSRF token kept out of the logs.

use std::io::Write;
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};
use sbxy_e2e::{connected_stack, tenant};
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack, StackOptions};
use sbxy_sync::Deadline;
use serde_json::json;

use crate::util::{EVENT_LAUNCH, EVENT_SUMMIT, link_event, run};

/// Markup, quotes, an attribute break-out, a right-to-left override and an emoji.
const NASTY: &str = "\"><img src=x onerror=alert(1)><script>alert(2)</script>'\u{202e}🎉";

fn page_path() -> String {
    format!("/tenants/{DEMO_TENANT}/pardot/page")
}

/// Signs in like the Backstage; the `Cookie` header value of the session.
async fn sign_in(stack: &Stack) -> String {
    let response = stack
        .http
        .post(stack.api(&format!("{}/session", page_path())))
        .form(&[("token", stack.admin_token(&tenant()))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    set_cookie.split(';').next().unwrap().to_owned()
}

/// The page's HTML and CSP header.
async fn page(stack: &Stack, cookie: &str) -> (StatusCode, String, String) {
    let response = stack
        .http
        .get(stack.api(&page_path()))
        .header(COOKIE, cookie)
        .header(ACCEPT_LANGUAGE, "de")
        .send()
        .await
        .unwrap();
    let status = response.status();
    let csp = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    (status, response.text().await.unwrap(), csp)
}

/// The CSRF token rendered into the page's forms.
fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

async fn post_form(
    stack: &Stack,
    path: &str,
    cookie: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    stack
        .http
        .post(stack.api(path))
        .header(COOKIE, cookie)
        .header(ACCEPT_LANGUAGE, "de")
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_page_escapes_hostile_names_from_every_source() {
    let stack = connected_stack(StackOptions::default()).await.unwrap();
    let long_title = format!("{NASTY}{}", "x".repeat(5_000));
    stack
        .sim
        .set_event(DEMO_TENANT, EVENT_LAUNCH, &json!({ "title": long_title }))
        .unwrap();
    // A list name no list has: the sync records a problem that quotes it.
    link_event(&stack, EVENT_SUMMIT, json!(NASTY));
    run(&stack, Deadline::none()).await;
    stack
        .ctx
        .store
        .update_tenant(&tenant(), |record| {
            record.connection.salesforce_username = Some(NASTY.to_owned());
            record.connection.salesforce_user_id = Some(NASTY.to_owned());
        })
        .await
        .unwrap();
    let cookie = sign_in(&stack).await;

    let (status, html, csp) = page(&stack, &cookie).await;

    assert_eq!(status, StatusCode::OK, "{html}");
    let escaped = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)";
    assert!(
        html.matches(escaped).count() >= 3,
        "user, title and list name are shown escaped: {html}"
    );
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("alert(2)</script>"), "{html}");
    assert!(
        !html.contains("'\u{202e}"),
        "quotes are escaped, so no attribute is broken out of: {html}"
    );
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the page's own script"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap();
    assert!(html.contains(&format!("<script nonce=\"{nonce}\">")));
    assert!(
        html.contains(&"x".repeat(5_000)),
        "a long title is shown whole"
    );
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_page_checkbox_two_or_three_without_one_is_refused_by_the_api() {
    let stack = connected_stack(StackOptions::default()).await.unwrap();
    let cookie = sign_in(&stack).await;
    let (_, html, _) = page(&stack, &cookie).await;
    let csrf = csrf_in(&html);
    let settings = format!("{}/settings", page_path());

    for checkbox in ["attendance_lists_enabled", "external_activities_enabled"] {
        let response = post_form(
            &stack,
            &settings,
            &cookie,
            &[
                ("csrf", &csrf),
                (checkbox, "on"),
                ("business_unit_id", DEMO_BUSINESS_UNIT),
                ("link_field", DEMO_LINK_FIELD),
            ],
        )
        .await;
        let status = response.status();
        let body = response.text().await.unwrap();

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{checkbox}");
        assert!(
            body.contains(&format!(
                "<p class=\"field-error\" id=\"{checkbox}-error\">"
            )),
            "{checkbox}: {body}"
        );
        assert!(
            body.contains("erfordert, dass die Synchronisation"),
            "{body}"
        );
    }
    let record = stack.ctx.store.tenant(&tenant()).await.unwrap().unwrap();
    let saved = record.settings.unwrap();
    assert!(saved.sync_enabled, "the refused saves changed nothing");
    assert!(!saved.attendance_lists_enabled && saved.external_activities.is_none());
    stack.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_page_rerun_of_an_event_the_tenant_does_not_link() {
    let stack = connected_stack(StackOptions::default()).await.unwrap();
    let cookie = sign_in(&stack).await;
    let (_, html, _) = page(&stack, &cookie).await;
    let csrf = csrf_in(&html);
    let lists_before = stack.sim.lists(DEMO_BUSINESS_UNIT).len();

    let path = format!("{}/events/no-such-event/attendance", page_path());
    let response = post_form(&stack, &path, &cookie, &[("csrf", &csrf)]).await;

    // Like `POST …/attendance/rerun`, the page queues the job; the worker must then refuse it
    // without touching Pardot.
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_owned();
    assert!(location.starts_with(&page_path()), "{location}");
    stack.attendance.settle().await;
    let reports = stack.attendance.take_reports();
    let report = reports
        .iter()
        .find(|r| r.event_id == "no-such-event")
        .expect("the job ran");
    assert_ne!(
        report.outcome,
        sbxy_domain::attendance::AttendanceOutcome::Success,
        "{report:?}"
    );
    assert_eq!(report.pardot_calls, 0, "{report:?}");
    assert_eq!(stack.sim.lists(DEMO_BUSINESS_UNIT).len(), lists_before);
    let (_, html, _) = page(&stack, &cookie).await;
    assert!(
        !html.contains("no-such-event"),
        "no row for an unlinked event"
    );
    stack.stop().await;
}

/// A writer that appends to a shared buffer, for capturing the log lines.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs on one thread, so the scoped subscriber sees every task of the API server.
#[tokio::test(flavor = "current_thread")]
async fn attack_page_keeps_token_cookie_and_csrf_out_of_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "info,sbxy_http_api=trace,sbxy_sync=debug,sbxy_storage=debug",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let stack = connected_stack(StackOptions::default()).await.unwrap();
    let token = stack.admin_token(&tenant());
    let cookie = sign_in(&stack).await;
    let (_, html, _) = page(&stack, &cookie).await;
    let csrf = csrf_in(&html);
    let session = format!("{}/session", page_path());
    let other = sbxy_domain::ids::TenantId::parse("another-tenant").unwrap();
    for bad in [stack.admin_token(&other), format!("{token}x")] {
        post_form(&stack, &session, "", &[("token", &bad)]).await;
    }
    let settings = format!("{}/settings", page_path());
    post_form(
        &stack,
        &settings,
        &cookie,
        &[("csrf", &csrf), ("business_unit_id", "0Uvnot-valid")],
    )
    .await;
    post_form(&stack, &settings, &cookie, &[("csrf", "forged")]).await;
    post_form(&stack, &settings, &format!("{cookie}x"), &[("csrf", &csrf)]).await;
    stack.stop().await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("admin page session started"),
        "logs were captured"
    );
    let value = cookie.split_once('=').unwrap().1;
    let (payload, tag) = value.split_once('.').unwrap();
    let signature = token.rsplit('.').next().unwrap();
    for (what, secret) in [
        ("admin token", token.as_str()),
        ("admin token signature", signature),
        ("session payload", payload),
        ("session tag", tag),
        ("csrf token", csrf.as_str()),
    ] {
        assert!(!logs.contains(secret), "the {what} is in the logs");
    }
}
