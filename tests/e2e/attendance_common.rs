//! Shared steps of the Show / No Show tests: the demo tenant connected with checkboxes 1–3,
//! synced once (so event 1 has its 500-odd registrants), then event 1 ended with some of them
//! attended, and the checks every write-back must pass.

use std::collections::BTreeSet;

use sbxy_domain::attendance::{AttendanceOutcome, Registrant};
use sbxy_domain::ids::EventId;
use sbxy_harness::{AttendanceLists, DEMO_TENANT, Stack, StackOptions};
use sbxy_simulators::Seed;
use sbxy_sync::attendance::AttendanceReport;

use sbxy_e2e::{sync, tenant};

/// Event 1 of the demo seed, "Product Launch 2027", linked to the list below.
pub(crate) const EVENT_1: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";
/// Event 1's list, in folder 7001 "Events 2027".
pub(crate) const SOURCE_LIST: &str = "SBXYPardotTest";
/// The source list's folder.
pub(crate) const SOURCE_FOLDER: i64 = 7001;

/// A stack with the demo seed after `change`, connected with the attendance settings and
/// synced once.
pub(crate) async fn synced_stack_with(change: impl FnOnce(&mut Seed)) -> Stack {
    let mut seed = sbxy_harness::demo_seed().expect("the demo seed loads");
    change(&mut seed);
    let stack = Stack::start(seed, StackOptions::default())
        .await
        .expect("stack");
    stack
        .connect_tenant(&tenant(), sbxy_harness::attendance_settings())
        .await
        .expect("connect");
    let report = sync(&stack).await.expect("sync");
    assert!(report.counts.registered > 500, "{:?}", report.counts);
    stack
}

/// [`synced_stack_with`] the demo seed as it is.
pub(crate) async fn synced_stack() -> Stack {
    synced_stack_with(|_| {}).await
}

/// The prospects registered for event 1, from the service's own records.
pub(crate) async fn registrants(stack: &Stack) -> Vec<Registrant> {
    let event = EventId::parse(EVENT_1).expect("event id");
    stack
        .ctx
        .store
        .registrants(&tenant(), &event)
        .await
        .expect("registrants")
}

/// The users granted into event 1, in grant order.
pub(crate) fn granted(stack: &Stack) -> Vec<String> {
    stack.sim.grants(DEMO_TENANT, EVENT_1)
}

/// Every third granted user of event 1 (a third of the audience came).
pub(crate) fn every_third(stack: &Stack) -> Vec<String> {
    granted(stack).into_iter().step_by(3).collect()
}

/// Records `attended` as having joined event 1 and sets it to Finished, without a webhook.
pub(crate) fn end_event_1(stack: &Stack, attended: &[String]) {
    stack
        .record_attendance(EVENT_1, attended, true)
        .expect("attendance");
    stack.set_event_state(EVENT_1, "Finished").expect("finish");
}

/// Sends the signed "event 1 finished" webhook and waits for the write-back it starts.
pub(crate) async fn webhook_write_back(stack: &Stack) -> AttendanceReport {
    let answer = stack
        .send_event_state(EVENT_1, "Finished")
        .await
        .expect("webhook");
    assert_eq!(answer.status, 202, "{:?}", answer.body);
    only_report(stack).await
}

/// Waits for the jobs put so far and returns the one report they produced.
pub(crate) async fn only_report(stack: &Stack) -> AttendanceReport {
    stack.attendance.settle().await;
    let mut reports = stack.attendance.take_reports();
    assert_eq!(reports.len(), 1, "{reports:#?}");
    reports.remove(0)
}

/// Checks the rule of the write-back: every registrant of event 1 is an active member of
/// exactly one list, the Show list holding exactly `shows`, both in the source list's folder.
pub(crate) fn assert_split(stack: &Stack, registrants: &[Registrant], shows: &BTreeSet<i64>) {
    let lists: AttendanceLists = stack.attendance_lists(SOURCE_LIST);
    let show = lists.show.as_ref().expect("a Show list");
    let no_show = lists.no_show.as_ref().expect("a No Show list");
    assert_eq!(show.folder_id, Some(SOURCE_FOLDER));
    assert_eq!(no_show.folder_id, Some(SOURCE_FOLDER));

    for registrant in registrants {
        let id = registrant.prospect_id.0;
        let in_show = lists.show_members.contains(&id);
        let in_no_show = lists.no_show_members.contains(&id);
        assert!(
            in_show != in_no_show,
            "prospect {id} is in both lists or in none"
        );
        assert_eq!(
            in_show,
            shows.contains(&id),
            "prospect {id} in the wrong list"
        );
    }
    assert_eq!(
        lists.show_members.len() + lists.no_show_members.len(),
        registrants.len(),
        "the lists hold exactly the registrants"
    );
}

/// The registrants whose event user is among `users`.
pub(crate) fn prospects_of(registrants: &[Registrant], users: &[String]) -> BTreeSet<i64> {
    registrants
        .iter()
        .filter(|r| users.iter().any(|u| u == r.user_id.as_str()))
        .map(|r| r.prospect_id.0)
        .collect()
}

/// Asserts a write-back succeeded.
pub(crate) fn assert_success(report: &AttendanceReport) {
    assert_eq!(report.outcome, AttendanceOutcome::Success, "{report:#?}");
}
