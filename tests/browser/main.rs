//! The admin page in a real browser (issue 8): Debian's headless Chromium through
//! chromedriver, against the local stack (moto, the simulators, the HTTP API). It signs in the
//! way the Backstage does, connects through the simulated Salesforce login and consent, saves
//! the settings once with an invalid Business Unit ID, sees an event's sync status after a
//! sync and re-runs Show / No Show. Screenshots land in `target/browser/`.
//!
//! Run it with `cargo test -p sbxy-e2e --test browser`; it needs `/usr/bin/chromium` and
//! `/usr/bin/chromedriver` (or `CHROMIUM` / `CHROMEDRIVER`): `make browser-tools`.

mod driver;

use anyhow::Context;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use sbxy_domain::attendance::{AttendanceOutcome, AttendanceTrigger};
use sbxy_e2e::{sync, tenant};
use sbxy_harness::{
    DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_PASSWORD, DEMO_USERNAME, Stack, StackOptions,
};
use serde_json::json;

use driver::Browser;

/// Every text input, checkbox and radio without a label, by name (empty when all have one).
const UNLABELLED: &str = "return Array.from(document.querySelectorAll('input:not([type=hidden])'))\
    .filter(function (i) { return !(i.labels && i.labels.length); })\
    .map(function (i) { return i.name; });";

/// The page's structure without its words: every element with an id, and every form field.
const LAYOUT: &str = "return Array.from(document.querySelectorAll('[id], input, button, th'))\
    .map(function (e) { return e.tagName + '#' + e.id + '/' + (e.name || ''); }).join(',');";

/// Posts the admin token to the page's sign-in route from a page of our origin, as the
/// Backstage's form does.
const SIGN_IN: &str = "var f = document.createElement('form'); f.method = 'post';\
    f.action = arguments[0]; var i = document.createElement('input'); i.type = 'hidden';\
    i.name = 'token'; i.value = arguments[1]; f.appendChild(i); document.body.appendChild(f);\
    f.submit(); return true;";

#[tokio::test]
async fn an_admin_connects_configures_and_reruns_in_a_real_browser() {
    let seed = sbxy_harness::demo_seed().expect("the demo seed loads");
    let stack = Stack::start(seed, StackOptions::default())
        .await
        .expect("stack");
    let browser = Browser::start("de-DE,de").await.expect(
        "the browser starts (if chromium or chromedriver is missing: run `make browser-tools`)",
    );

    let result = flow(&stack, &browser).await;

    browser.stop().await;
    stack.stop().await;
    if let Err(err) = result {
        panic!("{err:#}");
    }
}

