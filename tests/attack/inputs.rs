//! Hostile input: odd list names, ambiguous and archived lists, broken e-mails, an unknown
//! link field, a business unit on the wrong Pardot host, a list renamed between runs, and one
//! member STREAMBOXY refuses for good.

use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::{PardotEnvironment, SettingsInput};
use sbxy_e2e::{connected_stack, options_with, tenant};
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack, StackOptions};
use sbxy_sync::{Deadline, SyncOutcome};
use serde_json::json;

use crate::util::{
    DEMO_LINKS, EVENT_SUMMIT, EVENT_TOWN_HALL, link_event, link_of, membership, prospect, run,
    run_until_completed, seed_pardot, stamp, violations,
};

fn list(id: i64, name: &str, deleted: bool) -> serde_json::Value {
    json!({ "id": id, "name": name, "folderId": 7001, "isDynamic": false, "isDeleted": deleted })
}

/// Seeds `n` fresh members (prospects `base+i`) into `list`.
fn members(stack: &Stack, list_id: i64, base: i64, n: i64) -> Vec<i64> {
    let at = stamp(0);
    let ids: Vec<i64> = (0..n).map(|i| base + i).collect();
    let prospects: Vec<_> = ids
        .iter()
        .map(|p| prospect(*p, Some(&format!("p{p}@attack.example")), &at))
        .collect();
    let memberships: Vec<_> = ids
        .iter()
        .map(|p| membership(1_000_000 + p, list_id, *p, &at))
        .collect();
    seed_pardot(stack, json!([]), json!(prospects), json!(memberships));
    ids
}

#[tokio::test]
async fn attack_list_names_spaces_non_latin_too_long_and_duplicated() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    seed_pardot(
        &stack,
        json!([
            list(5101, "東京セミナー", false),
            list(5102, "Dup Name", false),
            list(5103, "Dup Name", false),
        ]),
        json!([]),
        json!([]),
    );
    let tokyo = members(&stack, 5101, 74_000, 3);
    link_event(&stack, EVENT_SUMMIT, json!("\u{a0} SBXY Partner Summit \t"));
    link_event(&stack, EVENT_TOWN_HALL, json!("東京セミナー"));

    let report = run(&stack, Deadline::none()).await;
    println!(
        "names: {:?} {:?} lists={:?}",
        report.outcome,
        report.problem,
        report.lists.keys()
    );
    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    let problems = violations(
        &stack,
        &[DEMO_LINKS[0], DEMO_LINKS[1], (EVENT_TOWN_HALL, 5101)],
    );
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(tokyo.iter().all(|p| link_of(&stack, *p).is_some()));

    // Too long, then ambiguous: the event gets a problem, the other events keep syncing.
    for (name, expected) in [
        ("x".repeat(256), "ListNameInvalid"),
        ("Dup Name".into(), "ListAmbiguous"),
    ] {
        link_event(&stack, EVENT_TOWN_HALL, json!(name));
        let more = members(&stack, 5001, 75_000 + 100 * name.len() as i64, 2);
        let report = run(&stack, Deadline::none()).await;
        println!(
            "{expected}: {:?} problem={:?}",
            report.outcome, report.problem
        );
        let problem = format!("{:?}", report.problem);
        assert!(problem.contains(expected), "{problem}");
        assert!(
            more.iter().all(|p| link_of(&stack, *p).is_some()),
            "{expected} stopped others"
        );
    }
    stack.stop().await;
}

/// An archived list that shares the name of the linked list must not make the name ambiguous.
#[tokio::test]
async fn attack_archived_list_with_the_same_name() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    seed_pardot(
        &stack,
        json!([list(5104, "SBXY Partner Summit", true)]),
        json!([]),
        json!([]),
    );

    let report = run(&stack, Deadline::none()).await;
    println!("archived twin: {:?} {:?}", report.outcome, report.problem);
    let problems = violations(&stack, &DEMO_LINKS);
    assert!(problems.is_empty(), "{problems:#?}");
    stack.stop().await;
}

