//! The simulated fleet: N tenants, each its own STREAMBOXY tenant, Pardot business unit and
//! Salesforce user, with linked events over small lists; and the churn (new list members)
//! added between ticks. Ids are derived from the tenant's index, so a run is reproducible.

use chrono::Utc;
use sbxy_domain::ids::TenantId;
use sbxy_simulators::demo_seed::{DEMO_API_KEY, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use sbxy_simulators::{BusinessUnitSeed, PardotSeed, Seed};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::LoadSimError;

/// The prospect field the links go to (a custom field every business unit has).
pub const LINK_FIELD: &str = "streamboxyLink__c";
/// The event property naming the list (the settings' default).
const LIST_PROPERTY: &str = "PardotListName";
/// Ids of the seeded records inside a business unit.
const FIRST_LIST: i64 = 1_000;
const FIRST_PROSPECT: i64 = 100_000;
const FIRST_MEMBERSHIP: i64 = 500_000;
const FOLDER: i64 = 7_001;

/// How big the fleet is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FleetShape {
    /// Tenants, each with its own business unit.
    pub tenants: usize,
    /// Linked events per tenant (each over its own list); one unlinked event is added.
    pub events_per_tenant: usize,
    /// Members per list at the start (backfilled by the first cycle).
    pub members_per_list: usize,
}

/// One tenant of the fleet.
#[derive(Debug, Clone)]
pub struct FleetTenant {
    /// Position in the fleet.
    pub index: usize,
    /// The STREAMBOXY tenant.
    pub tenant: TenantId,
    /// Its Pardot business unit.
    pub business_unit: String,
    /// The Salesforce user its connection acts as.
    pub user_id: String,
    /// That user's refresh token, as if the admin had connected.
    pub refresh_token: String,
}

/// The fleet and the ids churn hands out next.
#[derive(Debug)]
pub struct Fleet {
    /// Its size.
    pub shape: FleetShape,
    /// Every tenant.
    pub tenants: Vec<FleetTenant>,
    /// Per tenant, prospects created so far (the next churn continues after them).
    created: Vec<i64>,
}

impl Fleet {
    /// Builds the fleet's ids.
    pub fn new(shape: FleetShape) -> Result<Self, LoadSimError> {
        let mut tenants = Vec::with_capacity(shape.tenants);
        for index in 0..shape.tenants {
            let raw = format!("10ad0000-0000-4000-8000-{index:012}");
            let tenant = TenantId::parse(&raw).map_err(|e| LoadSimError::Fleet(e.to_string()))?;
            tenants.push(FleetTenant {
                index,
                tenant,
                business_unit: format!("0Uv{index:015}"),
                user_id: format!("005LOAD{index:011}"),
                refresh_token: format!("5AepLOADrefresh{index:08}"),
            });
        }
        let seeded = (shape.events_per_tenant * shape.members_per_list) as i64;
        Ok(Self {
            shape,
            tenants,
            created: vec![seeded; shape.tenants],
        })
    }

    /// The simulators' start state: every user, business unit, list, member and event.
    pub fn seed(&self) -> Result<Seed, LoadSimError> {
        let users: Vec<Value> = self.tenants.iter().map(salesforce_user).collect();
        let refresh_tokens: Vec<Value> = self
            .tenants
            .iter()
            .map(|t| json!({ "token": t.refresh_token, "user_id": t.user_id }))
            .collect();
        let units: Vec<Value> = self.tenants.iter().map(|t| self.business_unit(t)).collect();
        let sbxy_tenants: Vec<Value> = self.tenants.iter().map(|t| self.events(t)).collect();

        let seed = json!({
            "salesforce": {
                "client_id": DEMO_CLIENT_ID,
                "client_secret": DEMO_CLIENT_SECRET,
                "users": users,
                "refresh_tokens": refresh_tokens,
            },
            "pardot": { "business_units": units },
            "streamboxy": {
                "auth_header": "Authorization",
                "auth_scheme": "Bearer",
                "api_keys": [{ "key": DEMO_API_KEY, "tenants": [] }],
                "tenants": sbxy_tenants,
            },
        });
        serde_json::from_value(seed).map_err(|e| LoadSimError::Fleet(e.to_string()))
    }

    /// New members for one tenant: `count` new prospects joining its lists in turn, stamped
    /// now so the next incremental query sees them.
    pub fn churn(&mut self, index: usize, count: usize) -> Result<PardotSeed, LoadSimError> {
        let Some(tenant) = self.tenants.get(index) else {
            return Err(LoadSimError::Fleet(format!("no tenant {index}")));
        };
        let now = Utc::now().to_rfc3339();
        let mut prospects = Vec::with_capacity(count);
        let mut memberships = Vec::with_capacity(count);
        for _ in 0..count {
            let n = self.created[index];
            self.created[index] += 1;
            let list = FIRST_LIST + n % self.shape.events_per_tenant.max(1) as i64;
            prospects.push(prospect(tenant.index, n, &now));
            memberships.push(membership(n, list, &now));
        }

        let unit = json!({
            "id": tenant.business_unit,
            "prospects": prospects,
            "list_memberships": memberships,
        });
        let unit: BusinessUnitSeed =
            serde_json::from_value(unit).map_err(|e| LoadSimError::Fleet(e.to_string()))?;
        Ok(PardotSeed {
            business_units: vec![unit],
        })
    }

