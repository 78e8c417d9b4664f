//! Stacks for the scenarios and the final state they are judged by: STREAMBOXY users and
//! grants, prospect links, the Show / No Show lists and External Activities, with counts of
//! what was lost or duplicated, and the simulators' request counters.

use std::collections::{BTreeMap, BTreeSet};

use sbxy_bench::seed::ListSpec;
use sbxy_domain::settings::SettingsInput;
use sbxy_e2e::{options_with, tenant};
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack};
use sbxy_sync::{Deadline, SyncOutcome, SyncReport};

/// An event and the Pardot list it links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub event: String,
    pub list: i64,
}

/// The demo seed's two linked events.
pub(crate) fn demo_links() -> Vec<Link> {
    vec![
        Link {
            event: "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071".into(),
            list: 5001,
        },
        Link {
            event: "8b9c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c4".into(),
            list: 5002,
        },
    ]
}

/// Sync settings of the demo business unit.
pub(crate) fn sync_settings() -> SettingsInput {
    SettingsInput {
        sync_enabled: true,
        business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
        link_field: Some(DEMO_LINK_FIELD.into()),
        ..SettingsInput::default()
    }
}

/// A connected stack over a generated seed: one list of `members` members, linked to an event
/// with a fixed id so that two stacks can be compared.
pub(crate) async fn generated_stack(members: usize, env: &[(&str, &str)]) -> (Stack, Vec<Link>) {
    let mut specs = ListSpec::many(1, members);
    specs[0].event_id = "0e1d2c3b-4a59-4867-9f76-8a9bacbdcedf".into();
    let links = specs
        .iter()
        .map(|s| Link {
            event: s.event_id.clone(),
            list: s.id,
        })
        .collect();
    let seed = sbxy_bench::seed::seed(&specs).expect("generated seed");
    let stack = Stack::start(seed, options_with(env)).await.expect("stack");
    stack
        .connect_tenant(&tenant(), sync_settings())
        .await
        .expect("connect");
    (stack, links)
}

/// One sync run of the demo tenant.
pub(crate) async fn run(stack: &Stack) -> SyncReport {
    sbxy_sync::sync_tenant(&stack.ctx, &tenant(), Deadline::none())
        .await
        .expect("the run's bookkeeping works")
}

/// Runs until one run completes (at most `max` runs); returns every report.
pub(crate) async fn run_until_completed(stack: &Stack, max: usize) -> Vec<SyncReport> {
    let mut reports = Vec::new();
    for _ in 0..max {
        let report = run(stack).await;
        let done = report.outcome == SyncOutcome::Completed;
        reports.push(report);
        if done {
            break;
        }
    }
    reports
}

/// Write requests (anything but GET) answered or dropped by Pardot and STREAMBOXY so far.
pub(crate) fn writes(stack: &Stack) -> u64 {
    let stats = stack.sim.stats();
    [&stats.pardot.calls, &stats.streamboxy.calls]
        .iter()
        .flat_map(|calls| calls.by_route.iter())
        .filter(|(route, _)| !route.starts_with("GET "))
        .map(|(_, statuses)| statuses.values().sum::<u64>())
        .sum()
}

/// Requests answered or dropped by Pardot and STREAMBOXY so far.
pub(crate) fn calls(stack: &Stack) -> u64 {
    let stats = stack.sim.stats();
    stats.pardot.calls.total + stats.streamboxy.calls.total
}

/// Faulty answers the clients had to absorb: injected faults of every system and every
/// Pardot 429 (code 66, including bursts).
pub(crate) fn retries(stack: &Stack) -> u64 {
    let stats = stack.sim.stats();
    let injected: u64 = [
        &stats.oauth.faults,
        &stats.pardot.calls.faults,
        &stats.streamboxy.calls.faults,
    ]
    .iter()
    .flat_map(|f| f.values())
    .sum();
    let burst_66 = stats.pardot.calls.total_with_status("429");
    injected.max(burst_66)
}

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

/// What must be the same after an interrupted or faulty run as after a clean one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// STREAMBOXY users per folded e-mail (a duplicate shows as 2).
    pub users: BTreeMap<String, usize>,
    /// Per event, the folded e-mails granted (sorted, duplicates kept).
    pub grants: BTreeMap<String, Vec<String>>,
    /// Per registrable member: whether its link field points to an event it is registered for.
    pub linked: BTreeMap<i64, bool>,
    /// The Show list's and the No Show list's active members, per source list name.
    pub attendance: BTreeMap<String, (BTreeSet<i64>, BTreeSet<i64>)>,
    /// External Activities per (folded e-mail, type), counted. Keyed by the e-mail they were
    /// sent with, as the product's ledger is: of several prospects sharing an e-mail, Pardot
    /// puts the activity on the most recently updated one, and which that is depends on the
    /// order the sync happened to write their link fields in.
    pub activities: BTreeMap<(String, String), usize>,
    /// Registrable members per event (folded e-mail).
    pub registrable: BTreeMap<String, BTreeSet<String>>,
}

