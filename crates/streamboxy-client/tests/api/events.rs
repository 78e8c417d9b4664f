//! Events: paging, reading one, writing custom properties, property definitions.

use serde_json::{Map, Value, json};

use sbxy_streamboxy_client::{EventState, PropertyNames, StreamboxyError};

use crate::fake::{Fake, FakeState, TENANT};
use crate::{client_for, client_with, config_for, event, query_pairs};

fn events(n: usize) -> Vec<Value> {
    (1..=n)
        .map(|i| event(&format!("e{i}"), json!({})))
        .collect()
}

#[tokio::test]
async fn pages_with_take_and_skip_until_the_total_is_read() {
    let fake = Fake::start(FakeState {
        events: events(7),
        ..FakeState::default()
    })
    .await;
    let mut config = config_for(&fake);
    config.page_size = 3;

    let listed = client_with(config)
        .list_events(TENANT)
        .await
        .expect("events listed");

    let ids: Vec<&str> = listed.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]);

    let skips: Vec<Vec<(String, String)>> = fake
        .seen()
        .iter()
        .map(|seen| query_pairs(seen.query.as_deref()))
        .collect();
    let expected: Vec<Vec<(String, String)>> = ["0", "3", "6"]
        .iter()
        .map(|skip| vec![("take".into(), "3".into()), ("skip".into(), (*skip).into())])
        .collect();
    assert_eq!(
        skips, expected,
        "three pages, and no call after the total was reached"
    );
    assert_eq!(fake.seen()[0].path, format!("/tenant/{TENANT}/Event"));
}

#[tokio::test]
async fn short_pages_do_not_end_the_list_and_an_empty_page_does() {
    let fake = Fake::start(FakeState {
        events: events(5),
        max_take: 2,
        omit_count: true,
        ..FakeState::default()
    })
    .await;

    let listed = client_for(&fake)
        .list_events(TENANT)
        .await
        .expect("events listed");

    assert_eq!(listed.len(), 5);
    assert_eq!(
        fake.seen().len(),
        4,
        "pages of 2, 2, 1, then the empty page"
    );
}

#[tokio::test]
async fn an_empty_tenant_costs_one_call() {
    let fake = Fake::start(FakeState::default()).await;
    let client = client_for(&fake);

    assert!(client.list_events(TENANT).await.expect("listed").is_empty());
    assert_eq!(client.stats().calls, 1);
}

#[tokio::test]
async fn reads_one_event_and_reports_a_missing_one() {
    let fake = Fake::start(FakeState {
        events: vec![event("e1", json!({"PardotListName": "SBXYPardotTest"}))],
        ..FakeState::default()
    })
    .await;
    let client = client_for(&fake);

    let found = client.get_event(TENANT, "e1").await.expect("event read");
    assert_eq!(found.state, EventState::Live);
    assert_eq!(
        PropertyNames::default().list_name_of(&found),
        Some("SBXYPardotTest")
    );

    let missing = client
        .get_event(TENANT, "nope")
        .await
        .expect_err("no such event");
    assert!(
        matches!(&missing, StreamboxyError::NotFound { path } if path.ends_with("/Event/nope"))
    );
    assert!(!missing.is_retryable());
}

#[tokio::test]
async fn property_writes_merge_clear_and_respect_if_match() {
    let fake = Fake::start(FakeState {
        events: vec![event("e1", json!({"PardotListName": "L", "Other": "keep"}))],
        ..FakeState::default()
    })
    .await;
    let client = client_for(&fake);
    let state_name = PropertyNames::default().processing_state;

    let mut props = Map::new();
    props.insert(state_name.clone(), json!("Success"));
    props.insert("PardotListName".into(), Value::Null);
    let updated = client
        .set_event_properties(TENANT, "e1", props, Some("rv1"))
        .await
        .expect("conditional write with the current rowVersion");

    assert_eq!(updated.property_str(&state_name), Some("Success"));
    assert_eq!(updated.property_str("PardotListName"), None, "null clears");
    assert_eq!(
        updated.property_str("Other"),
        Some("keep"),
        "merge keeps the rest"
    );

    let patch = fake.seen().pop().expect("patch seen");
    assert_eq!(patch.headers["if-match"], "rv1");
    assert_eq!(patch.headers["content-type"], "application/json");
    let body: Value = serde_json::from_str(&patch.body).expect("JSON body");
    assert_eq!(
        body,
        json!({"customProperties": {state_name.clone(): "Success", "PardotListName": null}})
    );

    let stale = client
        .set_event_properties(TENANT, "e1", Map::new(), Some("rv1"))
        .await
        .expect_err("rowVersion moved on");
    assert!(matches!(stale, StreamboxyError::PreconditionFailed));
}

#[tokio::test]
async fn reads_property_definitions_for_events() {
    let fake = Fake::start(FakeState {
        definitions: vec![
            json!({"internalName": "PardotListName", "dataType": "STRING", "target": "Event"}),
            json!({"internalName": "shoeSize", "dataType": "NUMBER", "target": "User"}),
        ],
        ..FakeState::default()
    })
    .await;

    let defs = client_for(&fake)
        .property_definitions(TENANT, "Event")
        .await
        .expect("definitions read");

    assert_eq!(defs.len(), 1);
    assert_eq!(
        PropertyNames::default().missing_from(&defs),
        ["PardotIntegrationAttendanceProcessingState"]
    );
    let query = query_pairs(fake.seen()[0].query.as_deref());
    assert_eq!(query[0], ("target".into(), "Event".into()));
}
