//! Pardot error codes and their HTTP statuses: 13, 49, 51, 52, 58, 66, 109, 122, 150–154, 180,
//! 181, 182, 184, 192, 201, 209, 219.

use std::time::Duration;

use sbxy_simulators::{BusinessUnitSeed, Latency, PardotSeed};
use serde_json::json;

use crate::common::{
    BU, DEMO_HOST_BU, Pardot, UNMAPPED_BU, http, json, pardot_error, sim, sim_with,
};

const LISTS: &str = "/api/v5/objects/lists";

#[tokio::test]
async fn parameter_errors() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let code = |path: String| {
        let request = pardot.get(&path);
        async move { pardot_error(request.send().await.unwrap()).await }
    };

    assert_eq!(code(LISTS.to_owned()).await, (400, 13));
    assert_eq!(code(format!("{LISTS}?fields=id,bogus")).await, (400, 51));
    assert_eq!(
        code(format!("{LISTS}?fields=id&name=Webinar")).await,
        (400, 51)
    );
    assert_eq!(
        code(format!("{LISTS}?fields=id&limit=1001")).await,
        (400, 52)
    );
    assert_eq!(
        code(format!(
            "{LISTS}?fields=id&orderBy=id%20ASC,updatedAt%20DESC"
        ))
        .await,
        (400, 51)
    );
    assert_eq!(
        code(
            "/api/v5/objects/list-memberships?fields=id&listId=1&prospectId=2&idGreaterThan=3\
             &updatedAtAfter=2026-01-01T00:00:00Z"
                .to_owned()
        )
        .await,
        (400, 209)
    );
    assert_eq!(code(format!("{LISTS}/999?fields=id")).await, (404, 109));
    assert_eq!(code(format!("{LISTS}/abc?fields=id")).await, (404, 109));
    assert_eq!(
        code("/api/v5/objects/bogus?fields=id".to_owned()).await,
        (404, 192)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn business_unit_header_and_host_errors() {
    let sim = sim().await;
    let mut pardot = Pardot::new(&sim);
    let account = "/api/v5/objects/account?fields=id";

    let missing = http()
        .get(format!("{}{account}", sim.pardot_url))
        .bearer_auth(&pardot.token)
        .send()
        .await
        .unwrap();
    let missing_status = missing.status().as_u16();
    let body = json(missing).await;
    assert_eq!(missing_status, 400);
    assert_eq!(
        body,
        json!({"code": 181, "message":
            "A required header is missing: Pardot-Business-Unit-Id header not found on request."})
    );

    pardot.bu = "0Uv123".to_owned();
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (400, 182)
    );
    pardot.bu = "0Uv999999999999AAA".to_owned();
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (403, 201)
    );

    // A demo BU on the production host, and a production BU on the demo host → 201.
    pardot.bu = DEMO_HOST_BU.to_owned();
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (403, 201)
    );
    pardot.base = sim.pardot_demo_url.clone();
    assert_eq!(pardot.get(account).send().await.unwrap().status(), 200);
    pardot.bu = BU.to_owned();
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (403, 201)
    );

    // The user is not mapped to this BU → 49.
    pardot.base = sim.pardot_url.clone();
    pardot.bu = UNMAPPED_BU.to_owned();
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (403, 49)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_expired_and_revoked_tokens_get_184() {
    let sim = sim().await;
    let mut pardot = Pardot::new(&sim);
    let account = "/api/v5/objects/account?fields=id";
    assert_eq!(pardot.get(account).send().await.unwrap().status(), 200);

    sim.advance_clock(7201);
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (401, 184)
    );

    pardot.token = "00Dnot!valid".to_owned();
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (401, 184)
    );
    sim.shutdown().await;

    let sim = sim_with(|c| c.pardot.invalid_token_status = 400).await;
    let mut pardot = Pardot::new(&sim);
    pardot.token = "00Dnot!valid".to_owned();
    assert_eq!(
        pardot_error(pardot.get(account).send().await.unwrap()).await,
        (400, 184)
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn body_errors() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let raw = |body: &'static str, content_type: &'static str| {
        http()
            .post(format!("{}{LISTS}", sim.pardot_url))
            .bearer_auth(&pardot.token)
            .header("Pardot-Business-Unit-Id", BU)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };

    assert_eq!(
        pardot_error(raw("{nope", "application/json").await.unwrap()).await,
        (400, 150)
    );
    assert_eq!(
        pardot_error(raw("name=x", "text/plain").await.unwrap()).await,
        (400, 151)
    );
    assert_eq!(
        pardot_error(raw("", "application/json").await.unwrap()).await,
        (400, 152)
    );
    let no_name = pardot
        .post(LISTS, json!({"folderId": 100}))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(no_name).await, (400, 153));
    let dynamic = pardot
        .post(LISTS, json!({"name": "X", "isDynamic": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(dynamic).await, (400, 180));
    let unknown = pardot
        .post(LISTS, json!({"name": "X", "color": "red"}))
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(unknown).await, (400, 154));
    sim.shutdown().await;
}