#[tokio::test]
async fn attack_broken_emails_are_skipped_not_sent() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    let at = stamp(0);
    let cases: [(i64, Option<&str>); 5] = [
        (76_001, Some("bell\u{7}@attack.example")),
        (76_002, None),
        (76_003, Some("   ")),
        (76_004, Some("new\nline@attack.example")),
        (76_005, Some("zero\u{200b}width@attack.example")),
    ];
    let prospects: Vec<_> = cases.iter().map(|(p, e)| prospect(*p, *e, &at)).collect();
    let memberships: Vec<_> = cases
        .iter()
        .map(|(p, _)| membership(1_000_000 + p, 5002, *p, &at))
        .collect();
    seed_pardot(&stack, json!([]), json!(prospects), json!(memberships));

    let report = run(&stack, Deadline::none()).await;
    println!(
        "broken e-mails: {:?} skipped={:?}",
        report.outcome, report.counts.skipped
    );
    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    let users = stack.sim.users(DEMO_TENANT);
    let odd: Vec<_> = users
        .iter()
        .filter(|u| u.email.chars().any(|c| c.is_control() || c == '\u{200b}'))
        .map(|u| u.email.escape_debug().to_string())
        .collect();
    println!("users with invisible characters: {odd:?}");
    for p in [76_001, 76_002, 76_003, 76_004] {
        assert!(link_of(&stack, p).is_none(), "prospect {p} was registered");
    }
    assert!(
        users.iter().all(|u| !u.email.chars().any(char::is_control)),
        "control characters reached STREAMBOXY: {odd:?}"
    );
    stack.stop().await;
}

/// Connects the demo tenant with valid settings (the admin API now validates them when
/// saved), then changes the stored settings the way Pardot changes under them later: the
/// field deleted or renamed, the business unit moved to another environment.
async fn stack_with(settings: SettingsInput) -> Stack {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    let changed = sbxy_domain::settings::TenantSettings::from_input(settings).expect("valid");
    stack
        .ctx
        .store
        .update_tenant(&tenant(), |record| {
            record.settings = Some(changed.clone());
        })
        .await
        .expect("settings changed");
    stack
}

#[tokio::test]
async fn attack_unknown_link_field_stops_cleanly() {
    let stack = stack_with(SettingsInput {
        sync_enabled: true,
        business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
        link_field: Some("doesNotExist__c".into()),
        ..SettingsInput::default()
    })
    .await;

    let seeded_users = stack.sim.users(DEMO_TENANT).len();
    let first = run(&stack, Deadline::none()).await;
    let second = run(&stack, Deadline::none()).await;
    let status = stack
        .ctx
        .store
        .tenant(&tenant())
        .await
        .expect("read")
        .expect("tenant")
        .status;
    println!("unknown field: status.problem={:?}", status.problem);
    println!(
        "unknown field: {:?} {:?} pardot={} sbxy={}; second {:?} pardot={}",
        first.outcome,
        first.problem,
        first.pardot_calls,
        first.streamboxy_calls,
        second.outcome,
        second.pardot_calls
    );
    assert_eq!(
        stack.sim.users(DEMO_TENANT).len(),
        seeded_users,
        "users created without a link field"
    );
    assert_eq!(
        (first.outcome, format!("{:?}", status.problem)),
        (
            SyncOutcome::Stopped,
            "Some(LinkFieldMissing { field: \"doesNotExist__c\" })".to_owned()
        ),
        "an unknown link field must stop the run and tell the admin"
    );
    let grants = stack.sim.grants(DEMO_TENANT, EVENT_SUMMIT);
    assert!(grants.is_empty(), "grants made without a link field");
    stack.stop().await;
}

#[tokio::test]
async fn attack_production_business_unit_on_the_demo_host() {
    let stack = stack_with(SettingsInput {
        sync_enabled: true,
        business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
        link_field: Some(DEMO_LINK_FIELD.into()),
        environment: PardotEnvironment::Developer,
        ..SettingsInput::default()
    })
    .await;

    let seeded_users = stack.sim.users(DEMO_TENANT).len();
    let report = run(&stack, Deadline::none()).await;
    let status = stack
        .ctx
        .store
        .tenant(&TenantId::parse(DEMO_TENANT).expect("id"))
        .await
        .expect("read")
        .expect("tenant")
        .status;
    println!(
        "wrong host: {:?} {:?} pardot={} status.problem={:?}",
        report.outcome, report.problem, report.pardot_calls, status.problem
    );
    assert_eq!(report.outcome, SyncOutcome::Stopped, "{:?}", report.problem);
    assert!(
        !format!("{:?}", report.problem).contains("Transient"),
        "a permanent misconfiguration is reported as transient: {:?}",
        report.problem
    );
    assert!(
        report.pardot_calls <= 3,
        "{} calls on a wrong host",
        report.pardot_calls
    );
    assert_eq!(stack.sim.users(DEMO_TENANT).len(), seeded_users);
    stack.stop().await;
}

/// The linked list is renamed in Pardot and another list takes its old name. Within the
/// 24 h resolution cache the event keeps the old list id; the event must not start granting
/// the members of a list that no longer has its name (printed, then asserted).
#[tokio::test]
#[ignore = "by design for now: a list renamed in Pardot is re-resolved within 24 h \
            (docs/architecture.md); run with --ignored to see the gap"]
