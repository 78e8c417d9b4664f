//! Per business unit: the membership cursor, the daily-budget pause and the worker lease; per
//! tenant: the linked events.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use sbxy_domain::ids::{BusinessUnitId, EventId, TenantId};

use crate::error::StorageError;
use crate::item::{ItemBuilder, conditional, get_json, key};
use crate::records::{BusinessUnitState, LinkedEventRecord};
use crate::table::{Store, TTL_ATTRIBUTE};

fn bu_pk(bu: &BusinessUnitId) -> String {
    format!("BU#{bu}")
}

impl Store {
    /// The business unit's cursor and pause.
    pub async fn business_unit_state(
        &self,
        bu: &BusinessUnitId,
    ) -> Result<BusinessUnitState, StorageError> {
        let output = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(bu_pk(bu), "STATE")))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "GetItem", e))?;
        match output.item {
            Some(item) => Ok(get_json(&item, "state")?.unwrap_or_default()),
            None => Ok(BusinessUnitState::default()),
        }
    }

    /// Saves the cursor and pause. Only the lease holder calls this.
    pub async fn save_business_unit_state(
        &self,
        bu: &BusinessUnitId,
        state: &BusinessUnitState,
    ) -> Result<(), StorageError> {
        let item = ItemBuilder::key(bu_pk(bu), "STATE")
            .json("state", state)?
            .build();
        self.ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "PutItem", e))?;
        Ok(())
    }

    /// Takes (or renews) the business unit's lease for `holder` until `now + ttl`. Returns false
    /// when another holder's lease has not expired: then this worker must not touch the unit.
    pub async fn acquire_lease(
        &self,
        bu: &BusinessUnitId,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StorageError> {
        self.take_lock(bu_pk(bu), "LEASE", holder, now, ttl).await
    }

    /// Gives the lease back, if `holder` still has it.
    pub async fn release_lease(
        &self,
        bu: &BusinessUnitId,
        holder: &str,
    ) -> Result<(), StorageError> {
        self.give_back_lock(bu_pk(bu), "LEASE", holder).await
    }

    /// Takes (or renews) the lock item `pk`/`sk` for `holder` until `now + ttl`, unless another
    /// holder's lock is live. The business unit's lease and the tenant's refresh lock are both
    /// this item.
    pub(crate) async fn take_lock(
        &self,
        pk: String,
        sk: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, StorageError> {
        let item = ItemBuilder::key(pk, sk)
            .s("holder", holder)
            .n(TTL_ATTRIBUTE, (now + ttl).timestamp())
            .build();

        let put = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR #exp < :now OR holder = :me")
            .expression_attribute_names("#exp", TTL_ATTRIBUTE)
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()))
            .expression_attribute_values(":me", AttributeValue::S(holder.to_owned()))
            .send()
            .await;
        conditional(put, "PutItem")
    }

    /// Deletes the lock item `pk`/`sk` if `holder` still has it; someone else's is left alone.
    pub(crate) async fn give_back_lock(
        &self,
        pk: String,
        sk: &str,
        holder: &str,
    ) -> Result<(), StorageError> {
        let deleted = self
            .ddb
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .condition_expression("holder = :me")
            .expression_attribute_values(":me", AttributeValue::S(holder.to_owned()))
            .send()
            .await;
        conditional(deleted, "DeleteItem").map(|_| ())
    }

    /// The tenant's linked events.
    pub async fn linked_events(
        &self,
        tenant: &TenantId,
    ) -> Result<Vec<LinkedEventRecord>, StorageError> {
        let mut events = Vec::new();
        let mut start = None;

        loop {
            let page = self
                .ddb
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(format!("TENANT#{tenant}")))
                .expression_attribute_values(":prefix", AttributeValue::S("EVENT#".into()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StorageError::aws("DynamoDB", "Query", e))?;
            for item in page.items() {
                if let Some(event) = get_json(item, "event")? {
                    events.push(event);
                }
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(events);
            }
        }
    }

    /// Saves a linked event.
    pub async fn save_linked_event(&self, event: &LinkedEventRecord) -> Result<(), StorageError> {
        let item = ItemBuilder::key(
            format!("TENANT#{}", event.tenant_id),
            format!("EVENT#{}", event.event_id),
        )
        .json("event", event)?
        .build();
        self.ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "PutItem", e))?;
        Ok(())
    }

    /// Forgets an event that is no longer linked (its property was cleared or it was deleted).
    pub async fn delete_linked_event(
        &self,
        tenant: &TenantId,
        event: &EventId,
    ) -> Result<(), StorageError> {
        self.ddb
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                format!("TENANT#{tenant}"),
                format!("EVENT#{event}"),
            )))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "DeleteItem", e))?;
        Ok(())
    }
}
