//! The Show and No Show lists across runs: a deleted Show list comes back, changed attendance
//! converges (members move between the lists, archived memberships are restored), and a
//! dynamic list with the Show name is refused with a status the admin can read.

use sbxy_domain::attendance::AttendanceOutcome;
use sbxy_domain::ids::EventId;
use sbxy_harness::DEMO_BUSINESS_UNIT;
use sbxy_simulators::{BusinessUnitSeed, List, PardotSeed};
use serde_json::json;

use crate::attendance_common::{
    EVENT_1, SOURCE_LIST, assert_split, assert_success, end_event_1, every_third, granted,
    prospects_of, registrants, synced_stack, synced_stack_with, webhook_write_back,
};
use sbxy_e2e::tenant;

/// Moves a list to Pardot's recycle bin in the simulator, as an admin deleting it does.
fn delete_list(stack: &sbxy_harness::Stack, list: &List) {
    let seed = PardotSeed {
        business_units: vec![BusinessUnitSeed {
            id: DEMO_BUSINESS_UNIT.into(),
            lists: vec![List {
                is_deleted: true,
                ..list.clone()
            }],
            ..BusinessUnitSeed::default()
        }],
    };
    stack.sim.seed_pardot(&seed).expect("list deleted");
}

#[tokio::test]
async fn a_deleted_show_list_is_recreated_in_the_source_folder_with_its_members() {
    let stack = synced_stack().await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);
    let first = webhook_write_back(&stack).await;
    let deleted = stack
        .attendance_lists(SOURCE_LIST)
        .show
        .expect("a Show list after the first run");

    delete_list(&stack, &deleted);
    let second = webhook_write_back(&stack).await;

    assert_success(&first);
    assert_success(&second);
    let recreated = second.show_list.as_ref().expect("the Show list");
    assert!(recreated.created, "{recreated:?}");
    assert_ne!(recreated.id, deleted.id);
    assert!(!second.no_show_list.as_ref().expect("No Show").created);
    let registrants = registrants(&stack).await;
    let shows = prospects_of(&registrants, &attended);
    assert_eq!(
        second.counts.added,
        shows.len() as u64,
        "{:#?}",
        second.counts
    );
    assert_split(&stack, &registrants, &shows);
    stack.stop().await;
}

#[tokio::test]
async fn attendance_changed_between_runs_converges_and_archived_memberships_come_back() {
    let stack = synced_stack().await;
    let users = granted(&stack);
    let first_shows = every_third(&stack);
    let later_shows: Vec<String> = users.iter().skip(1).step_by(3).cloned().collect();
    end_event_1(&stack, &first_shows);
    let first = webhook_write_back(&stack).await;

    // The organiser corrects the attendance: the first third stayed away, the second came.
    stack
        .record_attendance(EVENT_1, &first_shows, false)
        .expect("absent");
    stack
        .record_attendance(EVENT_1, &later_shows, true)
        .expect("present");
    let second = webhook_write_back(&stack).await;
    let registrants = registrants(&stack).await;
    let later = prospects_of(&registrants, &later_shows);
    assert_split(&stack, &registrants, &later);

    // And back again: the first third's archived Show memberships are restored.
    stack
        .record_attendance(EVENT_1, &later_shows, false)
        .expect("absent");
    stack
        .record_attendance(EVENT_1, &first_shows, true)
        .expect("present");
    let third = webhook_write_back(&stack).await;

    for report in [&first, &second, &third] {
        assert_success(report);
    }
    let first_set = prospects_of(&registrants, &first_shows);
    let moved = (first_set.len() + later.len()) as u64;
    assert_eq!(second.counts.removed, moved, "{:#?}", second.counts);
    assert_eq!(second.counts.added, moved, "{:#?}", second.counts);
    assert_eq!(third.counts.removed, moved, "{:#?}", third.counts);
    assert_eq!(third.counts.restored, moved, "{:#?}", third.counts);
    assert_eq!(third.counts.added, 0, "{:#?}", third.counts);
    assert_split(&stack, &registrants, &first_set);
    stack.stop().await;
}

#[tokio::test]
async fn a_dynamic_list_with_the_show_name_is_refused_with_a_clear_status() {
    let stack = synced_stack_with(|seed| {
        let dynamic: List = serde_json::from_value(json!({
            "id": 5099, "name": "SBXYPardotTest Show", "folderId": 7002, "isDynamic": true
        }))
        .expect("list");
        seed.pardot.business_units[0].lists.push(dynamic);
    })
    .await;
    end_event_1(&stack, &every_third(&stack));

    let report = webhook_write_back(&stack).await;

    assert_eq!(report.outcome, AttendanceOutcome::Failed, "{report:#?}");
    let state = stack.processing_state(EVENT_1).expect("a processing state");
    assert!(state.starts_with("Failed: "), "{state}");
    assert!(
        state.contains("\"SBXYPardotTest Show\" is a dynamic list"),
        "{state}"
    );
    assert!(
        stack
            .sim
            .list_memberships(DEMO_BUSINESS_UNIT, 5099)
            .is_empty()
    );
    assert!(
        stack.attendance_lists(SOURCE_LIST).no_show.is_none(),
        "nothing was written"
    );

    let event = EventId::parse(EVENT_1).expect("event id");
    let record = stack
        .ctx
        .store
        .attendance_record(&tenant(), &event)
        .await
        .expect("store")
        .expect("a record");
    assert_eq!(record.failures, 1);
    assert!(record.next_retry_at.is_some(), "{record:?}");
    assert!(
        record
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("dynamic"))
    );
    stack.stop().await;
}
