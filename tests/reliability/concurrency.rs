//! Scenario 3: two sync workers and the event-ended handler on one tenant at once, with the
//! same signed webhook delivered twice at the same moment. The business unit's lease and the
//! Pardot in-flight cap (the simulator counts a sixth request in flight as a violation) must
//! hold, and the write-back must run once.

use chrono::Utc;
use sbxy_domain::attendance::AttendanceOutcome;
use sbxy_e2e::{options_with, tenant};
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_TENANT, Stack};
use sbxy_simulators::{FaultConfig, LatencyOverride, PardotSeed};
use sbxy_sync::SyncOutcome;
use serde_json::json;

use crate::results::{Figures, record};
use crate::state::{Snapshot, demo_links, pardot_concurrency, run, run_until_completed, writes};

const EVENT_1: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";
/// New members join list 5002 (event 2, still live) while event 1 ends.
const NEW_MEMBERS: i64 = 40;

fn new_members() -> PardotSeed {
    let at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let prospects: Vec<_> = (0..NEW_MEMBERS)
        .map(|i| {
            let id = 90_000 + i;
            json!({
                "id": id, "isDeleted": false, "email": format!("late{id}@reliability.example"),
                "firstName": format!("Late{id}"), "lastName": "Joiner",
                "createdAt": at, "updatedAt": at,
            })
        })
        .collect();
    let memberships: Vec<_> = (0..NEW_MEMBERS)
        .map(|i| {
            json!({
                "id": 990_000 + i, "listId": 5002, "prospectId": 90_000 + i, "optedOut": false,
                "isDeleted": false, "createdAt": at, "updatedAt": at,
            })
        })
        .collect();
    serde_json::from_value(json!({"business_units": [{
        "id": DEMO_BUSINESS_UNIT, "prospects": prospects, "list_memberships": memberships,
    }]}))
    .expect("valid seed")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliability_two_workers_and_a_doubled_webhook_at_once() {
    let stack = Stack::start(
        sbxy_harness::demo_seed().expect("demo seed"),
        options_with(&[]),
    )
    .await
    .expect("stack");
    let settings = sbxy_domain::settings::SettingsInput {
        attendance_lists_enabled: true,
        external_activities_enabled: true,
        external_activity_extension: Some("STREAMBOXY".into()),
        external_activity_show_type: Some("Show".into()),
        external_activity_no_show_type: Some("NoShow".into()),
        ..crate::state::sync_settings()
    };
    stack
        .connect_tenant(&tenant(), settings)
        .await
        .expect("connect");
    let first = run_until_completed(&stack, 3).await;
    assert_eq!(
        first.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );

    // Event 1 ends (a third came) while 40 people join event 2's list.
    let attended: Vec<String> = stack
        .sim
        .grants(DEMO_TENANT, EVENT_1)
        .into_iter()
        .step_by(3)
        .collect();
    stack
        .record_attendance(EVENT_1, &attended, true)
        .expect("attendance");
    stack.set_event_state(EVENT_1, "Finished").expect("finish");
    stack.sim.seed_pardot(&new_members()).expect("seeded");
    // A little latency so that the workers' requests overlap.
    stack.sim.set_faults(FaultConfig {
        latency_ms: Some(LatencyOverride {
            oauth: None,
            pardot: Some(15),
            streamboxy: Some(5),
        }),
        ..FaultConfig::default()
    });
    let base = writes(&stack);

    let body =
        Stack::state_change_body(EVENT_1, "Finished", "0d9c8b7a-6f5e-4d3c-8b2a-19f8e7d6c5b4");
    let (timestamp, signature) = stack.sign_webhook(Utc::now(), &body);
    let (a, b, hook_1, hook_2) = tokio::join!(
        run(&stack),
        run(&stack),
        stack.send_webhook(&body, Some(&timestamp), Some(&signature)),
        stack.send_webhook(&body, Some(&timestamp), Some(&signature)),
    );
    let hooks = [
        hook_1.expect("delivered").status,
        hook_2.expect("delivered").status,
    ];
    stack.attendance.settle().await;
    let reports = stack.attendance.take_reports();
    println!(
        "concurrent: syncs {:?} {:?} / {:?} {:?}; webhooks {hooks:?}",
        a.outcome, a.problem, b.outcome, b.problem
    );
    for r in &reports {
        println!("write-back: {:?} {:?} {:?}", r.outcome, r.reason, r.counts);
    }

    stack.sim.clear_faults();
    let after = run_until_completed(&stack, 3).await;
    let actual = Snapshot::read(&stack, &demo_links());
    let (peak, cap_violations) = pardot_concurrency(&stack);
    let total_writes = writes(&stack) - base;
    stack.stop().await;

    let succeeded = reports
        .iter()
        .filter(|r| r.outcome == AttendanceOutcome::Success)
        .count();
    let figures = Figures {
        runs: 2 + reports.len() as u64 + after.len() as u64,
        members: actual.members(),
        lost: actual.lost(),
        duplicates: actual.duplicates() + succeeded.saturating_sub(1) as u64,
        retries: 0,
        extra_write_attempts: 0,
        extra: serde_json::from_value(json!({
            "sync_outcomes": [a.outcome, b.outcome],
            "sync_problems": [a.problem, b.problem],
            "webhook_statuses": hooks,
            "write_backs": reports.len(),
            "write_backs_succeeded": succeeded,
            "writes": total_writes,
            "pardot_max_in_flight": peak,
            "cap_violations": cap_violations,
        }))
        .expect("an object"),
    };
    record("concurrency", &figures);

    assert_ne!(
        (a.outcome, b.outcome),
        (SyncOutcome::Completed, SyncOutcome::Completed),
        "both workers ran the business unit at once"
    );
    assert_eq!(cap_violations, 0, "a sixth Pardot request was in flight");
    assert!(peak <= 5, "Pardot saw {peak} requests in flight");
    assert_eq!(
        hooks.iter().filter(|s| **s == 202).count(),
        1,
        "the same delivery twice at once was accepted {hooks:?}"
    );
    assert_eq!(succeeded, 1, "the write-back ran {succeeded} times");
    assert_eq!(
        after.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );
    assert_eq!(figures.lost, 0);
    assert_eq!(figures.duplicates, 0);
}
