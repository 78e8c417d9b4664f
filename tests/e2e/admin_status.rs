//! `GET …/status` after real sync runs: the connection and its user, each linked event's last
//! sync, counts and last error, the Pardot calls spent today, and the admin's next step.

use sbxy_e2e::{sync, tenant};
use sbxy_harness::DEMO_TENANT;
use serde_json::json;

use crate::admin_common::{demo_settings, stack, status};

#[tokio::test]
async fn status_shows_events_calls_and_the_next_step() {
    let stack = stack().await;
    let before = status(&stack).await;
    assert_eq!(before["next_action"]["code"], "connect");
    stack
        .connect_tenant(&tenant(), demo_settings())
        .await
        .expect("connect");

    let report = sync(&stack).await.expect("run");
    let after = status(&stack).await;

    assert_eq!(after["connection"]["state"], "connected");
    assert_eq!(
        after["connection"]["salesforce_user_id"],
        "005DEMO000000USER"
    );
    assert_eq!(after["sync_enabled"], true);
    assert!(after["last_sync_at"].is_string());
    assert_eq!(after["pardot_calls_today"], report.pardot_calls);
    assert_eq!(after["last_counts"]["registered"], report.counts.registered);
    assert!(after["next_action"].is_null(), "{after}");
    let events = after["events"].as_array().expect("events");
    assert_eq!(events.len(), 2);
    for event in events {
        assert!(event["last_sync_at"].is_string(), "{event}");
        assert!(event["counts"]["memberships"].as_u64() > Some(0), "{event}");
        assert!(event["list_id"].is_i64());
        assert!(event["last_error"].is_null());
    }

    // An event's list name no longer matches any Pardot list.
    let event_id = events[0]["event_id"].as_str().expect("id").to_owned();
    stack
        .sim
        .set_event(
            DEMO_TENANT,
            &event_id,
            &json!({ "customProperties": { "PardotListName": "No Such List" } }),
        )
        .expect("event changed");
    sync(&stack).await.expect("run");
    let broken = status(&stack).await;

    let event = broken["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event_id"] == event_id.as_str())
        .expect("event")
        .clone();
    assert_eq!(event["last_error"]["kind"], "list_missing", "{event}");
    assert!(
        event["last_error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("No Such List"))
    );
    assert_eq!(broken["next_action"]["code"], "fix_list_name", "{broken}");
    assert!(
        broken["pardot_calls_today"].as_u64() > after["pardot_calls_today"].as_u64(),
        "today's calls add up"
    );
    stack.stop().await;
}
