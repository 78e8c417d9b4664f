//! Storage adapters of sbxy-pardot: the DynamoDB table (tenants, cursors, leases, linked
//! events, registrations), Secrets Manager (tokens and credentials) and EventBridge (fan-out).
//! They speak to AWS through the real SDK; locally `AWS_ENDPOINT_URL` points them at moto.

mod attendance;
mod bus;
mod error;
mod item;
mod oauth_state;
mod prospects;
mod records;
mod secrets;
mod sync_state;
mod table;
mod tenants;
mod token_shards;
mod webhooks;

pub use attendance::{ActivityEntry, AttendanceRecord, LedgerEntry};
pub use bus::{
    ATTENDANCE_REQUESTED, AttendanceJob, EVENT_SOURCE, EventBus, LocalDelivery, SYNC_REQUESTED,
    SyncJob,
};
pub use error::StorageError;
pub use records::{
    Backfill, BusinessUnitState, Connection, ConnectionState, EventRegistration, LinkedEventRecord,
    PardotTokens, ProspectRecord, ResolvedList, TenantRecord, TenantStatus, WrittenLink,
};
pub use secrets::SecretStore;
pub use table::{SYNC_BUCKETS, SYNCABLE_INDEX, Store, TTL_ATTRIBUTE, sync_bucket};
pub use token_shards::DEFAULT_TOKEN_SHARDS;

/// Loads the AWS configuration the standard way (region, credentials, `AWS_ENDPOINT_URL`).
pub async fn aws_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
