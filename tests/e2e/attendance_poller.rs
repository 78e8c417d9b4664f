//! The poller's fallback: a finished event whose webhook never came is written back by the
//! next sync run, an admin's `Pending` (or a cleared property) runs it again, and a failure is
//! retried only when its growing delay is due, up to a limit, then waits for the admin.

use chrono::{Duration, Utc};
use sbxy_domain::attendance::{AttendanceOutcome, AttendanceTrigger, RETRY_DELAYS};
use sbxy_domain::ids::EventId;
use sbxy_harness::Stack;
use sbxy_simulators::List;
use sbxy_storage::AttendanceRecord;
use serde_json::json;

use crate::attendance_common::{
    EVENT_1, assert_split, assert_success, end_event_1, every_third, granted, prospects_of,
    registrants, synced_stack, synced_stack_with, webhook_write_back,
};
use sbxy_e2e::{sync, tenant};

const STATE_PROPERTY: &str = "PardotIntegrationAttendanceProcessingState";

/// One sync run (the poller's job) and the write-backs it asked for, run to the end.
async fn poll(stack: &Stack) -> Vec<sbxy_sync::attendance::AttendanceReport> {
    sync(stack).await.expect("sync");
    stack.attendance.settle().await;
    stack.attendance.take_reports()
}

async fn record(stack: &Stack) -> AttendanceRecord {
    let event = EventId::parse(EVENT_1).expect("event id");
    stack
        .ctx
        .store
        .attendance_record(&tenant(), &event)
        .await
        .expect("store")
        .expect("a record")
}

#[tokio::test]
async fn a_lost_webhook_is_caught_by_the_next_poll() {
    let stack = synced_stack().await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);

    let first = poll(&stack).await;
    let again = poll(&stack).await;

    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0].trigger, AttendanceTrigger::Poller);
    assert_success(&first[0]);
    let registrants = registrants(&stack).await;
    assert_split(&stack, &registrants, &prospects_of(&registrants, &attended));
    assert_eq!(stack.processing_state(EVENT_1).as_deref(), Some("Success"));
    assert!(
        again.is_empty(),
        "a Success is not asked for again: {again:#?}"
    );
    stack.stop().await;
}

#[tokio::test]
async fn pending_or_a_cleared_property_runs_the_write_back_again() {
    let stack = synced_stack().await;
    let users = granted(&stack);
    let first_shows = every_third(&stack);
    end_event_1(&stack, &first_shows);
    assert_success(&webhook_write_back(&stack).await);

    // More people turn out to have come; the admin sets the property back to Pending.
    let more: Vec<String> = users.iter().skip(1).step_by(3).cloned().collect();
    stack.record_attendance(EVENT_1, &more, true).expect("more");
    stack
        .set_event_property(EVENT_1, STATE_PROPERTY, Some("Pending"))
        .expect("pending");
    let pending = poll(&stack).await;

    let registrants = registrants(&stack).await;
    let all_shows: Vec<String> = first_shows.iter().chain(&more).cloned().collect();
    assert_eq!(pending.len(), 1, "{pending:#?}");
    assert_success(&pending[0]);
    assert_eq!(
        pending[0].counts.added,
        prospects_of(&registrants, &more).len() as u64
    );
    assert_split(
        &stack,
        &registrants,
        &prospects_of(&registrants, &all_shows),
    );

    // Clearing the property works the same way, and changes nothing now.
    stack
        .set_event_property(EVENT_1, STATE_PROPERTY, None)
        .expect("cleared");
    let cleared = poll(&stack).await;
    assert_eq!(cleared.len(), 1, "{cleared:#?}");
    assert_success(&cleared[0]);
    assert!(
        cleared[0].counts.changed_nothing(),
        "{:#?}",
        cleared[0].counts
    );
    assert_eq!(stack.processing_state(EVENT_1).as_deref(), Some("Success"));
    stack.stop().await;
}

#[tokio::test]
async fn a_failure_is_retried_when_due_with_growing_delays_then_waits_for_the_admin() {
    let stack = synced_stack_with(|seed| {
        let dynamic: List = serde_json::from_value(json!({
            "id": 5099, "name": "SBXYPardotTest No Show", "folderId": 7001, "isDynamic": true
        }))
        .expect("list");
        seed.pardot.business_units[0].lists.push(dynamic);
    })
    .await;
    end_event_1(&stack, &every_third(&stack));
    let failed = webhook_write_back(&stack).await;
    assert_eq!(failed.outcome, AttendanceOutcome::Failed, "{failed:#?}");
    let first = record(&stack).await;

    // Not due: the ticks in between ask for nothing.
    assert!(poll(&stack).await.is_empty());
    assert!(poll(&stack).await.is_empty());

    // Due: one retry, which fails again and waits longer.
    let mut due = first.clone();
    due.next_retry_at = Some(Utc::now() - Duration::seconds(1));
    stack
        .ctx
        .store
        .save_attendance_record(&due)
        .await
        .expect("save");
    let retried = poll(&stack).await;
    assert_eq!(retried.len(), 1, "{retried:#?}");
    assert_eq!(retried[0].trigger, AttendanceTrigger::Poller);
    assert_eq!(retried[0].outcome, AttendanceOutcome::Failed);
    let second = record(&stack).await;
    assert_eq!((first.failures, second.failures), (1, 2));
    let wait =
        |r: &AttendanceRecord| r.next_retry_at.expect("a retry") - r.finished_at.expect("end");
    assert_eq!(wait(&first), RETRY_DELAYS[0]);
    assert_eq!(wait(&second), RETRY_DELAYS[1]);

    // The retries are spent: the poller leaves it to the admin, whose Pending runs it.
    let mut spent = second.clone();
    spent.failures = RETRY_DELAYS.len() as u32 + 1;
    spent.next_retry_at = None;
    stack
        .ctx
        .store
        .save_attendance_record(&spent)
        .await
        .expect("save");
    assert!(poll(&stack).await.is_empty());
    stack
        .set_event_property(EVENT_1, STATE_PROPERTY, Some("Pending"))
        .expect("pending");
    let by_admin = poll(&stack).await;
    assert_eq!(by_admin.len(), 1, "{by_admin:#?}");
    assert_eq!(
        record(&stack).await.failures,
        1,
        "the admin's run starts a new series"
    );

    stack.stop().await;
}
