//! Tenant records: read, create, and update under optimistic concurrency, and the sparse index
//! query the poller uses.

use aws_sdk_dynamodb::types::AttributeValue;
use sbxy_domain::ids::TenantId;

use crate::error::StorageError;
use crate::item::{ItemBuilder, get_json, get_n, key, req_s};
use crate::records::{Connection, TenantRecord, TenantStatus};
use crate::table::{SYNC_BUCKETS, SYNCABLE_INDEX, Store, sync_bucket};

/// How often a conflicting tenant update is retried before giving up.
const UPDATE_ATTEMPTS: usize = 5;

fn tenant_pk(tenant: &TenantId) -> String {
    format!("TENANT#{tenant}")
}

impl Store {
    /// Reads a tenant, `None` when it was never seen.
    pub async fn tenant(&self, tenant: &TenantId) -> Result<Option<TenantRecord>, StorageError> {
        Ok(self
            .tenant_versioned(tenant)
            .await?
            .map(|(record, _)| record))
    }

    async fn tenant_versioned(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<(TenantRecord, i64)>, StorageError> {
        let output = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(tenant_pk(tenant), "PROFILE")))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "GetItem", e))?;
        let Some(item) = output.item else {
            return Ok(None);
        };

        let record = TenantRecord {
            tenant_id: tenant.clone(),
            settings: get_json(&item, "settings")?,
            connection: get_json::<Connection>(&item, "connection")?.unwrap_or_default(),
            status: get_json::<TenantStatus>(&item, "status")?.unwrap_or_default(),
        };
        Ok(Some((record, get_n(&item, "version").unwrap_or(0))))
    }

    /// Changes a tenant (creating it when new) with a read-modify-write that retries when
    /// another writer got there first, so an admin's settings and a worker's status never
    /// overwrite each other. Returns the record as written.
    pub async fn update_tenant(
        &self,
        tenant: &TenantId,
        mut change: impl FnMut(&mut TenantRecord),
    ) -> Result<TenantRecord, StorageError> {
        for _ in 0..UPDATE_ATTEMPTS {
            let (mut record, version) = self
                .tenant_versioned(tenant)
                .await?
                .unwrap_or_else(|| (TenantRecord::new(tenant.clone()), 0));
            change(&mut record);

            let mut item = ItemBuilder::key(tenant_pk(tenant), "PROFILE")
                .s("tenant_id", tenant.as_str())
                .n("version", version + 1)
                .json("connection", &record.connection)?
                .json("status", &record.status)?;
            if let Some(settings) = &record.settings {
                item = item.json("settings", settings)?;
            }
            if record.is_syncable() {
                item = item
                    .s(
                        "gsi1pk",
                        format!("SYNCABLE#{}", sync_bucket(tenant.as_str())),
                    )
                    .s("gsi1sk", tenant.as_str());
            }

            let put = self
                .ddb
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item.build()))
                .condition_expression("attribute_not_exists(pk) OR version = :v")
                .expression_attribute_values(":v", AttributeValue::N(version.to_string()))
                .send()
                .await;
            match put {
                Ok(_) => return Ok(record),
                Err(err)
                    if err
                        .as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
                {
                    tracing::debug!(tenant = %tenant, "tenant changed meanwhile; retrying");
                }
                Err(err) => return Err(StorageError::aws("DynamoDB", "PutItem", err)),
            }
        }
        Err(StorageError::Aws {
            service: "DynamoDB",
            operation: "PutItem",
            detail: format!("tenant {tenant} kept changing during {UPDATE_ATTEMPTS} attempts"),
        })
    }

    /// The tenants the poller should sync in one bucket, from the sparse index.
    pub async fn syncable_tenants_in(&self, bucket: u32) -> Result<Vec<TenantId>, StorageError> {
        let mut tenants = Vec::new();
        let mut start = None;

        loop {
            let page = self
                .ddb
                .query()
                .table_name(&self.table)
                .index_name(SYNCABLE_INDEX)
                .key_condition_expression("gsi1pk = :b")
                .expression_attribute_values(":b", AttributeValue::S(format!("SYNCABLE#{bucket}")))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StorageError::aws("DynamoDB", "Query", e))?;
            for item in page.items() {
                let id = req_s(item, "gsi1sk")?;
                let tenant = TenantId::parse(id).map_err(|e| StorageError::corrupt(id, e))?;
                tenants.push(tenant);
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(tenants);
            }
        }
    }

    /// Every syncable tenant, bucket by bucket.
    pub async fn syncable_tenants(&self) -> Result<Vec<TenantId>, StorageError> {
        let mut tenants = Vec::new();
        for bucket in 0..SYNC_BUCKETS {
            tenants.extend(self.syncable_tenants_in(bucket).await?);
        }
        Ok(tenants)
    }
}
