//! Helpers of the attack suite: seeding extra Pardot records, running until a run completes,
//! and invariant checks that do not assume the demo seed's list names.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use sbxy_e2e::tenant;
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack};
use sbxy_simulators::PardotSeed;
use sbxy_sync::{Deadline, SyncOutcome, SyncReport};
use serde_json::{Value, json};

/// The demo event linked to "SBXYPardotTest" (list 5001).
pub(crate) const EVENT_LAUNCH: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";
/// The demo event linked to "SBXY Partner Summit" (list 5002).
pub(crate) const EVENT_SUMMIT: &str = "8b9c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c4";
/// The demo event without a list.
pub(crate) const EVENT_TOWN_HALL: &str = "c5d6e7f8-0a1b-4c2d-9e3f-405162738495";

/// Upserts Pardot records of the demo business unit, given as wire-shaped JSON arrays.
pub(crate) fn seed_pardot(stack: &Stack, lists: Value, prospects: Value, memberships: Value) {
    let seed: PardotSeed = serde_json::from_value(json!({
        "business_units": [{
            "id": DEMO_BUSINESS_UNIT,
            "lists": lists,
            "prospects": prospects,
            "list_memberships": memberships,
        }]
    }))
    .expect("valid pardot seed");
    stack.sim.seed_pardot(&seed).expect("seed accepted");
}

/// A prospect JSON record.
pub(crate) fn prospect(id: i64, email: Option<&str>, at: &str) -> Value {
    json!({
        "id": id, "isDeleted": false, "email": email, "firstName": format!("First{id}"),
        "lastName": "Attack", "createdAt": at, "updatedAt": at, DEMO_LINK_FIELD: null,
    })
}

/// A membership JSON record.
pub(crate) fn membership(id: i64, list: i64, prospect: i64, at: &str) -> Value {
    json!({
        "id": id, "listId": list, "prospectId": prospect, "optedOut": false,
        "isDeleted": false, "createdAt": at, "updatedAt": at,
    })
}

/// Sets the list-name property of a demo event.
pub(crate) fn link_event(stack: &Stack, event: &str, name: Value) {
    stack
        .sim
        .set_event(
            DEMO_TENANT,
            event,
            &json!({ "customProperties": { "PardotListName": name } }),
        )
        .expect("event updated");
}

/// One run with a deadline.
pub(crate) async fn run(stack: &Stack, deadline: Deadline) -> SyncReport {
    sbxy_sync::sync_tenant(&stack.ctx, &tenant(), deadline)
        .await
        .expect("the run's bookkeeping works")
}

/// Runs without a deadline until one completes; returns every report.
pub(crate) async fn run_until_completed(stack: &Stack, max_runs: usize) -> Vec<SyncReport> {
    let mut reports = Vec::new();
    for _ in 0..max_runs {
        let report = run(stack, Deadline::none()).await;
        let done = report.outcome == SyncOutcome::Completed;
        reports.push(report);
        if done {
            break;
        }
        // A lease left by an aborted run would make the next run Busy; the tests here never
        // abort, so Busy would itself be a finding.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    reports
}

/// The link value of a prospect in Pardot.
pub(crate) fn link_of(stack: &Stack, prospect: i64) -> Option<String> {
    stack
        .sim
        .prospect_field(DEMO_BUSINESS_UNIT, prospect, DEMO_LINK_FIELD)
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Checks, for the given (event → list id) pairs, that every registrable member of each list
/// is granted into the event exactly once and carries a link, and that STREAMBOXY has one user
/// per folded e-mail. Returns human-readable violations instead of panicking at the first.
pub(crate) fn violations(stack: &Stack, linked: &[(&str, i64)]) -> Vec<String> {
    let mut problems = Vec::new();
    let users = stack.sim.users(DEMO_TENANT);
    let mut per_email: HashMap<String, usize> = HashMap::new();
    let mut email_of: HashMap<String, String> = HashMap::new();
    for user in &users {
        let folded = user.email.trim().to_lowercase();
        *per_email.entry(folded.clone()).or_default() += 1;
        email_of.insert(user.id.to_lowercase(), folded);
    }
    for (email, n) in &per_email {
        if *n > 1 {
            problems.push(format!("{n} STREAMBOXY users for {email}"));
        }
    }

    for (event, list) in linked {
        let grants = stack.sim.grants(DEMO_TENANT, event);
        let mut granted: BTreeMap<String, usize> = BTreeMap::new();
        for user in &grants {
            *granted.entry(user.to_lowercase()).or_default() += 1;
        }
        for (user, n) in &granted {
            if *n > 1 {
                problems.push(format!("user {user} granted {n} times into {event}"));
            }
        }
        let granted_emails: HashSet<&String> =
            granted.keys().filter_map(|u| email_of.get(u)).collect();
        for m in stack.sim.list_memberships(DEMO_BUSINESS_UNIT, *list) {
            let Some(p) = stack.sim.prospect(DEMO_BUSINESS_UNIT, m.prospect_id) else {
                continue;
            };
            let email = p.email().map(|e| e.trim().to_lowercase());
            let registrable = !m.is_deleted
                && !m.opted_out
                && !p.is_deleted
                && email
                    .as_deref()
                    .is_some_and(|e| sbxy_domain::email::Email::parse(Some(e)).is_ok());
            if !registrable {
                continue;
            }
            let email = email.unwrap_or_default();
            if !granted_emails.contains(&email) {
                problems.push(format!(
                    "prospect {} ({email}) on list {list} not granted into {event}",
                    m.prospect_id
                ));
            }
            if link_of(stack, m.prospect_id).is_none() {
                problems.push(format!(
                    "prospect {} on list {list} has no link",
                    m.prospect_id
                ));
            }
        }
    }
    problems
}

/// Both demo events with their lists.
pub(crate) const DEMO_LINKS: [(&str, i64); 2] = [(EVENT_LAUNCH, 5001), (EVENT_SUMMIT, 5002)];

/// Pardot's in-flight peak for the demo business unit and its cap violations.
pub(crate) fn pardot_concurrency(stack: &Stack) -> (u64, u64) {
    let stats = stack.sim.stats();
    let peak = stats
        .pardot
        .max_in_flight
        .get(DEMO_BUSINESS_UNIT)
        .copied()
        .unwrap_or(0);
    (peak, stats.pardot.total_cap_violations())
}

/// An RFC 3339 UTC time `offset_secs` from now (the tests crate has no chrono).
pub(crate) fn stamp(offset_secs: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after the epoch")
        .as_secs() as i64;
    let secs = now + offset_secs;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
