//! List memberships: the query the sync runs (members of a list with their prospect's name and
//! e-mail nested in), the decoded rows, and the outcome of adding a prospect to a list.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;
use serde_json::{Map, Value};

/// Fields every membership query requests; `prospect.*` ones come back as a nested object.
pub const MEMBERSHIP_FIELDS: [&str; 12] = [
    "id",
    "listId",
    "prospectId",
    "optedOut",
    "isDeleted",
    "createdAt",
    "updatedAt",
    "prospect.id",
    "prospect.email",
    "prospect.firstName",
    "prospect.lastName",
    "prospect.isDeleted",
];

/// One prospect's membership of one list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListMembership {
    pub id: i64,
    pub list_id: i64,
    pub prospect_id: i64,
    /// Unsubscribed from this list (the prospect stays a member).
    #[serde(default, deserialize_with = "crate::json::null_as_default")]
    pub opted_out: bool,
    /// In the recycle bin: the prospect was removed from the list.
    #[serde(default, deserialize_with = "crate::json::null_as_default")]
    pub is_deleted: bool,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// `None` when Pardot returned `null`: the API user may not read that prospect.
    #[serde(default)]
    pub prospect: Option<NestedProspect>,
}

/// The prospect fields requested through `prospect.<field>` on a membership query.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NestedProspect {
    #[serde(default)]
    pub id: Option<i64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub is_deleted: Option<bool>,
    /// Every other requested key, e.g. the link field `streamboxyLink__c`.
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl NestedProspect {
    /// The string value of an extra field; `None` when absent, `null` or not a string.
    pub fn field_str(&self, name: &str) -> Option<&str> {
        self.fields.get(name).and_then(Value::as_str)
    }
}

/// Which memberships to fetch, and in what order, one page chain at a time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MembershipQuery {
    pub list_id: Option<i64>,
    /// Resume after this membership id (order by id) — also the restart after the 100k ceiling.
    pub id_greater_than: Option<i64>,
    /// Incremental sync: memberships changed at or after this instant.
    pub updated_at_after_or_equal: Option<DateTime<FixedOffset>>,
    pub order_by: MembershipOrder,
    pub deleted: Deleted,
    /// Page size; `None` uses the client's default; clamped to 1..=1000.
    pub limit: Option<u32>,
    /// Extra prospect fields, requested as `prospect.<field>`.
    pub prospect_fields: Vec<String>,
}

/// Sort key of a membership query (always ascending; Pardot adds `id` as tie-breaker).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MembershipOrder {
    #[default]
    Id,
    UpdatedAt,
}

impl MembershipOrder {
    pub(crate) fn param(self) -> &'static str {
        match self {
            Self::Id => "id ASC",
            Self::UpdatedAt => "updatedAt ASC",
        }
    }
}

/// Whether a query returns live rows, recycle-bin rows, or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Deleted {
    #[default]
    False,
    True,
    All,
}

impl Deleted {
    /// The `deleted` parameter, or `None` for Pardot's default (live rows only).
    pub(crate) fn param(self) -> Option<&'static str> {
        match self {
            Self::False => None,
            Self::True => Some("true"),
            Self::All => Some("all"),
        }
    }
}

/// The outcome of adding a prospect to a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipCreated {
    /// A new membership with this id.
    Created(i64),
    /// Code 58: the prospect already is a member (possibly soft-deleted; query `deleted=all`).
    AlreadyMember,
}

/// Renders a filter timestamp as `YYYY-MM-DDTHH:MM:SS±HH:MM`, the form Pardot parses.
pub(crate) fn filter_timestamp(at: &DateTime<FixedOffset>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decodes_nested_prospect_with_custom_field() {
        let row = r#"{"id":7,"listId":3,"prospectId":11,"optedOut":false,"isDeleted":false,
            "createdAt":"2025-05-16T11:27:08-07:00","updatedAt":"2025-05-17T09:00:00+02:00",
            "prospect":{"id":11,"email":"a@example.test","firstName":"Ada","lastName":null,
            "isDeleted":false,"streamboxyLink__c":"https://join.example.test/x"}}"#;

        let membership: ListMembership = serde_json::from_str(row).unwrap();
        let prospect = membership.prospect.unwrap();

        assert_eq!(prospect.email.as_deref(), Some("a@example.test"));
        assert_eq!(prospect.last_name, None);
        assert_eq!(
            prospect.field_str("streamboxyLink__c"),
            Some("https://join.example.test/x")
        );
        assert_eq!(prospect.field_str("missing__c"), None);
        assert_eq!(membership.updated_at.offset().local_minus_utc(), 7200);
    }

    #[test]
    fn renders_filter_timestamp_with_offset() {
        let at = DateTime::parse_from_rfc3339("2025-01-02T03:04:05.678+02:00").unwrap();

        assert_eq!(filter_timestamp(&at), "2025-01-02T03:04:05+02:00");
    }
}
