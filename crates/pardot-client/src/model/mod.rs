//! Typed Pardot records and query descriptions. Only what the product needs is typed; every
//! other requested key is kept as JSON.

mod activity;
pub(crate) mod fields;
mod import;
mod list;
mod membership;
mod prospect;

pub use activity::{
    EXTERNAL_ACTIVITY_FIELDS, ExternalActivity, MAX_ACTIVITY_VALUE_CHARS, RecordedActivity,
};
pub(crate) use import::IMPORT_FIELDS;
pub use import::{Import, ImportState, MATCH_ID_COLUMN, ProspectImport};
pub(crate) use list::CREATED_LIST_FIELDS;
pub use list::{LIST_FIELDS, ListQuery, PardotList};
pub(crate) use membership::filter_timestamp;
pub use membership::{
    Deleted, ListMembership, MEMBERSHIP_FIELDS, MembershipCreated, MembershipOrder,
    MembershipQuery, NestedProspect,
};
pub(crate) use prospect::{ACCOUNT_FIELDS, CUSTOM_FIELD_FIELDS, PROSPECT_FIELDS};
pub use prospect::{Account, CustomField, Prospect};