async fn flow(stack: &Stack, browser: &Browser) -> anyhow::Result<()> {
    let tenant = tenant();
    let page = stack.api(&format!("/tenants/{tenant}/pardot/page"));
    let mut shots = Vec::new();

    // Signed in once with the admin token; the page says "not connected", in grey.
    browser.client.goto(&page).await?;
    browser
        .wait_for_text("#message", "Öffnen Sie diese Seite aus dem Backstage")
        .await?;
    let session_url = format!("{page}/session");
    let token = stack.admin_token(&tenant);
    browser
        .js(SIGN_IN, vec![json!(session_url), json!(token)])
        .await?;
    browser
        .wait_for_text("#connection-status", "Nicht mit Pardot verbunden")
        .await?;
    let class = browser.attr("#connection-status", "class").await?;
    assert_eq!(class.as_deref(), Some("status status-off"));
    assert_eq!(browser.js(UNLABELLED, vec![]).await?, json!([]));
    shots.push(browser.screenshot("01-not-connected").await?);

    // "Mit Pardot verbinden": the Salesforce login and consent, then back on the page.
    browser.click("#connect").await?;
    browser.wait_for_text("#allow", "Allow").await?;
    browser.fill("#username", DEMO_USERNAME).await?;
    browser.fill("#password", DEMO_PASSWORD).await?;
    shots.push(browser.screenshot("02-salesforce-consent").await?);
    browser.click("#allow").await?;
    browser
        .wait_for_text("#connection-status", "Mit Pardot verbunden")
        .await?;
    browser
        .wait_for_text("#notice", "Mit Pardot verbunden.")
        .await?;
    let user = browser.wait_for_text("#salesforce-user", "").await?;
    assert!(!user.is_empty(), "the Salesforce user is shown");

    // Checkbox 2 needs checkbox 1: greyed out until it is on (the API refuses it as well).
    let lists = || async {
        let element = browser
            .client
            .find(fantoccini::Locator::Css("#attendance_lists_enabled"))
            .await?;
        anyhow::Ok(element.is_enabled().await?)
    };
    assert!(
        !lists().await?,
        "checkbox 2 is disabled while checkbox 1 is off"
    );
    browser.click("#sync_enabled").await?;
    assert!(lists().await?, "checkbox 2 is usable once checkbox 1 is on");
    browser.click("#attendance_lists_enabled").await?;

    // An invalid Business Unit ID: the API's message, linked to its field.
    browser.fill("#business_unit_id", "0Uv-not-an-id").await?;
    browser.fill("#link_field", DEMO_LINK_FIELD).await?;
    browser.click("#save").await?;
    let message = browser
        .wait_for_text("#business_unit_id-error", "0Uv")
        .await?;
    assert!(!message.is_empty());
    assert_eq!(
        browser
            .attr("#business_unit_id", "aria-invalid")
            .await?
            .as_deref(),
        Some("true")
    );
    let describedby = browser
        .attr("#business_unit_id", "aria-describedby")
        .await?
        .unwrap_or_default();
    assert!(
        describedby
            .split(' ')
            .any(|id| id == "business_unit_id-error"),
        "{describedby}"
    );
    browser.wait_for_text("#alert", "nicht gespeichert").await?;
    shots.push(browser.screenshot("03-invalid-business-unit").await?);

    // Valid settings are saved.
    browser
        .fill("#business_unit_id", DEMO_BUSINESS_UNIT)
        .await?;
    browser.click("#save").await?;
    browser
        .wait_for_text("#notice", "Die Einstellungen wurden gespeichert.")
        .await?;
    assert_eq!(
        browser.attr("#business_unit_id", "value").await?.as_deref(),
        Some(DEMO_BUSINESS_UNIT)
    );
    shots.push(browser.screenshot("04-connected-with-settings").await?);

    // A sync run, then the events' sync status.
    let report = sync(stack).await.context("sync run")?;
    assert!(report.counts.registered > 0, "{report:?}");
    browser.client.goto(&page).await?;
    browser
        .wait_for_text("#events caption", "Verknüpfte")
        .await?;
    let rows = browser
        .client
        .find_all(fantoccini::Locator::Css("#events tbody tr"))
        .await?;
    assert_eq!(rows.len(), 2, "both linked events are listed");
    let event = rows[0]
        .attr("data-event")
        .await?
        .context("a row names its event")?;
    let row = format!("#events tr[data-event=\"{event}\"]");
    let counts = browser
        .wait_for_text(&format!("{row} .counts"), "registriert")
        .await?;
    assert!(!counts.starts_with("0 "), "{counts}");
    let last_sync = browser
        .wait_for_text(&format!("{row} .last-sync"), "UTC")
        .await?;
    assert!(last_sync.ends_with("UTC"));
    browser
        .wait_for_text(&format!("{row} .attendance"), "Noch nicht ausgeführt")
        .await?;
    shots.push(browser.screenshot("05-event-status").await?);

    // The event ends; re-run Show / No Show: accepted, and the sync-worker's write-back runs.
    stack.set_event_state(&event, "Finished")?;
    browser.click(&format!("#rerun-{event}")).await?;
    browser
        .wait_for_text("#notice", "Show / No Show wird erneut ausgeführt")
        .await?;
    stack.attendance.settle().await;
    let reports = stack.attendance.take_reports();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].event_id, event);
    assert_eq!(reports[0].trigger, AttendanceTrigger::Rerun);
    assert_eq!(
        reports[0].outcome,
        AttendanceOutcome::Success,
        "{reports:?}"
    );
    browser.client.goto(&page).await?;
    browser
        .wait_for_text(&format!("{row} .attendance"), "Erfolgreich")
        .await?;
    shots.push(browser.screenshot("06-attendance-rerun").await?);

    // English has the same layout.
    browser.client.goto(&format!("{page}?lang=de")).await?;
    browser
        .wait_for_text("#connection-status", "Mit Pardot verbunden")
        .await?;
    let german = browser.js(LAYOUT, vec![]).await?;
    browser.click("#language").await?;
    browser
        .wait_for_text("#connection-status", "Connected to Pardot")
        .await?;
    browser.wait_for_text("#save", "Save").await?;
    assert_eq!(browser.js(LAYOUT, vec![]).await?, german);
    assert_eq!(browser.js(UNLABELLED, vec![]).await?, json!([]));
    shots.push(browser.screenshot("07-english").await?);

    without_javascript(stack, &page).await?;
    println!("screenshots:");
    for shot in &shots {
        println!("  {}", shot.display());
    }
    Ok(())
}

/// The status is in the HTML the server sends: a client that runs no script reads it.
async fn without_javascript(stack: &Stack, page: &str) -> anyhow::Result<()> {
    let tenant = tenant();
    let signed_in = stack
        .http
        .post(format!("{page}/session"))
        .form(&[("token", stack.admin_token(&tenant))])
        .send()
        .await?;
    assert_eq!(signed_in.status(), StatusCode::OK);
    let cookie = signed_in
        .headers()
        .get(SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("a session cookie")?
        .to_owned();

    let html = stack
        .http
        .get(format!("{page}?lang=de"))
        .header(COOKIE, cookie)
        .send()
        .await?
        .text()
        .await?;
    assert!(html.contains("Mit Pardot verbunden</span>"), "{html}");
    assert!(html.contains("<table id=\"events\">"));
    assert!(
        html.contains("Erfolgreich"),
        "the write-back's state is in the HTML"
    );
    Ok(())
}
