//! Prospects as read or queried, the account singleton used as a connection check, and the
//! custom-field definitions an admin picks the link field from.

use serde::Deserialize;
use serde_json::{Map, Value};

/// Fields every prospect read or query requests, besides the caller's.
pub(crate) const PROSPECT_FIELDS: [&str; 5] = ["id", "email", "firstName", "lastName", "isDeleted"];

/// Fields of the account check.
pub(crate) const ACCOUNT_FIELDS: &str = "id,company,website";

/// Fields of custom-field definitions.
pub(crate) const CUSTOM_FIELD_FIELDS: &str = "id,fieldId,name,type,isRequired";

/// A prospect with the standard identity fields typed and every other requested key kept.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prospect {
    pub id: i64,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub is_deleted: Option<bool>,
    /// The other requested keys, e.g. `streamboxyLink__c`; unset values are `null`.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl Prospect {
    /// The string value of an extra field; `None` when absent, `null` or not a string.
    pub fn field_str(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

/// The business unit's account record; reading it proves token, BU ID and host all match.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub id: i64,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
}

/// A custom prospect field definition.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomField {
    pub id: i64,
    /// API id without the `__c` suffix.
    #[serde(default, deserialize_with = "crate::json::null_as_default")]
    pub field_id: String,
    /// The label shown in Pardot (not usable as a key).
    #[serde(default, deserialize_with = "crate::json::null_as_default")]
    pub name: String,
    /// Lower-case type name such as `text` or `radio button`; compare case-insensitively.
    #[serde(
        rename = "type",
        default,
        deserialize_with = "crate::json::null_as_default"
    )]
    pub field_type: String,
    #[serde(default)]
    pub is_required: Option<bool>,
}

impl CustomField {
    /// The key of this field on a prospect: `<fieldId>__c`.
    pub fn prospect_key(&self) -> String {
        format!("{}__c", self.field_id)
    }
}
