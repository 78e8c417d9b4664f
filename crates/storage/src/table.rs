//! The single DynamoDB table: its keys, its sparse index, and creating it for local runs.
//!
//! Key design (see docs/architecture.md for the access patterns):
//! - `TENANT#<t>` / `PROFILE`: settings, connection, status; `gsi1pk = SYNCABLE#<bucket>` only
//!   while the tenant should be synced, so the poller queries a sparse index, never scans.
//! - `TENANT#<t>` / `EVENT#<e>`: a linked event.
//! - `BU#<bu>` / `STATE` and `BU#<bu>` / `LEASE`: cursor, pause, and the worker lease.
//! - `PROSPECT#<t>#<p>` / `P`: a prospect's registrations and written link.
//! - `REG#<t>#<e>` / `<p, zero-padded>`: the registrants of an event, for Show / No Show.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use crate::error::StorageError;

/// The sparse index of syncable tenants.
pub const SYNCABLE_INDEX: &str = "gsi1";
/// Syncable tenants are spread over this many index partitions.
pub const SYNC_BUCKETS: u32 = 10;
/// The attribute DynamoDB's TTL deletes expired leases and OAuth states by.
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// The DynamoDB adapter. Cheap to clone; one per process.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) ddb: aws_sdk_dynamodb::Client,
    pub(crate) table: String,
}

impl Store {
    /// Wraps a client configured for the table's region and endpoint.
    pub fn new(ddb: aws_sdk_dynamodb::Client, table: impl Into<String>) -> Self {
        Self {
            ddb,
            table: table.into(),
        }
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Creates the table, its index and TTL, for local use and tests; in AWS the template does.
    /// An existing table is left as it is.
    pub async fn create_table(&self) -> Result<(), StorageError> {
        let attribute = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| StorageError::aws("DynamoDB", "CreateTable", e))
        };
        let key = |name: &str, kind| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(|e| StorageError::aws("DynamoDB", "CreateTable", e))
        };
        let index = GlobalSecondaryIndex::builder()
            .index_name(SYNCABLE_INDEX)
            .key_schema(key("gsi1pk", KeyType::Hash)?)
            .key_schema(key("gsi1sk", KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::KeysOnly)
                    .build(),
            )
            .build()
            .map_err(|e| StorageError::aws("DynamoDB", "CreateTable", e))?;

        let created = self
            .ddb
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(attribute("pk")?)
            .attribute_definitions(attribute("sk")?)
            .attribute_definitions(attribute("gsi1pk")?)
            .attribute_definitions(attribute("gsi1sk")?)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .global_secondary_indexes(index)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                return Ok(());
            }
            Err(err) => return Err(StorageError::aws("DynamoDB", "CreateTable", err)),
        }

        let ttl = TimeToLiveSpecification::builder()
            .attribute_name(TTL_ATTRIBUTE)
            .enabled(true)
            .build()
            .map_err(|e| StorageError::aws("DynamoDB", "UpdateTimeToLive", e))?;
        self.ddb
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "UpdateTimeToLive", e))?;
        Ok(())
    }
}

/// The index partition of a tenant: a stable hash, so a tenant stays in its bucket.
pub fn sync_bucket(tenant: &str) -> u32 {
    // FNV-1a: stable across processes and releases, unlike std's randomised hasher.
    let hash = tenant.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    hash % SYNC_BUCKETS
}
