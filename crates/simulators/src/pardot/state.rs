//! Pardot data per business unit, plus each unit's daily call budget.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use serde_json::{Value, json};

use crate::pardot::model::{
    Account, CustomField, Environment, ExternalActivity, ExternalActivityType, Folder, List,
    Membership, Prospect,
};
use crate::seed::{BusinessUnitSeed, PardotSeed};
use crate::stats::DailyUsage;

const DEFAULT_DAILY_LIMIT: u64 = 25_000;

/// All business units by id.
#[derive(Debug, Default)]
pub(crate) struct PardotState {
    pub(crate) units: BTreeMap<String, BusinessUnit>,
}

/// One business unit's records and budget.
#[derive(Debug)]
pub(crate) struct BusinessUnit {
    pub(crate) id: String,
    pub(crate) environment: Environment,
    pub(crate) daily_limit: u64,
    /// The API user's time zone, used to render every timestamp.
    pub(crate) offset: FixedOffset,
    pub(crate) account: Account,
    pub(crate) folders: BTreeMap<i64, Folder>,
    pub(crate) lists: BTreeMap<i64, List>,
    pub(crate) prospects: BTreeMap<i64, Prospect>,
    pub(crate) memberships: BTreeMap<i64, Membership>,
    pub(crate) custom_fields: BTreeMap<i64, CustomField>,
    pub(crate) activity_types: Vec<ExternalActivityType>,
    pub(crate) activities: BTreeMap<i64, ExternalActivity>,
    usage_day: Option<NaiveDate>,
    used: u64,
}

/// Parses `-07:00` / `+05:30` / `Z`.
fn parse_offset(text: &str) -> Result<FixedOffset, String> {
    if text == "Z" {
        return Ok(Utc.fix());
    }
    let probe = format!("2000-01-01T00:00:00{text}");
    DateTime::parse_from_rfc3339(&probe)
        .map(|t| *t.offset())
        .map_err(|_| format!("user_time_zone_offset {text:?} is not like \"-07:00\""))
}

/// The next free id of a map (ids are never reused, archived rows keep theirs).
pub(crate) fn next_id<V>(map: &BTreeMap<i64, V>, floor: i64) -> i64 {
    map.keys()
        .next_back()
        .map_or(floor, |last| (last + 1).max(floor))
}

/// Inserts `record` under its id, assigning the next free id when it has none (0).
fn upsert<V>(
    map: &mut BTreeMap<i64, V>,
    mut record: V,
    floor: i64,
    id: impl Fn(&mut V) -> &mut i64,
) {
    if *id(&mut record) <= 0 {
        *id(&mut record) = next_id(map, floor);
    }
    let key = *id(&mut record);
    map.insert(key, record);
}