    fn business_unit(&self, tenant: &FleetTenant) -> Value {
        let seeded = "2026-11-20T09:00:00Z";
        let lists: Vec<Value> = (0..self.shape.events_per_tenant)
            .map(|e| {
                json!({
                    "id": FIRST_LIST + e as i64, "name": list_name(e), "folderId": FOLDER,
                    "createdAt": seeded, "updatedAt": seeded,
                })
            })
            .collect();
        let mut prospects = Vec::new();
        let mut memberships = Vec::new();
        for e in 0..self.shape.events_per_tenant {
            for m in 0..self.shape.members_per_list {
                let n = (e * self.shape.members_per_list + m) as i64;
                prospects.push(prospect(tenant.index, n, seeded));
                memberships.push(membership(n, FIRST_LIST + e as i64, seeded));
            }
        }
        json!({
            "id": tenant.business_unit,
            "environment": "production",
            "daily_call_limit": 25_000,
            "folders": [{ "id": FOLDER, "name": "Events", "createdAt": seeded, "updatedAt": seeded }],
            "lists": lists,
            "prospects": prospects,
            "list_memberships": memberships,
            "custom_fields": [{
                "id": 310_001, "fieldId": "streamboxyLink", "name": "STREAMBOXY Link",
                "type": "text", "createdAt": seeded, "updatedAt": seeded,
            }],
        })
    }

    fn events(&self, tenant: &FleetTenant) -> Value {
        let mut events: Vec<Value> = (0..self.shape.events_per_tenant)
            .map(|e| {
                json!({
                    "id": event_id(tenant.index, e), "title": format!("Load event {e}"),
                    "state": "Planned", "customProperties": { LIST_PROPERTY: list_name(e) },
                })
            })
            .collect();
        // An event without a list: listed every run, never synced.
        events.push(json!({
            "id": event_id(tenant.index, 9_999), "title": "Town hall", "state": "Planned",
        }));
        json!({
            "id": tenant.tenant.as_str(),
            "name": format!("Load tenant {}", tenant.index),
            "property_definitions": [{ "internalName": LIST_PROPERTY }],
            "events": events,
        })
    }
}

fn salesforce_user(tenant: &FleetTenant) -> Value {
    json!({
        "id": tenant.user_id,
        "username": format!("admin@t{}.example", tenant.index),
        "display_name": format!("Admin {}", tenant.index),
        "email": format!("admin@t{}.example", tenant.index),
        "org_id": format!("00DLOAD{:011}", tenant.index),
        "business_units": [tenant.business_unit],
    })
}

fn list_name(event: usize) -> String {
    format!("Load Event {event}")
}

fn event_id(tenant: usize, event: usize) -> String {
    format!("e0e00000-0000-4000-8000-{tenant:08}{event:04}")
}

fn prospect(tenant: usize, n: i64, at: &str) -> Value {
    json!({
        "id": FIRST_PROSPECT + n,
        "createdAt": at,
        "updatedAt": at,
        "email": format!("member{n}@t{tenant}.example"),
        "firstName": "Load",
        "lastName": format!("Member {n}"),
        LINK_FIELD: null,
    })
}

fn membership(n: i64, list: i64, at: &str) -> Value {
    json!({
        "id": FIRST_MEMBERSHIP + n,
        "listId": list,
        "prospectId": FIRST_PROSPECT + n,
        "createdAt": at,
        "updatedAt": at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> FleetShape {
        FleetShape {
            tenants: 3,
            events_per_tenant: 2,
            members_per_list: 2,
        }
    }

    #[test]
    fn the_seed_has_one_business_unit_user_and_tenant_per_fleet_tenant() {
        let fleet = Fleet::new(shape()).expect("fleet");
        let seed = fleet.seed().expect("seed");

        assert_eq!(seed.salesforce.users.len(), 3);
        assert_eq!(seed.pardot.business_units.len(), 3);
        assert_eq!(seed.pardot.business_units[0].list_memberships.len(), 4);
        assert_eq!(seed.streamboxy.tenants[2].events.len(), 3);
        assert_eq!(fleet.tenants[2].business_unit.len(), 18);
    }

    #[test]
    fn churn_continues_after_the_seeded_prospects() {
        let mut fleet = Fleet::new(shape()).expect("fleet");

        let first = fleet.churn(1, 3).expect("churn");
        let second = fleet.churn(1, 1).expect("churn");

        let ids: Vec<i64> = first.business_units[0]
            .prospects
            .iter()
            .chain(&second.business_units[0].prospects)
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, vec![100_004, 100_005, 100_006, 100_007]);
    }
}
