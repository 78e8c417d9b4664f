//! Synthetic data of any size: the demo seed's connected app, tenant, business unit and link
//! field, with generated lists, prospects, memberships and one linked event per list.
//!
//! Seeded records are a day old, so after the backfill the first incremental query sees no
//! change; members added later with [`new_members`] carry the simulator's "now", like members
//! a marketer just added.

use anyhow::Context;
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT};
use sbxy_simulators::{PardotSeed, Seed};
use serde_json::{Value, json};

/// First id of generated prospects.
pub const FIRST_PROSPECT: i64 = 1_000_001;
/// First id of generated memberships.
pub const FIRST_MEMBERSHIP: i64 = 50_000_001;
/// First id of generated lists.
pub const FIRST_LIST: i64 = 70_001;
/// The list-name event property of the demo tenant.
pub const LIST_PROPERTY: &str = "PardotListName";
/// High enough that no benchmark runs into the simulated daily limit.
const DAILY_CALL_LIMIT: u64 = 100_000_000;
/// Older than any cursor a run sets.
const OLD: &str = "2026-01-05T08:00:00Z";

/// One generated list and the event that links it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSpec {
    pub id: i64,
    pub name: String,
    pub event_id: String,
    /// Members seeded before the first run.
    pub members: usize,
    /// When set, only about this many members (evenly spread) are registrable; the others
    /// have opted out of the list, so the worker reads and plans them but writes nothing.
    pub registrable: Option<usize>,
}

impl ListSpec {
    /// `count` lists named `Bench list <n>` with `members` members each.
    pub fn many(count: usize, members: usize) -> Vec<Self> {
        (0..count)
            .map(|n| Self {
                id: FIRST_LIST + n as i64,
                name: format!("Bench list {n}"),
                event_id: uuid::Uuid::new_v4().to_string(),
                members,
                registrable: None,
            })
            .collect()
    }
}

/// The demo seed with `lists` instead of the demo's lists, records and events. Prospects are
/// numbered consecutively across the lists, one membership each.
pub fn seed(lists: &[ListSpec]) -> anyhow::Result<Seed> {
    let demo = sbxy_harness::demo_seed()?;
    let mut value = serde_json::to_value(&demo).context("encoding the demo seed")?;

    let mut prospects = Vec::new();
    let mut memberships = Vec::new();
    let mut next = 0_i64;
    for list in lists {
        let stride = list
            .registrable
            .map_or(1, |n| list.members.div_ceil(n.max(1)).max(1));
        for k in 0..list.members {
            prospects.push(prospect(FIRST_PROSPECT + next, Some(OLD)));
            let mut row = membership(
                FIRST_MEMBERSHIP + next,
                list.id,
                FIRST_PROSPECT + next,
                Some(OLD),
            );
            row["optedOut"] = json!(k % stride != 0);
            memberships.push(row);
            next += 1;
        }
    }
    let unit = value
        .pointer_mut("/pardot/business_units/0")
        .context("the demo seed has no business unit")?;
    unit["daily_call_limit"] = json!(DAILY_CALL_LIMIT);
    unit["lists"] = Value::Array(lists.iter().map(list).collect());
    unit["prospects"] = Value::Array(prospects);
    unit["list_memberships"] = Value::Array(memberships);

    let tenant = value
        .pointer_mut("/streamboxy/tenants/0")
        .context("the demo seed has no STREAMBOXY tenant")?;
    tenant["events"] = Value::Array(lists.iter().map(event).collect());
    for key in ["users", "grants", "attendance"] {
        tenant[key] = json!([]);
    }
    serde_json::from_value(value).context("decoding the generated seed")
}

