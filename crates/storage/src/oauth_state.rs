//! OAuth bookkeeping in the table: the single-use marker of each connect attempt, and the
//! per-tenant lock that lets only one process at a time refresh a tenant's tokens.
//!
//! Keys: `OAUTH_STATE#<nonce>` / `STATE` (tenant, `expires_at` TTL) and `TENANT#<t>` /
//! `REFRESH_LOCK` (holder, `expires_at` TTL). DynamoDB's TTL removes leftovers eventually; the
//! conditions below compare `expires_at` themselves, because TTL deletion can lag by days.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use sbxy_domain::ids::TenantId;

use crate::error::StorageError;
use crate::item::{ItemBuilder, conditional, key};
use crate::table::{Store, TTL_ATTRIBUTE};

fn state_pk(nonce: &str) -> String {
    format!("OAUTH_STATE#{nonce}")
}

fn tenant_pk(tenant: &TenantId) -> String {
    format!("TENANT#{tenant}")
}

impl Store {
    /// Records a connect attempt, so its `state` can be redeemed once before `expires_at`.
    /// `nonce` must be unique (a random UUID); an existing marker is never overwritten.
    pub async fn put_connect_state(
        &self,
        nonce: &str,
        tenant: &TenantId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let item = ItemBuilder::key(state_pk(nonce), "STATE")
            .s("tenant_id", tenant.as_str())
            .n(TTL_ATTRIBUTE, expires_at.timestamp())
            .build();

        self.ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "PutItem", e))?;
        Ok(())
    }

    /// Redeems a connect attempt: true exactly once per nonce, for its tenant, before it
    /// expires. The marker is deleted in the same conditional call, so two callbacks racing
    /// with one `state` cannot both win.
    pub async fn take_connect_state(
        &self,
        nonce: &str,
        tenant: &TenantId,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let deleted = self
            .ddb
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(state_pk(nonce), "STATE")))
            .condition_expression("attribute_exists(pk) AND tenant_id = :t AND #exp > :now")
            .expression_attribute_names("#exp", TTL_ATTRIBUTE)
            .expression_attribute_values(":t", AttributeValue::S(tenant.to_string()))
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()))
            .send()
            .await;
        conditional(deleted, "DeleteItem")
    }

    /// Takes the tenant's refresh lock for `holder` until `now + ttl`. False while another
    /// holder's lock is live: that process is refreshing, and this one should wait for it and
    /// then reuse its token rather than present the same refresh token again.
    pub async fn acquire_refresh_lock(
        &self,
        tenant: &TenantId,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StorageError> {
        self.take_lock(tenant_pk(tenant), "REFRESH_LOCK", holder, now, ttl)
            .await
    }

    /// Gives the refresh lock back, if `holder` still has it.
    pub async fn release_refresh_lock(
        &self,
        tenant: &TenantId,
        holder: &str,
    ) -> Result<(), StorageError> {
        self.give_back_lock(tenant_pk(tenant), "REFRESH_LOCK", holder)
            .await
    }
}