#[tokio::test]
async fn already_member_and_recycle_bin() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let again = pardot
        .post(
            "/api/v5/objects/list-memberships",
            json!({"listId": 10, "prospectId": 1}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(again).await, (400, 58));

    let patch = pardot
        .patch(
            "/api/v5/objects/prospects/6",
            json!({"streamboxyLink__c": "https://x"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(pardot_error(patch).await, (400, 219));

    let read = pardot
        .get("/api/v5/objects/prospects/6?fields=id")
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.headers()["Pardot-Warning"],
        "201;Record In Recycle Bin"
    );
    assert_eq!(pardot_error(read).await, (404, 109));
    sim.shutdown().await;
}

#[tokio::test]
async fn daily_budget_and_usage_header() {
    let sim = sim().await;
    sim.seed_pardot(&PardotSeed {
        business_units: vec![BusinessUnitSeed {
            id: BU.to_owned(),
            daily_call_limit: Some(2),
            ..BusinessUnitSeed::default()
        }],
    })
    .unwrap();
    let pardot = Pardot::new(&sim);
    let account = || {
        pardot
            .get("/api/v5/objects/account?fields=id")
            .header("X-Return-Api-Usage", "1")
            .send()
    };

    assert_eq!(account().await.unwrap().headers()["x-api-usage"], "1/2");
    assert_eq!(account().await.unwrap().headers()["x-api-usage"], "2/2");
    assert_eq!(pardot_error(account().await.unwrap()).await, (429, 122));
    assert_eq!(sim.stats().pardot.daily_usage[BU].used, 2);

    sim.pardot_daily_reset();
    assert_eq!(account().await.unwrap().status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn sixth_concurrent_request_gets_66_and_counts_as_violation() {
    let sim = sim_with(|c| {
        c.latency = Latency {
            pardot_ms: 1500,
            ..Latency::default()
        }
    })
    .await;
    let pardot = Pardot::new(&sim);

    let calls: Vec<_> = (0..7)
        .map(|_| tokio::spawn(pardot.get("/api/v5/objects/account?fields=id").send()))
        .collect();
    let mut responses = Vec::new();
    for call in calls {
        let response = tokio::time::timeout(Duration::from_secs(10), call).await;
        responses.push(
            response
                .expect("no hang")
                .expect("task ok")
                .expect("request ok"),
        );
    }
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status().as_u16()).collect();
    statuses.sort_unstable();

    assert_eq!(statuses, vec![200, 200, 200, 200, 200, 429, 429]);
    let stats = sim.stats();
    assert_eq!(stats.pardot.cap_violations[BU], 2);
    assert_eq!(stats.pardot.max_in_flight[BU], 6);
    assert_eq!(stats.pardot.total_cap_violations(), 2);
    sim.shutdown().await;
}
