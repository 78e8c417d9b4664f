//! STREAMBOXY contract v0: auth, users (find, create, 409 with existingId), grants, access
//! links and the join page, events and their custom properties, attendance, paging limits and
//! the per-tenant concurrency limit.

use reqwest::Method;
use sbxy_simulators::{Latency, StreamboxySeed};
use serde_json::{Value, json};

use crate::common::{API_KEY, EVENT, Sbxy, TENANT, http, json, sim, sim_with};

#[tokio::test]
async fn api_key_is_required_and_header_is_configurable() {
    let sim = sim().await;
    let url = format!("{}/tenant/{TENANT}/Event", sim.streamboxy_url);

    let missing = http().get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
    let problem = json(missing).await;
    for key in ["type", "title", "status", "detail", "traceId"] {
        assert!(problem.get(key).is_some(), "problem lacks {key}");
    }
    assert_eq!(
        http()
            .get(&url)
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        http()
            .get(&url)
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    sim.seed_streamboxy(&StreamboxySeed {
        auth_header: Some("X-Api-Key".to_owned()),
        auth_scheme: Some(String::new()),
        ..StreamboxySeed::default()
    })
    .unwrap();
    let raw = http()
        .get(&url)
        .header("X-Api-Key", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn users_are_found_case_insensitively_and_duplicates_get_409() {
    let sim = sim().await;
    let sbxy = Sbxy::new(&sim);

    let found = sbxy
        .req(Method::GET, "/User")
        .query(&[("email", "  KNOWN@example.COM ")])
        .send()
        .await
        .unwrap();
    let found = json(found).await;
    assert_eq!(found["count"], json!(1));
    assert_eq!(
        found["result"][0]["id"],
        json!("0000aaaa-0000-4000-8000-000000000001")
    );
    let none = sbxy
        .req(Method::GET, "/User")
        .query(&[("email", "x@example.com")])
        .send();
    assert_eq!(
        json(none.await.unwrap()).await,
        json!({"count": 0, "result": []})
    );

    let created = sbxy
        .req(Method::POST, "/User")
        .json(
            &json!({"email": " new@example.com ", "firstName": "José", "lastName": "Müller",
                      "externalKey": "pardot:1", "sendNotifications": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let user = json(created).await;
    assert_eq!(user["email"], json!("new@example.com"));

    let duplicate = sbxy
        .req(Method::POST, "/User")
        .json(&json!({"email": "NEW@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(duplicate.status(), 409);
    assert_eq!(json(duplicate).await["existingId"], user["id"]);

    let invalid = sbxy
        .req(Method::POST, "/User")
        .json(&json!({"email": "a.@b"}))
        .send();
    assert_eq!(invalid.await.unwrap().status(), 400);
    assert_eq!(sim.users(TENANT).len(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn grants_links_and_join_page() {
    let sim = sim().await;
    let sbxy = Sbxy::new(&sim);
    let user = "0000aaaa-0000-4000-8000-000000000001";
    let grant = || {
        sbxy.req(Method::PUT, &format!("/Event/{EVENT}/User/{user}"))
            .send()
    };

    assert_eq!(grant().await.unwrap().status(), 201);
    assert_eq!(grant().await.unwrap().status(), 200);
    assert_eq!(sim.grants(TENANT, EVENT), vec![user.to_owned()]);
    let granted = sbxy
        .req(Method::GET, &format!("/Event/{EVENT}/User"))
        .send();
    assert_eq!(json(granted.await.unwrap()).await["count"], json!(1));

    let link = || {
        sbxy.req(Method::POST, &format!("/User/{user}/AccessLink"))
            .json(&json!({"eventId": EVENT}))
            .send()
    };
    let first = json(link().await.unwrap()).await;
    let second = json(link().await.unwrap()).await;
    assert_eq!(first, second, "the link is stable");
    assert_eq!(first["expiresDateTimeUtc"], Value::Null);
    let url = first["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/join/", sim.streamboxy_url)));
    assert!(url.ends_with(&format!("?event={EVENT}")));
    let page = http().get(url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Known User") && page.contains("Launch"));

    let revoke = || {
        sbxy.req(Method::DELETE, &format!("/Event/{EVENT}/User/{user}"))
            .send()
    };
    assert_eq!(revoke().await.unwrap().status(), 204);
    assert_eq!(revoke().await.unwrap().status(), 204);
    assert!(sim.grants(TENANT, EVENT).is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn event_properties_merge_validate_and_check_row_version() {
    let sim = sim().await;
    let sbxy = Sbxy::new(&sim);
    let event = json(
        sbxy.req(Method::GET, &format!("/Event/{EVENT}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let version = event["rowVersion"].as_str().unwrap().to_owned();
    let patch = |body: Value, if_match: Option<&str>| {
        let mut request = sbxy
            .req(Method::PATCH, &format!("/Event/{EVENT}"))
            .json(&body);
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send()
    };

    let stale = patch(
        json!({"customProperties": {"Capacity": 5}}),
        Some("\"stale\""),
    );
    assert_eq!(stale.await.unwrap().status(), 412);
    let ok = patch(
        json!({"customProperties": {"PardotIntegrationAttendanceProcessingState": "Pending"}}),
        Some(&format!("\"{version}\"")),
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), 200);
    let updated = json(ok).await;
    assert_eq!(
        updated["customProperties"],
        json!({"PardotListName": "Webinar",
               "PardotIntegrationAttendanceProcessingState": "Pending"})
    );
    assert_ne!(updated["rowVersion"], json!(version));

    let cleared = patch(json!({"customProperties": {"PardotListName": null}}), None);
    let cleared = json(cleared.await.unwrap()).await;
    assert_eq!(
        cleared["customProperties"],
        json!({"PardotIntegrationAttendanceProcessingState": "Pending"})
    );
    let undefined = patch(json!({"customProperties": {"Nope": "x"}}), None);
    assert_eq!(undefined.await.unwrap().status(), 400);
    let wrong_type = patch(json!({"customProperties": {"Capacity": "five"}}), None);
    assert_eq!(wrong_type.await.unwrap().status(), 400);

    let defs = sbxy
        .req(Method::GET, "/CustomPropertyDefinition")
        .query(&[("target", "Event")])
        .send()
        .await
        .unwrap();
    assert_eq!(json(defs).await["count"], json!(3));
    sim.shutdown().await;
}

#[tokio::test]
async fn pages_limit_take_and_skip() {
    let sim = sim().await;
    let sbxy = Sbxy::new(&sim);
    let page = |take: &str, skip: &str| {
        sbxy.req(Method::GET, "/Event")
            .query(&[("take", take), ("skip", skip)])
            .send()
    };

    assert_eq!(page("101", "0").await.unwrap().status(), 400);
    assert_eq!(
        json(page("100", "0").await.unwrap()).await["count"],
        json!(1)
    );
    let skipped = json(page("10", "1").await.unwrap()).await;
    assert_eq!(skipped, json!({"count": 1, "result": []}));
    sim.shutdown().await;
}

#[tokio::test]
async fn attendance_rows_cover_granted_users() {
    let sim = sim().await;
    let sbxy = Sbxy::new(&sim);
    let created = sbxy
        .req(Method::POST, "/User")
        .json(&json!({"email": "late@example.com"}))
        .send()
        .await
        .unwrap();
    let late = json(created).await["id"].as_str().unwrap().to_owned();
    for user in ["0000aaaa-0000-4000-8000-000000000001", late.as_str()] {
        let grant = sbxy
            .req(Method::PUT, &format!("/Event/{EVENT}/User/{user}"))
            .send();
        assert!(grant.await.unwrap().status().is_success());
    }

    let recorded = http()
        .post(format!("{}/_sim/streamboxy/attendance", sim.streamboxy_url))
        .json(
            &json!({"tenantId": TENANT, "eventId": EVENT, "email": "KNOWN@example.com",
                      "attended": true, "firstJoinDateTimeUtc": "2027-01-20T09:05:00Z",
                      "minutesAttended": 42.5}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(recorded.status(), 204);

    let rows = sbxy
        .req(Method::GET, &format!("/Event/{EVENT}/Attendance"))
        .send();
    let rows = json(rows.await.unwrap()).await;
    assert_eq!(rows["count"], json!(2));
    assert_eq!(rows["result"][0]["attended"], json!(true));
    assert_eq!(
        rows["result"][0]["firstJoinDateTimeUtc"],
        json!("2027-01-20T09:05:00.000Z")
    );
    assert_eq!(rows["result"][0]["minutesAttended"], json!(42.5));
    assert_eq!(rows["result"][1]["attended"], json!(false));
    assert_eq!(rows["result"][1]["email"], json!("late@example.com"));
    sim.shutdown().await;
}

#[tokio::test]
async fn tenant_concurrency_limit_answers_429_with_retry_after() {
    let sim = sim_with(|c| {
        c.streamboxy.max_in_flight_per_tenant = 2;
        c.latency = Latency {
            streamboxy_ms: 1500,
            ..Latency::default()
        };
    })
    .await;
    let sbxy = Sbxy::new(&sim);
    let calls: Vec<_> = (0..4)
        .map(|_| tokio::spawn(sbxy.req(Method::GET, "/Event").send()))
        .collect();
    let mut statuses = Vec::new();
    let mut retry_after = Vec::new();
    for call in calls {
        let response = call.await.unwrap().unwrap();
        statuses.push(response.status().as_u16());
        if let Some(value) = response.headers().get("retry-after") {
            retry_after.push(value.to_str().unwrap().to_owned());
        }
    }
    statuses.sort_unstable();

    assert_eq!(statuses, vec![200, 200, 429, 429]);
    assert_eq!(retry_after, vec!["1", "1"]);
    assert_eq!(sim.stats().streamboxy.throttled, 2);
    sim.shutdown().await;
}
