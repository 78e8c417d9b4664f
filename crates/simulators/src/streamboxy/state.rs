//! STREAMBOXY tenants: property definitions, events, users, grants, access links and
//! attendance, plus the API keys that may use them.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use sbxy_domain::Secret;
use serde_json::{Value, json};

use crate::seed::{AttendanceSeed, StreamboxySeed, TenantSeed};
use crate::streamboxy::model::{Attendance, Event, PropertyDefinition, User, render_utc};

#[derive(Debug)]
pub(crate) struct StreamboxyState {
    pub(crate) auth_header: String,
    /// Empty: the raw key is the whole header value.
    pub(crate) auth_scheme: String,
    /// Key → tenant ids it may use (empty: all).
    pub(crate) api_keys: Vec<(Secret, Vec<String>)>,
    /// By lower-case tenant id (GUIDs compare case-insensitively).
    pub(crate) tenants: BTreeMap<String, Tenant>,
    row_counter: u64,
}

/// A granted (event, user) pair.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) event_id: String,
    pub(crate) user_id: String,
    pub(crate) granted_at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub(crate) struct Tenant {
    pub(crate) id: String,
    pub(crate) name: Option<String>,
    pub(crate) definitions: Vec<PropertyDefinition>,
    pub(crate) events: Vec<Event>,
    pub(crate) users: Vec<User>,
    /// In grant order, which is the order of the granted-users page.
    pub(crate) grants: Vec<Grant>,
    /// User id → opaque part of the user's access link.
    pub(crate) links: BTreeMap<String, String>,
    /// (event id, user id) → attendance.
    pub(crate) attendance: BTreeMap<(String, String), Attendance>,
}

/// Import-file e-mail rule: an "@", a "." after it, no "." right before the "@", no spaces.
pub(crate) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.ends_with('.')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !email.contains(char::is_whitespace)
}

/// Case-insensitive, trimmed e-mail equality.
pub(crate) fn same_email(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

impl Tenant {
    pub(crate) fn event(&self, id: &str) -> Option<&Event> {
        self.events.iter().find(|e| e.id.eq_ignore_ascii_case(id))
    }

    pub(crate) fn event_mut(&mut self, id: &str) -> Option<&mut Event> {
        self.events
            .iter_mut()
            .find(|e| e.id.eq_ignore_ascii_case(id))
    }

    pub(crate) fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id.eq_ignore_ascii_case(id))
    }

    pub(crate) fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users.iter().find(|u| same_email(&u.email, email))
    }

    pub(crate) fn is_granted(&self, event_id: &str, user_id: &str) -> bool {
        self.grants.iter().any(|g| {
            g.event_id.eq_ignore_ascii_case(event_id) && g.user_id.eq_ignore_ascii_case(user_id)
        })
    }

    /// The attendance rows of an event: every granted user (not attended unless recorded),
    /// then recorded users who were never granted.
    pub(crate) fn attendance_of(&self, event_id: &str) -> Vec<Attendance> {
        let event_key = event_id.to_lowercase();
        let mut rows: Vec<Attendance> = Vec::new();
        for grant in self
            .grants
            .iter()
            .filter(|g| g.event_id.eq_ignore_ascii_case(event_id))
        {
            let key = (event_key.clone(), grant.user_id.to_lowercase());
            let row = self
                .attendance
                .get(&key)
                .cloned()
                .unwrap_or_else(|| Attendance {
                    user_id: grant.user_id.clone(),
                    email: self
                        .user(&grant.user_id)
                        .map(|u| u.email.clone())
                        .unwrap_or_default(),
                    attended: false,
                    first_join_date_time_utc: None,
                    minutes_attended: 0.0,
                });
            rows.push(row);
        }
        for ((event, _), row) in &self.attendance {
            if *event == event_key && !rows.iter().any(|r| r.user_id == row.user_id) {
                rows.push(row.clone());
            }
        }
        rows
    }

    /// Records attendance of a user found by id or e-mail.
    pub(crate) fn record_attendance(&mut self, seed: &AttendanceSeed) -> Result<(), String> {
        let user = match (&seed.user_id, &seed.email) {
            (Some(id), _) => self.user(id),
            (None, Some(email)) => self.user_by_email(email),
            (None, None) => return Err("attendance needs userId or email".to_owned()),
        }
        .cloned()
        .ok_or_else(|| {
            format!(
                "no user {:?}/{:?} in tenant {}",
                seed.user_id, seed.email, self.id
            )
        })?;
        if self.event(&seed.event_id).is_none() {
            return Err(format!("no event {} in tenant {}", seed.event_id, self.id));
        }
        let minutes = seed
            .minutes_attended
            .unwrap_or(if seed.attended { 30.0 } else { 0.0 });
        self.attendance.insert(
            (seed.event_id.to_lowercase(), user.id.to_lowercase()),
            Attendance {
                user_id: user.id.clone(),
                email: user.email.clone(),
                attended: seed.attended,
                first_join_date_time_utc: seed.first_join_date_time_utc,
                minutes_attended: minutes,
            },
        );
        Ok(())
    }

    fn dump(&self, base_url: &str) -> Value {
        let links: BTreeMap<&String, String> = self
            .links
            .iter()
            .map(|(user, opaque)| (user, format!("{base_url}/join/{opaque}")))
            .collect();
        let grants: Vec<Value> = self
            .grants
            .iter()
            .map(|g| {
                json!({"eventId": g.event_id, "userId": g.user_id,
                       "grantedDateTimeUtc": render_utc(g.granted_at)})
            })
            .collect();
        let attendance: Vec<Value> = self
            .attendance
            .iter()
            .map(|((event, _), row)| json!({"eventId": event, "record": row}))
            .collect();
        json!({
            "id": self.id, "name": self.name, "propertyDefinitions": self.definitions,
            "events": self.events, "users": self.users, "grants": grants,
            "accessLinks": links, "attendance": attendance,
        })
    }
}

