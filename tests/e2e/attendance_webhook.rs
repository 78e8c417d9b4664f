//! The signed event-state webhook, over HTTP to the local API: a valid delivery writes Show /
//! No Show back, a replay is refused, and a bad, stale, future or unsigned delivery is refused
//! without starting anything.

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use sbxy_harness::{DEMO_TENANT, Stack};

use crate::attendance_common::{
    EVENT_1, assert_split, assert_success, end_event_1, every_third, prospects_of, registrants,
    synced_stack, webhook_write_back,
};

#[tokio::test]
async fn a_valid_signature_writes_back_and_the_same_delivery_again_is_refused() {
    let stack = synced_stack().await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);
    let delivery = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    let body = Stack::state_change_body(EVENT_1, "Finished", delivery);
    let (timestamp, signature) = stack.sign_webhook(Utc::now(), &body);

    let first = stack
        .send_webhook(&body, Some(&timestamp), Some(&signature))
        .await
        .expect("first delivery");
    let report = crate::attendance_common::only_report(&stack).await;
    let replay = stack
        .send_webhook(&body, Some(&timestamp), Some(&signature))
        .await
        .expect("replayed delivery");
    stack.attendance.settle().await;

    assert_eq!(first.status, 202, "{:?}", first.body);
    assert_eq!(first.body["status"], "accepted");
    assert_success(&report);
    let registrants = registrants(&stack).await;
    assert_eq!(report.counts.registrants, registrants.len() as u64);
    assert_eq!(
        report.counts.show + report.counts.no_show,
        report.counts.registrants
    );
    assert_split(&stack, &registrants, &prospects_of(&registrants, &attended));
    assert_eq!(stack.processing_state(EVENT_1).as_deref(), Some("Success"));
    let pardot = stack.sim.stats().pardot;
    assert_eq!(
        pardot.total_cap_violations(),
        0,
        "never more than 5 calls in flight"
    );
    let peak = pardot.max_in_flight.values().copied().max().unwrap_or(0);
    assert!(peak <= 4, "the configured cap is 4 in flight: {peak}");

    assert_eq!(replay.status, 409, "{:?}", replay.body);
    assert!(
        stack.attendance.take_reports().is_empty(),
        "a replay starts nothing"
    );
    stack.stop().await;
}

#[tokio::test]
async fn bad_stale_future_and_unsigned_deliveries_start_nothing() {
    let stack = synced_stack().await;
    end_event_1(&stack, &every_third(&stack));
    let fresh = |n: u32| Stack::state_change_body(EVENT_1, "Finished", &format!("delivery-{n}"));

    // Signed with another key.
    let body = fresh(1);
    let timestamp = Utc::now().timestamp().to_string();
    let forged = sbxy_domain::webhook::sign(
        &sbxy_domain::Secret::new("not-the-webhook-secret"),
        &timestamp,
        body.as_bytes(),
    );
    let bad = stack
        .send_webhook(&body, Some(&timestamp), Some(&forged))
        .await
        .expect("bad");

    // Signed correctly, but six minutes ago, or six minutes ahead.
    let body = fresh(2);
    let (old, signature) = stack.sign_webhook(Utc::now() - Duration::minutes(6), &body);
    let stale = stack
        .send_webhook(&body, Some(&old), Some(&signature))
        .await
        .expect("stale");
    let body = fresh(3);
    let (ahead, signature) = stack.sign_webhook(Utc::now() + Duration::minutes(6), &body);
    let future = stack
        .send_webhook(&body, Some(&ahead), Some(&signature))
        .await
        .expect("future");

    // A body changed after signing, and no signature at all.
    let body = fresh(4);
    let (timestamp, signature) = stack.sign_webhook(Utc::now(), &body);
    let tampered_body = body.replace("Finished", "finished");
    let tampered = stack
        .send_webhook(&tampered_body, Some(&timestamp), Some(&signature))
        .await
        .expect("tampered");
    let unsigned = stack
        .send_webhook(&fresh(5), Some(&timestamp), None)
        .await
        .expect("unsigned");
    let huge = format!("{{\"padding\":\"{}\"}}", "x".repeat(70 * 1024));
    let (timestamp, signature) = stack.sign_webhook(Utc::now(), &huge);
    let oversized = stack
        .send_webhook(&huge, Some(&timestamp), Some(&signature))
        .await
        .expect("oversized");
    stack.attendance.settle().await;

    for (name, answer) in [
        ("bad", &bad),
        ("stale", &stale),
        ("future", &future),
        ("tampered", &tampered),
        ("unsigned", &unsigned),
    ] {
        assert_eq!(answer.status, 401, "{name}: {:?}", answer.body);
    }
    assert!(
        stale.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("s ago"))
    );
    assert_eq!(oversized.status, 413);
    assert!(
        stack.attendance.take_reports().is_empty(),
        "nothing was started"
    );
    assert_eq!(
        stack.processing_state(EVENT_1),
        None,
        "the property is untouched"
    );
    assert!(stack.attendance_lists("SBXYPardotTest").show.is_none());
    stack.stop().await;
}

#[tokio::test]
async fn unknown_tenants_and_other_states_start_nothing_and_say_why() {
    let stack = synced_stack().await;

    let live = stack.send_event_state(EVENT_1, "Live").await.expect("live");
    let body = Stack::state_change_body(EVENT_1, "Finished", "delivery-unknown")
        .replace(DEMO_TENANT, "someone-else");
    let (timestamp, signature) = stack.sign_webhook(Utc::now(), &body);
    let unknown = stack
        .send_webhook(&body, Some(&timestamp), Some(&signature))
        .await
        .expect("unknown tenant");
    let body = Stack::state_change_body("not-an-event-of-ours", "Finished", "delivery-other");
    let (timestamp, signature) = stack.sign_webhook(Utc::now(), &body);
    let unlinked = stack
        .send_webhook(&body, Some(&timestamp), Some(&signature))
        .await
        .expect("unlinked event");
    stack.attendance.settle().await;

    assert_eq!(live.status, 200, "{:?}", live.body);
    assert_eq!(live.body["status"], "ignored");
    assert_eq!(unknown.status, 404, "{:?}", unknown.body);
    assert_eq!(unlinked.status, 200, "{:?}", unlinked.body);
    assert!(stack.attendance.take_reports().is_empty());
    stack.stop().await;
}

#[tokio::test]
async fn a_second_end_of_event_run_changes_nothing() {
    let stack = synced_stack().await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);

    let first = webhook_write_back(&stack).await;
    let activities = stack.external_activities().len();
    let second = webhook_write_back(&stack).await;

    assert_success(&first);
    assert_success(&second);
    assert!(first.counts.added > 0 && first.counts.activities_written > 0);
    assert!(second.counts.changed_nothing(), "{:#?}", second.counts);
    assert_eq!(second.counts.unchanged, second.counts.registrants);
    assert_eq!(stack.external_activities().len(), activities);
    let shows: BTreeSet<i64> = prospects_of(&registrants(&stack).await, &attended);
    assert_split(&stack, &registrants(&stack).await, &shows);
    stack.stop().await;
}