impl BusinessUnit {
    fn new(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            environment: Environment::Production,
            daily_limit: DEFAULT_DAILY_LIMIT,
            offset: Utc.fix(),
            account: Account {
                id: 1000,
                company: Some("Simulated Company".to_owned()),
                website: None,
            },
            folders: BTreeMap::new(),
            lists: BTreeMap::new(),
            prospects: BTreeMap::new(),
            memberships: BTreeMap::new(),
            custom_fields: BTreeMap::new(),
            activity_types: Vec::new(),
            activities: BTreeMap::new(),
            usage_day: None,
            used: 0,
        }
    }

    /// Applies a seed section: settings that are present, records upserted by id.
    fn merge(&mut self, seed: &BusinessUnitSeed) -> Result<(), String> {
        if let Some(environment) = seed.environment {
            self.environment = environment;
        }
        if let Some(limit) = seed.daily_call_limit {
            self.daily_limit = limit;
        }
        if let Some(offset) = &seed.user_time_zone_offset {
            self.offset = parse_offset(offset)?;
        }
        if let Some(account) = &seed.account {
            self.account = account.clone();
        }
        for folder in &seed.folders {
            self.folders.insert(folder.id, folder.clone());
        }
        for list in &seed.lists {
            upsert(&mut self.lists, list.clone(), 1, |l| &mut l.id);
        }
        for prospect in &seed.prospects {
            upsert(&mut self.prospects, prospect.clone(), 1, |p| &mut p.id);
        }
        for membership in &seed.list_memberships {
            upsert(&mut self.memberships, membership.clone(), 1, |m| &mut m.id);
        }
        for field in &seed.custom_fields {
            upsert(&mut self.custom_fields, field.clone(), 1, |f| &mut f.id);
        }
        for activity_type in &seed.external_activity_types {
            self.activity_types.retain(|t| {
                t.extension != activity_type.extension
                    || t.activity_type != activity_type.activity_type
            });
            self.activity_types.push(activity_type.clone());
        }
        Ok(())
    }

    /// Prospect keys of this unit's custom fields (`<fieldId>__c`).
    pub(crate) fn custom_field_keys(&self) -> Vec<String> {
        self.custom_fields
            .values()
            .map(|f| format!("{}__c", f.field_id))
            .collect()
    }

    /// The "/"-joined folder names from the root down to `id`.
    pub(crate) fn folder_path(&self, id: i64) -> String {
        let mut names = Vec::new();
        let mut current = Some(id);
        while let Some(folder) = current.and_then(|id| self.folders.get(&id)) {
            names.push(folder.name.clone());
            current = folder.parent_folder_id;
            if names.len() > 32 {
                break; // a cycle in a hand-written seed must not hang the server
            }
        }
        names.reverse();
        format!("/{}", names.join("/"))
    }

    fn roll_day(&mut self, now: DateTime<Utc>) {
        let today = now.with_timezone(&self.offset).date_naive();
        if self.usage_day != Some(today) {
            self.usage_day = Some(today);
            self.used = 0;
        }
    }

    /// Counts one call against the daily budget; `Err` once the budget is spent.
    pub(crate) fn spend_call(&mut self, now: DateTime<Utc>) -> Result<DailyUsage, DailyUsage> {
        self.roll_day(now);
        let usage = DailyUsage {
            used: self.used,
            max: self.daily_limit,
        };
        if self.used >= self.daily_limit {
            return Err(usage);
        }
        self.used += 1;
        Ok(DailyUsage {
            used: self.used,
            ..usage
        })
    }

    pub(crate) fn usage(&mut self, now: DateTime<Utc>) -> DailyUsage {
        self.roll_day(now);
        DailyUsage {
            used: self.used,
            max: self.daily_limit,
        }
    }

    fn dump(&self) -> Value {
        json!({
            "id": self.id,
            "environment": self.environment,
            "daily_call_limit": self.daily_limit,
            "used_today": self.used,
            "user_time_zone_offset": self.offset.to_string(),
            "account": self.account,
            "folders": self.folders.values().collect::<Vec<_>>(),
            "lists": self.lists.values().collect::<Vec<_>>(),
            "prospects": self.prospects.values().collect::<Vec<_>>(),
            "list_memberships": self.memberships.values().collect::<Vec<_>>(),
            "custom_fields": self.custom_fields.values().collect::<Vec<_>>(),
            "external_activity_types": self.activity_types,
            "external_activities": self.activities.values().collect::<Vec<_>>(),
        })
    }
}

impl PardotState {
    pub(crate) fn from_seed(seed: &PardotSeed) -> Result<Self, String> {
        let mut state = Self::default();
        state.merge(seed)?;
        Ok(state)
    }

    /// Upserts business units and their records.
    pub(crate) fn merge(&mut self, seed: &PardotSeed) -> Result<(), String> {
        for unit in &seed.business_units {
            if !valid_bu_id(&unit.id) {
                return Err(format!(
                    "business unit id {:?} is not 18 chars starting 0Uv",
                    unit.id
                ));
            }
            self.units
                .entry(unit.id.clone())
                .or_insert_with(|| BusinessUnit::new(&unit.id))
                .merge(unit)?;
        }
        Ok(())
    }

    pub(crate) fn daily_usage(&mut self, now: DateTime<Utc>) -> BTreeMap<String, DailyUsage> {
        self.units
            .iter_mut()
            .map(|(id, unit)| (id.clone(), unit.usage(now)))
            .collect()
    }

    pub(crate) fn reset_daily(&mut self) {
        for unit in self.units.values_mut() {
            unit.used = 0;
        }
    }

    /// `GET /_sim/pardot/state`.
    pub(crate) fn dump(&self) -> Value {
        json!({ "business_units": self.units.values().map(BusinessUnit::dump).collect::<Vec<_>>() })
    }
}

/// A business unit id: 18 alphanumerics starting `0Uv`.
pub(crate) fn valid_bu_id(id: &str) -> bool {
    id.len() == 18 && id.starts_with("0Uv") && id.chars().all(|c| c.is_ascii_alphanumeric())
}
