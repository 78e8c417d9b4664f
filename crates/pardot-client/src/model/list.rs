//! Pardot lists: the rows the sync matches by name, and the query that pages through them.

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::Deleted;

/// Fields requested for every list read or query.
pub const LIST_FIELDS: &str = "id,name,folderId,isDynamic,isDeleted,updatedAt";

/// Fields requested back from a list create.
pub(crate) const CREATED_LIST_FIELDS: &str = "id,name,folderId,isDynamic";

/// A Pardot list. Fields not requested by an operation decode as `None`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PardotList {
    pub id: i64,
    /// Internal name (what the event's "Pardot list name" refers to); not guaranteed unique.
    #[serde(default, deserialize_with = "crate::json::null_as_default")]
    pub name: String,
    /// The folder, so attendance lists can be created next to the original.
    #[serde(default)]
    pub folder_id: Option<i64>,
    /// Dynamic lists are rule-managed: their memberships must not be written.
    #[serde(default)]
    pub is_dynamic: Option<bool>,
    #[serde(default)]
    pub is_deleted: Option<bool>,
    #[serde(default)]
    pub updated_at: Option<DateTime<FixedOffset>>,
}

/// Which lists to page through (Pardot has no confirmed name filter, so callers match names
/// client-side).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Resume after this list id (results are ordered by id).
    pub id_greater_than: Option<i64>,
    pub deleted: Deleted,
    /// Page size; `None` uses the client's default; clamped to 1..=1000.
    pub limit: Option<u32>,
}
