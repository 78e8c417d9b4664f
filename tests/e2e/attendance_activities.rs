//! External Activities (checkbox 3): one per registrant e-mail and kind, never recorded twice
//! (not by re-runs, not after answers lost in transit), never lost (a claim a crashed run left
//! behind is checked in Pardot and sent if missing), and a missing or inactive activity type
//! is a plain note while the lists are still written.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use sbxy_domain::attendance::AttendanceOutcome;
use sbxy_domain::ids::EventId;
use sbxy_harness::{DEMO_BUSINESS_UNIT, Stack};
use sbxy_simulators::{BusinessUnitSeed, FaultConfig, FaultKind, FaultRate, PardotSeed};
use sbxy_storage::ActivityEntry;
use serde_json::{Value, json};

use crate::attendance_common::{
    EVENT_1, SOURCE_LIST, assert_split, assert_success, end_event_1, every_third, prospects_of,
    registrants, synced_stack, synced_stack_with, webhook_write_back,
};
use sbxy_e2e::tenant;

/// Activities per (folded e-mail, type) in the Pardot simulator.
fn activity_counts(stack: &Stack) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for activity in stack.external_activities() {
        let email = activity["email"]
            .as_str()
            .unwrap_or_default()
            .to_lowercase();
        let kind = activity["type"].as_str().unwrap_or_default().to_owned();
        *counts.entry((email, kind)).or_default() += 1;
    }
    counts
}

/// Switches External Activities on or off for the demo tenant, as saving the settings does.
async fn external_activities(stack: &Stack, on: bool) {
    let names = on.then(|| sbxy_domain::settings::ExternalActivityNames {
        extension: "STREAMBOXY".into(),
        show_type: "Show".into(),
        no_show_type: "NoShow".into(),
    });
    stack
        .ctx
        .store
        .update_tenant(&tenant(), |record| {
            if let Some(settings) = record.settings.as_mut() {
                settings.external_activities.clone_from(&names);
            }
        })
        .await
        .expect("settings");
}

#[tokio::test]
async fn external_activities_are_never_recorded_twice_even_when_answers_are_lost() {
    let stack = synced_stack().await;
    external_activities(&stack, false).await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);
    assert_success(&webhook_write_back(&stack).await);

    // Checkbox 3 goes on; a third of Pardot's answers are lost after the work was done.
    external_activities(&stack, true).await;
    stack.sim.set_faults(FaultConfig {
        pardot: Some(FaultRate {
            rate: 0.3,
            seed: 7,
            kinds: vec![FaultKind::DropAfter],
        }),
        ..FaultConfig::default()
    });
    let lossy = webhook_write_back(&stack).await;
    stack.sim.clear_faults();
    let calm = webhook_write_back(&stack).await;
    let again = webhook_write_back(&stack).await;

    let registrants = registrants(&stack).await;
    let emails: std::collections::BTreeSet<String> =
        registrants.iter().map(|r| r.email_folded.clone()).collect();
    let counts = activity_counts(&stack);
    assert!(counts.values().all(|n| *n == 1), "duplicates: {counts:?}");
    assert_eq!(
        counts.len(),
        emails.len(),
        "one per e-mail, each recorded once"
    );
    assert_eq!(
        lossy.counts.activities_written + lossy.counts.activities_uncertain,
        emails.len() as u64,
        "{:#?}",
        lossy.counts
    );
    assert!(
        lossy.counts.activities_uncertain > 0,
        "the faults hit some activities"
    );
    assert!(
        lossy
            .activities_note
            .as_deref()
            .is_some_and(|n| n.contains("no answer"))
    );
    for later in [&calm, &again] {
        assert_success(later);
        assert_eq!(later.counts.activities_written, 0, "{:#?}", later.counts);
        assert_eq!(later.counts.activities_known, emails.len() as u64);
    }
    let shows = counts.keys().filter(|(_, kind)| kind == "Show").count();
    let show_emails: std::collections::BTreeSet<&str> = registrants
        .iter()
        .filter(|r| prospects_of(&registrants, &attended).contains(&r.prospect_id.0))
        .map(|r| r.email_folded.as_str())
        .collect();
    assert_eq!(shows, show_emails.len());
    stack.stop().await;
}

#[tokio::test]
async fn activities_carry_the_event_id_and_the_first_join() {
    let stack = synced_stack().await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);

    assert_success(&webhook_write_back(&stack).await);

    let event = stack
        .sim
        .event(sbxy_harness::DEMO_TENANT, EVENT_1)
        .expect("event");
    let start = event.start_date_time_utc.expect("start");
    let end = event.end_date_time_utc.expect("end");
    for activity in stack.external_activities() {
        assert_eq!(activity["value"], EVENT_1);
        assert_eq!(activity["extension"], "STREAMBOXY");
        let date = activity["activityDate"].as_str().expect("activityDate");
        let date = chrono::DateTime::parse_from_rfc3339(date).expect("a date");
        let expected = match activity["type"].as_str() {
            Some("Show") => start + chrono::Duration::minutes(5),
            _ => end,
        };
        assert_eq!(date, expected, "{activity}");
    }
    stack.stop().await;
}