async fn attack_list_renamed_between_runs() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    run(&stack, Deadline::none()).await;

    seed_pardot(
        &stack,
        json!([
            list(5002, "SBXY Partner Summit (old)", false),
            list(5105, "SBXY Partner Summit", false),
        ]),
        json!([]),
        json!([]),
    );
    let old_list_newcomers = members(&stack, 5002, 77_000, 2);
    let new_list_members = members(&stack, 5105, 77_100, 2);
    run_until_completed(&stack, 3).await;
    let old_linked: Vec<bool> = old_list_newcomers
        .iter()
        .map(|p| link_of(&stack, *p).is_some())
        .collect();
    let new_linked: Vec<bool> = new_list_members
        .iter()
        .map(|p| link_of(&stack, *p).is_some())
        .collect();
    println!(
        "renamed list: members of the renamed old list registered={old_linked:?}, members of \
         the list now carrying the name registered={new_linked:?}"
    );
    assert!(
        old_linked.iter().all(|l| !l),
        "the event keeps granting the members of a list that was renamed away (cache of 24 h)"
    );
    stack.stop().await;
}

/// One member whose e-mail Pardot accepts but STREAMBOXY refuses (`a@.example.com`: Pardot's
/// rule allows a leading dot in the domain, STREAMBOXY's does not). It fails on every run; the
/// members behind it, and the other lists, must still be synced.
#[tokio::test]
async fn attack_one_member_streamboxy_refuses_blocks_nobody_else() {
    let stack = connected_stack(options_with(&[("PARDOT_PAGE_SIZE", "10")]))
        .await
        .expect("stack");
    let at = stamp(0);
    seed_pardot(
        &stack,
        json!([]),
        json!([prospect(78_000, Some("poison@.attack.example"), &at)]),
        json!([membership(900_700, 5002, 78_000, &at)]),
    );
    // Behind it in id order: more members of the same list.
    let behind = members(&stack, 5002, 78_050, 15);
    let mut reports = Vec::new();
    for _ in 0..4 {
        reports.push(run(&stack, Deadline::none()).await);
    }
    let later = members(&stack, 5001, 78_100, 3);
    for _ in 0..3 {
        reports.push(run(&stack, Deadline::none()).await);
    }
    for (i, r) in reports.iter().enumerate() {
        println!(
            "poison run {i}: {:?} failed={} registered={} pardot_calls={} problem={:?}",
            r.outcome, r.counts.failed, r.counts.registered, r.pardot_calls, r.problem
        );
    }
    let problems: Vec<String> = violations(&stack, &DEMO_LINKS)
        .into_iter()
        .filter(|p| !p.contains("78000"))
        .collect();
    let later_linked: Vec<bool> = later
        .iter()
        .map(|p| link_of(&stack, *p).is_some())
        .collect();
    let behind_linked: Vec<bool> = behind
        .iter()
        .map(|p| link_of(&stack, *p).is_some())
        .collect();
    println!("poison: new members of the other list linked = {later_linked:?}");
    println!("poison: members behind it on its own list linked = {behind_linked:?}");
    assert!(
        problems.is_empty(),
        "one refused member blocks {} other memberships for good: {:#?}",
        problems.len(),
        &problems[..problems.len().min(5)]
    );
    assert!(
        later_linked.iter().all(|l| *l),
        "new members of another list never synced"
    );
    stack.stop().await;
}

/// The same refused member arriving through the incremental query (after the backfill): the
/// cursor must not stay stuck before it while later memberships pile up.
#[tokio::test]
async fn attack_refused_member_in_the_incremental_query_starves_later_changes() {
    let stack = connected_stack(options_with(&[("PARDOT_PAGE_SIZE", "10")]))
        .await
        .expect("stack");
    let first = run(&stack, Deadline::none()).await;
    assert_eq!(first.outcome, SyncOutcome::Completed);

    let at = stamp(0);
    seed_pardot(
        &stack,
        json!([]),
        json!([prospect(79_000, Some("poison@.attack.example"), &at)]),
        json!([membership(900_701, 5001, 79_000, &at)]),
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let behind = members(&stack, 5002, 79_100, 25);
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        let r = run(&stack, Deadline::none()).await;
        outcomes.push((
            r.outcome,
            r.counts.failed,
            r.counts.registered,
            r.pardot_calls,
        ));
    }
    let linked = behind
        .iter()
        .filter(|p| link_of(&stack, **p).is_some())
        .count();
    println!("incremental poison: runs {outcomes:?}; {linked} of 25 later members linked");
    assert_eq!(
        linked, 25,
        "later memberships starve behind one refused member"
    );
    stack.stop().await;
}
