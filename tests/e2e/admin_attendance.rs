//! `POST …/events/{event}/attendance/rerun`: the admin's re-run reaches the sync-worker's
//! write-back (delivered in-process by the harness, as EventBridge does in AWS), and only for
//! the tenant's own admin.

use reqwest::StatusCode;
use sbxy_domain::admin_token::{AdminClaims, TENANT_ADMIN_ROLE, sign_hs256};
use sbxy_domain::attendance::AttendanceTrigger;
use sbxy_e2e::tenant;

use crate::admin_common::stack;

#[tokio::test]
async fn an_admin_rerun_runs_the_events_write_back() {
    let stack = stack().await;
    let tenant = tenant();
    stack
        .connect_tenant(&tenant, sbxy_harness::attendance_settings())
        .await
        .expect("connect");
    let seed = sbxy_harness::demo_seed().expect("seed");
    let event = seed.streamboxy.tenants[0].events[0].id.clone();
    let url = stack.api(&format!(
        "/tenants/{tenant}/events/{event}/attendance/rerun"
    ));

    let other = AdminClaims {
        tenant_id: "another-tenant".into(),
        role: vec![TENANT_ADMIN_ROLE.into()],
        exp: chrono::Utc::now().timestamp() + 600,
        nbf: None,
        sub: None,
    };
    let foreign = sign_hs256(&other, stack.env["ADMIN_JWT_SECRET"].as_bytes());
    let refused = stack
        .http
        .post(&url)
        .bearer_auth(foreign)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let accepted = stack
        .http
        .post(&url)
        .bearer_auth(stack.admin_token(&tenant))
        .send()
        .await
        .expect("post");
    assert_eq!(accepted.status(), StatusCode::ACCEPTED);
    stack.attendance.settle().await;

    let reports = stack.attendance.take_reports();
    assert_eq!(
        reports.len(),
        1,
        "only the admin's request ran: {reports:?}"
    );
    assert_eq!(reports[0].event_id, event);
    assert_eq!(reports[0].trigger, AttendanceTrigger::Rerun);

    let bad = stack
        .http
        .post(stack.api(&format!("/tenants/{tenant}/events/a%23b/attendance/rerun")))
        .bearer_auth(stack.admin_token(&tenant))
        .send()
        .await
        .expect("post");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    stack.stop().await;
}