impl StreamboxyState {
    pub(crate) fn from_seed(seed: &StreamboxySeed, now: DateTime<Utc>) -> Result<Self, String> {
        let mut state = Self {
            auth_header: "Authorization".to_owned(),
            auth_scheme: "Bearer".to_owned(),
            api_keys: Vec::new(),
            tenants: BTreeMap::new(),
            row_counter: 0,
        };
        state.merge(seed, now)?;
        Ok(state)
    }

    /// A fresh row version, base64 of a counter like SQL Server's `rowversion`.
    pub(crate) fn next_row_version(&mut self) -> String {
        self.row_counter += 1;
        STANDARD.encode(self.row_counter.to_be_bytes())
    }

    pub(crate) fn tenant(&self, id: &str) -> Option<&Tenant> {
        self.tenants.get(&id.to_lowercase())
    }

    pub(crate) fn tenant_mut(&mut self, id: &str) -> Option<&mut Tenant> {
        self.tenants.get_mut(&id.to_lowercase())
    }

    /// Upserts auth settings, keys and tenants (records by id).
    pub(crate) fn merge(
        &mut self,
        seed: &StreamboxySeed,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        if let Some(header) = &seed.auth_header {
            self.auth_header = header.clone();
        }
        if let Some(scheme) = &seed.auth_scheme {
            self.auth_scheme = scheme.clone();
        }
        for key in &seed.api_keys {
            self.api_keys
                .retain(|(k, _)| k.expose() != key.key.expose());
            self.api_keys.push((key.key.clone(), key.tenants.clone()));
        }
        for tenant in &seed.tenants {
            self.merge_tenant(tenant, now)?;
        }
        Ok(())
    }

    fn merge_tenant(&mut self, seed: &TenantSeed, now: DateTime<Utc>) -> Result<(), String> {
        let mut versions = Vec::new();
        for _ in &seed.events {
            versions.push(self.next_row_version());
        }
        let tenant = self
            .tenants
            .entry(seed.id.to_lowercase())
            .or_insert_with(|| Tenant {
                id: seed.id.clone(),
                ..Tenant::default()
            });
        if seed.name.is_some() {
            tenant.name = seed.name.clone();
        }
        for def in &seed.property_definitions {
            tenant
                .definitions
                .retain(|d| d.internal_name != def.internal_name);
            tenant.definitions.push(def.clone());
        }
        for (event, version) in seed.events.iter().zip(versions) {
            let mut event = event.clone();
            if event.row_version.is_empty() {
                event.row_version = version;
            }
            tenant
                .events
                .retain(|e| !e.id.eq_ignore_ascii_case(&event.id));
            tenant.events.push(event);
        }
        for user in &seed.users {
            let mut user = user.clone();
            if user.id.is_empty() {
                user.id = uuid::Uuid::new_v4().to_string();
            }
            tenant
                .users
                .retain(|u| !u.id.eq_ignore_ascii_case(&user.id));
            tenant.users.push(user);
        }
        for grant in &seed.grants {
            if tenant.event(&grant.event_id).is_none() || tenant.user(&grant.user_id).is_none() {
                return Err(format!("grant of unknown event or user: {grant:?}"));
            }
            if !tenant.is_granted(&grant.event_id, &grant.user_id) {
                tenant.grants.push(Grant {
                    event_id: grant.event_id.clone(),
                    user_id: grant.user_id.clone(),
                    granted_at: now,
                });
            }
        }
        for row in &seed.attendance {
            tenant.record_attendance(row)?;
        }
        Ok(())
    }

    /// `GET /_sim/streamboxy/state`.
    pub(crate) fn dump(&self, base_url: &str) -> Value {
        json!({
            "auth_header": self.auth_header,
            "auth_scheme": self.auth_scheme,
            "tenants": self.tenants.values().map(|t| t.dump(base_url)).collect::<Vec<_>>(),
        })
    }
}
