//! Pardot records as the simulator stores them. The serde shape is the seed-file shape
//! (camelCase like the wire, timestamps as RFC 3339); `to_wire` renders the v5 JSON object with
//! every field of the object, in the business unit's user time zone.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Which Pardot host serves a business unit: pi.pardot.com or pi.demo.pardot.com.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Production,
    Demo,
}

/// The `account` singleton of a business unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: i64,
    pub company: Option<String>,
    pub website: Option<String>,
}

/// A folder (read and query only in v5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Folder {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub parent_folder_id: Option<i64>,
    #[serde(default = "seed_now")]
    pub created_at: DateTime<Utc>,
    #[serde(default = "seed_now")]
    pub updated_at: DateTime<Utc>,
}

/// A list; `isDeleted` means archived (recycle bin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct List {
    #[serde(default)]
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub folder_id: Option<i64>,
    #[serde(default)]
    pub is_dynamic: bool,
    #[serde(default)]
    pub is_public: bool,
    #[serde(default)]
    pub is_deleted: bool,
    #[serde(default = "seed_now")]
    pub created_at: DateTime<Utc>,
    #[serde(default = "seed_now")]
    pub updated_at: DateTime<Utc>,
    /// When the API last wrote the row; drives the optional read lag. Seeded rows have none.
    #[serde(skip)]
    pub written_at: Option<DateTime<Utc>>,
}

/// A list membership; `isDeleted` means archived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    #[serde(default)]
    pub id: i64,
    pub list_id: i64,
    pub prospect_id: i64,
    #[serde(default)]
    pub opted_out: bool,
    #[serde(default)]
    pub is_deleted: bool,
    #[serde(default = "seed_now")]
    pub created_at: DateTime<Utc>,
    #[serde(default = "seed_now")]
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub written_at: Option<DateTime<Utc>>,
}

/// A prospect. Every field other than the bookkeeping ones (standard fields like `email`,
/// `firstName`, and custom fields as `<fieldId>__c`) lives in `fields`, keyed by wire name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prospect {
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub is_deleted: bool,
    #[serde(default = "seed_now")]
    pub created_at: DateTime<Utc>,
    #[serde(default = "seed_now")]
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub fields: BTreeMap<String, Value>,
    #[serde(skip)]
    pub written_at: Option<DateTime<Utc>>,
}

impl Prospect {
    /// The stored e-mail exactly as written (stray spaces and case included).
    pub fn email(&self) -> Option<&str> {
        self.fields.get("email").and_then(Value::as_str)
    }

    /// One field by wire name; `Null` when unset.
    pub fn field(&self, name: &str) -> Value {
        self.fields.get(name).cloned().unwrap_or(Value::Null)
    }
}

/// A custom prospect field definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    #[serde(default)]
    pub id: i64,
    /// API name without `__c`; prospects carry the value as `<fieldId>__c`.
    pub field_id: String,
    pub name: String,
    #[serde(rename = "type", default = "text_type")]
    pub field_type: String,
    #[serde(default)]
    pub is_required: bool,
    #[serde(default = "seed_now")]
    pub created_at: DateTime<Utc>,
    #[serde(default = "seed_now")]
    pub updated_at: DateTime<Utc>,
}

/// An External Activity type registered (in Salesforce) under an extension and assigned to
/// this business unit. Both names are developer names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalActivityType {
    pub extension: String,
    #[serde(rename = "type")]
    pub activity_type: String,
    #[serde(default = "active")]
    pub is_active: bool,
}

/// A stored External Activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalActivity {
    pub id: i64,
    pub extension: String,
    #[serde(rename = "type")]
    pub activity_type: String,
    pub email: String,
    pub value: String,
    pub prospect_id: i64,
    pub activity_date: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

fn seed_now() -> DateTime<Utc> {
    Utc::now()
}

fn text_type() -> String {
    "text".to_owned()
}

fn active() -> bool {
    true
}

/// Renders an instant the way Pardot does: user offset, seconds, no fraction.
pub(crate) fn render_time(at: DateTime<Utc>, offset: FixedOffset) -> String {
    at.with_timezone(&offset)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Renders an optional instant (`null` when absent).
fn time_value(at: DateTime<Utc>, offset: FixedOffset) -> Value {
    Value::String(render_time(at, offset))
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Account {
    pub(crate) fn to_wire(&self, max_calls: u64, used: u64) -> Map<String, Value> {
        object(json!({
            "id": self.id, "company": self.company, "website": self.website,
            "level": "Growth", "maximumDailyApiCalls": max_calls, "apiCallsUsed": used,
        }))
    }
}

impl Folder {
    pub(crate) fn to_wire(&self, offset: FixedOffset, path: String) -> Map<String, Value> {
        object(json!({
            "id": self.id, "name": self.name, "parentFolderId": self.parent_folder_id,
            "path": path, "usePermissions": false,
            "createdAt": time_value(self.created_at, offset),
            "updatedAt": time_value(self.updated_at, offset),
        }))
    }
}

impl List {
    pub(crate) fn to_wire(&self, offset: FixedOffset) -> Map<String, Value> {
        object(json!({
            "id": self.id, "name": self.name, "title": self.title,
            "description": self.description, "isPublic": self.is_public,
            "isDynamic": self.is_dynamic, "folderId": self.folder_id,
            "isDeleted": self.is_deleted,
            "createdAt": time_value(self.created_at, offset),
            "updatedAt": time_value(self.updated_at, offset),
        }))
    }
}

impl Membership {
    pub(crate) fn to_wire(&self, offset: FixedOffset) -> Map<String, Value> {
        object(json!({
            "id": self.id, "listId": self.list_id, "prospectId": self.prospect_id,
            "optedOut": self.opted_out, "isDeleted": self.is_deleted,
            "createdAt": time_value(self.created_at, offset),
            "updatedAt": time_value(self.updated_at, offset),
        }))
    }
}

impl Prospect {
    pub(crate) fn to_wire(&self, offset: FixedOffset) -> Map<String, Value> {
        let mut map: Map<String, Value> = self.fields.clone().into_iter().collect();
        map.insert("id".into(), json!(self.id));
        map.insert("isDeleted".into(), json!(self.is_deleted));
        map.insert("createdAt".into(), time_value(self.created_at, offset));
        map.insert("updatedAt".into(), time_value(self.updated_at, offset));
        map
    }
}

impl CustomField {
    pub(crate) fn to_wire(&self, offset: FixedOffset) -> Map<String, Value> {
        object(json!({
            "id": self.id, "fieldId": self.field_id, "name": self.name,
            "type": self.field_type, "isRequired": self.is_required,
            "apiFieldId": format!("{}__c", self.field_id),
            "isRecordMultipleResponses": false, "isUseValues": false,
            "createdAt": time_value(self.created_at, offset),
            "updatedAt": time_value(self.updated_at, offset),
        }))
    }
}

impl ExternalActivity {
    pub(crate) fn to_wire(&self, offset: FixedOffset) -> Map<String, Value> {
        object(json!({
            "id": self.id, "extension": self.extension, "type": self.activity_type,
            "value": self.value, "prospectId": self.prospect_id,
            "activityDate": time_value(self.activity_date, offset),
            "createdAt": time_value(self.created_at, offset),
        }))
    }
}