impl Snapshot {
    /// Reads the simulators' state for the given links.
    pub(crate) fn read(stack: &Stack, links: &[Link]) -> Self {
        let mut users = BTreeMap::new();
        let mut email_of = BTreeMap::new();
        for user in stack.sim.users(DEMO_TENANT) {
            let folded = user.email.trim().to_lowercase();
            *users.entry(folded.clone()).or_insert(0) += 1;
            email_of.insert(user.id.to_lowercase(), folded);
        }

        let mut grants = BTreeMap::new();
        let mut linked = BTreeMap::new();
        let mut registrable = BTreeMap::new();
        for link in links {
            let mut granted: Vec<String> = stack
                .sim
                .grants(DEMO_TENANT, &link.event)
                .iter()
                .map(|u| email_of.get(&u.to_lowercase()).cloned().unwrap_or_default())
                .collect();
            granted.sort();
            grants.insert(link.event.clone(), granted);

            let mut members = BTreeSet::new();
            for m in stack.sim.list_memberships(DEMO_BUSINESS_UNIT, link.list) {
                let Some(p) = stack.sim.prospect(DEMO_BUSINESS_UNIT, m.prospect_id) else {
                    continue;
                };
                let email = p.email().map(|e| e.trim().to_lowercase());
                let valid = email
                    .as_deref()
                    .is_some_and(|e| sbxy_domain::email::Email::parse(Some(e)).is_ok());
                if m.is_deleted || m.opted_out || p.is_deleted || !valid {
                    continue;
                }
                members.insert(email.unwrap_or_default());
                let link_value = stack
                    .sim
                    .prospect_field(DEMO_BUSINESS_UNIT, m.prospect_id, DEMO_LINK_FIELD)
                    .and_then(|v| v.as_str().map(str::to_owned));
                let points_to_a_link =
                    link_value.is_some_and(|l| links.iter().any(|k| l.contains(&k.event)));
                let entry = linked.entry(m.prospect_id).or_insert(false);
                *entry = *entry || points_to_a_link;
            }
            registrable.insert(link.event.clone(), members);
        }

        let mut attendance = BTreeMap::new();
        for list in stack.sim.lists(DEMO_BUSINESS_UNIT) {
            if links.iter().any(|l| l.list == list.id) {
                let lists = stack.attendance_lists(&list.name);
                if lists.show.is_some() || lists.no_show.is_some() {
                    attendance.insert(
                        list.name.clone(),
                        (lists.show_members, lists.no_show_members),
                    );
                }
            }
        }
        let mut activities = BTreeMap::new();
        for activity in stack.external_activities() {
            let email = activity["email"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_lowercase();
            let kind = activity["type"].as_str().unwrap_or_default().to_owned();
            *activities.entry((email, kind)).or_insert(0) += 1;
        }
        Self {
            users,
            grants,
            linked,
            attendance,
            activities,
            registrable,
        }
    }

    /// Registrable members without a grant, plus members without a link.
    pub(crate) fn lost(&self) -> u64 {
        let mut lost = 0;
        for (event, members) in &self.registrable {
            let granted: BTreeSet<&String> = self.grants[event].iter().collect();
            lost += members.iter().filter(|m| !granted.contains(m)).count() as u64;
        }
        lost + self.linked.values().filter(|l| !**l).count() as u64
    }

    /// Users, grants and activities beyond one, and prospects in both attendance lists.
    pub(crate) fn duplicates(&self) -> u64 {
        let extra = |n: usize| n.saturating_sub(1) as u64;
        let users: u64 = self.users.values().map(|n| extra(*n)).sum();
        let mut grants = 0;
        for granted in self.grants.values() {
            let distinct: BTreeSet<&String> = granted.iter().collect();
            grants += (granted.len() - distinct.len()) as u64;
        }
        let activities: u64 = self.activities.values().map(|n| extra(*n)).sum();
        let both: u64 = self
            .attendance
            .values()
            .map(|(show, no_show)| show.intersection(no_show).count() as u64)
            .sum();
        users + grants + activities + both
    }

    /// Registrable memberships over all links.
    pub(crate) fn members(&self) -> u64 {
        self.registrable.values().map(|m| m.len() as u64).sum()
    }
}