#[tokio::test]
async fn an_inactive_activity_type_is_a_plain_note_and_the_lists_are_still_written() {
    let inactive = |active: bool| -> Value {
        json!({"extension": "STREAMBOXY", "type": "NoShow", "isActive": active})
    };
    let stack = synced_stack_with(|seed| {
        let types = &mut seed.pardot.business_units[0].external_activity_types;
        types.retain(|t| t.activity_type != "NoShow");
        types.push(serde_json::from_value(inactive(false)).expect("type"));
    })
    .await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);

    let report = webhook_write_back(&stack).await;

    assert_success(&report);
    let note = report.activities_note.clone().expect("a note");
    assert!(
        note.contains("STREAMBOXY") && note.contains("Salesforce Setup"),
        "{note}"
    );
    let registrants = registrants(&stack).await;
    assert_split(&stack, &registrants, &prospects_of(&registrants, &attended));
    assert!(stack.attendance_lists(SOURCE_LIST).show.is_some());
    let event = EventId::parse(EVENT_1).expect("event id");
    let record = stack
        .ctx
        .store
        .attendance_record(&tenant(), &event)
        .await
        .expect("store")
        .expect("record");
    assert_eq!(record.activities_note.as_deref(), Some(note.as_str()));

    // The admin activates the type and re-runs: the activities left out are recorded now.
    let seed = PardotSeed {
        business_units: vec![BusinessUnitSeed {
            id: DEMO_BUSINESS_UNIT.into(),
            external_activity_types: vec![serde_json::from_value(inactive(true)).expect("type")],
            ..BusinessUnitSeed::default()
        }],
    };
    stack.sim.seed_pardot(&seed).expect("activated");
    let rerun = webhook_write_back(&stack).await;
    assert_success(&rerun);
    assert_eq!(rerun.activities_note, None, "{rerun:#?}");
    let counts = activity_counts(&stack);
    assert!(counts.values().all(|n| *n == 1), "duplicates: {counts:?}");
    assert!(counts.keys().any(|(_, kind)| kind == "NoShow"));
    stack.stop().await;
}

/// Sets an activity's ledger item to "claimed" at `at`, as a run killed mid-send leaves it.
async fn leave_claimed(stack: &Stack, key: &str, at: chrono::DateTime<Utc>) {
    let event = EventId::parse(EVENT_1).expect("event id");
    stack
        .ctx
        .store
        .settle_activity(&tenant(), &event, key, ActivityEntry::Claimed, at)
        .await
        .expect("ledger");
}

#[tokio::test]
async fn a_claim_left_by_a_crashed_run_is_checked_in_pardot_and_sent_exactly_once() {
    let stack = synced_stack().await;
    let attended = every_third(&stack);
    end_event_1(&stack, &attended);
    let registrants = registrants(&stack).await;
    let shows = prospects_of(&registrants, &attended);
    let mut unique = registrants.iter().filter(|r| {
        registrants
            .iter()
            .filter(|o| o.email_folded == r.email_folded)
            .count()
            == 1
    });
    let key_of = |r: &sbxy_domain::attendance::Registrant| {
        let kind = if shows.contains(&r.prospect_id.0) {
            "Show"
        } else {
            "NoShow"
        };
        (
            format!("{kind}#{}", r.email_folded),
            (r.email_folded.clone(), kind.to_owned()),
        )
    };
    let (lost_key, lost) = key_of(unique.next().expect("a registrant"));
    let (young_key, young) = key_of(unique.next().expect("another registrant"));

    // A run killed between claim and send left one claim an hour ago and one just now.
    let an_hour_ago = Utc::now() - Duration::hours(1);
    leave_claimed(&stack, &lost_key, an_hour_ago).await;
    leave_claimed(&stack, &young_key, Utc::now()).await;
    let first = webhook_write_back(&stack).await;

    // The old claim is not in Pardot: sent. The fresh one may still hide behind Pardot's read
    // lag: not sent yet, and the event goes back to Pending for a later run.
    let counts = activity_counts(&stack);
    assert_eq!(counts.get(&lost), Some(&1), "the lost activity was sent");
    assert_eq!(counts.get(&young), None, "the fresh claim waits");
    assert_eq!(first.outcome, AttendanceOutcome::Partial, "{first:#?}");
    assert!(
        first
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("await Pardot's confirmation")),
        "{first:#?}"
    );

    // Later: the fresh claim is old now, and the sent one looks unsettled again (killed after
    // the create landed, before the ledger heard of it).
    leave_claimed(&stack, &young_key, an_hour_ago).await;
    leave_claimed(&stack, &lost_key, an_hour_ago).await;
    let second = webhook_write_back(&stack).await;
    let third = webhook_write_back(&stack).await;

    assert_success(&second);
    assert_success(&third);
    let counts = activity_counts(&stack);
    assert_eq!(
        counts.get(&young),
        Some(&1),
        "the waiting activity was sent"
    );
    assert_eq!(
        counts.get(&lost),
        Some(&1),
        "found in Pardot, not sent again"
    );
    assert!(counts.values().all(|n| *n == 1), "duplicates: {counts:?}");
    let emails: std::collections::BTreeSet<&str> = registrants
        .iter()
        .map(|r| r.email_folded.as_str())
        .collect();
    assert_eq!(counts.len(), emails.len(), "one per e-mail");
    assert_eq!(second.counts.activities_written, 1, "{:#?}", second.counts);
    assert_eq!(third.counts.activities_written, 0, "{:#?}", third.counts);
    stack.stop().await;
}
