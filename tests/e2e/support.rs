//! Shared steps of the end-to-end tests: a demo stack with the tenant connected, one sync run,
//! and the checks of the final state that every scenario must reach.

use std::collections::{BTreeMap, HashMap, HashSet};

use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::SettingsInput;
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack, StackOptions};
use sbxy_sync::{Deadline, SyncReport};

/// Starts a stack with the demo seed and connects the demo tenant.
pub async fn connected_stack(options: StackOptions) -> anyhow::Result<Stack> {
    let stack = Stack::start(sbxy_harness::demo_seed()?, options).await?;
    let settings = SettingsInput {
        sync_enabled: true,
        business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
        link_field: Some(DEMO_LINK_FIELD.into()),
        ..SettingsInput::default()
    };
    stack.connect_tenant(&tenant(), settings).await?;
    Ok(stack)
}

/// The demo tenant.
pub fn tenant() -> TenantId {
    TenantId::parse(DEMO_TENANT).expect("the demo tenant id is valid")
}

/// One sync run of the demo tenant without a deadline.
pub async fn sync(stack: &Stack) -> anyhow::Result<SyncReport> {
    Ok(sbxy_sync::sync_tenant(&stack.ctx, &tenant(), Deadline::none()).await?)
}

/// Options with extra configuration variables.
pub fn options_with(vars: &[(&str, &str)]) -> StackOptions {
    let mut options = StackOptions::default();
    for (name, value) in vars {
        options.env.insert((*name).to_owned(), (*value).to_owned());
    }
    options
}

/// Pardot requests to a route prefix, e.g. `PATCH /api/v5/objects/prospects`.
pub fn pardot_calls_to(stack: &Stack, prefix: &str) -> u64 {
    let stats = stack.sim.stats();
    stats
        .pardot
        .calls
        .by_route
        .iter()
        .filter(|(route, _)| route.starts_with(prefix))
        .map(|(_, statuses)| statuses.values().sum::<u64>())
        .sum()
}

/// What the outside systems hold after a sync, reduced to what must not differ between an
/// interrupted and an uninterrupted run.
#[derive(Debug, PartialEq, Eq)]
pub struct FinalState {
    /// STREAMBOXY users by folded e-mail; a duplicate shows as a count above 1.
    pub users_per_email: BTreeMap<String, usize>,
    /// Per event, the folded e-mails of the granted users.
    pub grants: BTreeMap<String, Vec<String>>,
    /// Per prospect, the event its link shows (`None` when no link was written).
    pub link_events: BTreeMap<i64, Option<String>>,
}

/// Reads the final state from the simulators, and checks the invariants every run must keep:
/// one user per e-mail, and every registrable member of a linked list granted and linked.
pub fn final_state(stack: &Stack) -> FinalState {
    let tenant = DEMO_TENANT;
    let users = stack.sim.users(tenant);
    let mut users_per_email = BTreeMap::new();
    let mut email_of_user = HashMap::new();
    for user in &users {
        let folded = user.email.trim().to_lowercase();
        *users_per_email.entry(folded.clone()).or_insert(0) += 1;
        email_of_user.insert(user.id.clone(), folded);
    }

    let lists = stack.sim.lists(DEMO_BUSINESS_UNIT);
    let events = linked_events(stack);
    let mut grants = BTreeMap::new();
    let mut link_events = BTreeMap::new();
    for (list_name, event_id) in &events {
        let mut granted: Vec<String> = stack
            .sim
            .grants(tenant, event_id)
            .iter()
            .filter_map(|user| email_of_user.get(user).cloned())
            .collect();
        granted.sort();
        let granted_set: HashSet<&String> = granted.iter().collect();

        let Some(list) = lists.iter().find(|l| &l.name == list_name) else {
            continue;
        };
        for membership in stack.sim.list_memberships(DEMO_BUSINESS_UNIT, list.id) {
            let Some(prospect) = stack
                .sim
                .prospect(DEMO_BUSINESS_UNIT, membership.prospect_id)
            else {
                continue;
            };
            let registrable = !membership.is_deleted
                && !membership.opted_out
                && !prospect.is_deleted
                && prospect.email().is_some_and(|e| e.contains('@'));
            let link = stack
                .sim
                .prospect_field(DEMO_BUSINESS_UNIT, membership.prospect_id, DEMO_LINK_FIELD)
                .and_then(|v| v.as_str().map(str::to_owned));
            let link_event = link
                .as_deref()
                .and_then(|l| l.split("event=").nth(1))
                .map(str::to_owned);
            if registrable {
                let email = prospect.email().unwrap_or_default().trim().to_lowercase();
                assert!(
                    granted_set.contains(&email),
                    "{email} on {list_name} is not granted"
                );
                assert!(
                    link_event.is_some(),
                    "prospect {} has no link",
                    membership.prospect_id
                );
            }
            link_events.insert(membership.prospect_id, link_event);
        }
        grants.insert(event_id.clone(), granted);
    }

    let duplicated: Vec<_> = users_per_email.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        duplicated.is_empty(),
        "duplicate STREAMBOXY users: {duplicated:?}"
    );
    FinalState {
        users_per_email,
        grants,
        link_events,
    }
}

/// The demo events by the list name they link, as the seed defines them.
fn linked_events(stack: &Stack) -> Vec<(String, String)> {
    let seed = sbxy_harness::demo_seed().expect("the demo seed loads");
    let mut events = Vec::new();
    for tenant in seed
        .streamboxy
        .tenants
        .iter()
        .filter(|t| t.id == DEMO_TENANT)
    {
        for event in &tenant.events {
            let current = stack
                .sim
                .event(DEMO_TENANT, &event.id)
                .unwrap_or_else(|| event.clone());
            if let Some(name) = current
                .custom_properties
                .get("PardotListName")
                .and_then(|v| v.as_str())
            {
                events.push((name.to_owned(), event.id.clone()));
            }
        }
    }
    events
}