/// `count` new prospects on `list_id`, each with one membership, stamped "now" by the
/// simulator. Ids start after the `already` generated ones.
pub fn new_members(list_id: i64, already: usize, count: usize) -> anyhow::Result<PardotSeed> {
    let first = already as i64;
    let prospects: Vec<Value> = (first..first + count as i64)
        .map(|n| prospect(FIRST_PROSPECT + n, None))
        .collect();
    let memberships: Vec<Value> = (first..first + count as i64)
        .map(|n| membership(FIRST_MEMBERSHIP + n, list_id, FIRST_PROSPECT + n, None))
        .collect();
    let seed = json!({"business_units": [{
        "id": DEMO_BUSINESS_UNIT,
        "prospects": prospects,
        "list_memberships": memberships,
    }]});
    serde_json::from_value(seed).context("decoding the new members")
}

/// The demo tenant's STREAMBOXY API key.
pub fn streamboxy_key(seed: &Seed) -> anyhow::Result<String> {
    let keys = &seed.streamboxy.api_keys;
    keys.first()
        .map(|k| k.key.expose().to_owned())
        .context("the demo seed has no STREAMBOXY key")
}

/// The demo tenant's id.
pub fn tenant() -> anyhow::Result<sbxy_domain::ids::TenantId> {
    sbxy_domain::ids::TenantId::parse(DEMO_TENANT).context("the demo tenant id")
}

fn list(spec: &ListSpec) -> Value {
    json!({
        "id": spec.id, "name": spec.name, "title": spec.name, "folderId": 7001,
        "isDynamic": false, "createdAt": OLD, "updatedAt": OLD,
    })
}

fn event(spec: &ListSpec) -> Value {
    json!({
        "id": spec.event_id, "title": format!("Event of {}", spec.name), "state": "Live",
        "startDateTimeUtc": "2027-03-01T09:00:00.000Z",
        "endDateTimeUtc": "2027-03-01T15:00:00.000Z", "timeZone": "Europe/Berlin",
        "customProperties": {LIST_PROPERTY: spec.name}, "rowVersion": "",
    })
}

fn prospect(id: i64, at: Option<&str>) -> Value {
    let mut value = json!({
        "id": id, "email": format!("member{id}@bench.example"), "firstName": "Bench",
        "lastName": format!("Member {id}"), DEMO_LINK_FIELD: null,
    });
    if let Some(at) = at {
        value["createdAt"] = json!(at);
        value["updatedAt"] = json!(at);
    }
    value
}

fn membership(id: i64, list_id: i64, prospect_id: i64, at: Option<&str>) -> Value {
    let mut value = json!({"id": id, "listId": list_id, "prospectId": prospect_id});
    if let Some(at) = at {
        value["createdAt"] = json!(at);
        value["updatedAt"] = json!(at);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_events_and_members_are_generated() {
        let lists = ListSpec::many(2, 3);

        let seed = seed(&lists).expect("seed");

        let unit = &seed.pardot.business_units[0];
        assert_eq!(unit.lists.len(), 2);
        assert_eq!(unit.prospects.len(), 6);
        assert_eq!(unit.list_memberships.len(), 6);
        assert_eq!(unit.list_memberships[5].list_id, FIRST_LIST + 1);
        let events = &seed.streamboxy.tenants[0].events;
        assert_eq!(events.len(), 2);
        assert_eq!(events[1].custom_properties[LIST_PROPERTY], "Bench list 1");
    }

    #[test]
    fn only_the_registrable_share_stays_opted_in() {
        let mut lists = ListSpec::many(1, 10);
        lists[0].registrable = Some(5);

        let seed = seed(&lists).expect("seed");

        let opted_in = seed.pardot.business_units[0]
            .list_memberships
            .iter()
            .filter(|m| !m.opted_out)
            .count();
        assert_eq!(opted_in, 5);
    }

    #[test]
    fn new_members_continue_the_numbering() {
        let members = new_members(FIRST_LIST, 6, 2).expect("members");

        let unit = &members.business_units[0];
        assert_eq!(unit.prospects[0].id, FIRST_PROSPECT + 6);
        assert_eq!(unit.list_memberships[1].id, FIRST_MEMBERSHIP + 7);
    }
}
