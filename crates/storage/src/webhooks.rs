//! The webhook's delivery ledger: each signed delivery id is accepted once, so a captured
//! request cannot be replayed within the signature's five minutes. The item expires by TTL
//! after the window, when the timestamp check refuses a replay on its own.
//!
//! Key: `WEBHOOK#<delivery id>` / `DELIVERY`.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use sbxy_domain::ids::TenantId;
use sbxy_domain::webhook::DeliveryId;

use crate::error::StorageError;
use crate::item::{ItemBuilder, conditional, key};
use crate::table::{Store, TTL_ATTRIBUTE};

const DELIVERY: &str = "DELIVERY";

fn delivery_pk(delivery: &DeliveryId) -> String {
    format!("WEBHOOK#{}", delivery.as_str())
}

impl Store {
    /// Records a delivery until `now + keep`. False when it was seen before and has not
    /// expired: a replay. DynamoDB deletes expired items late, so expiry is checked here too.
    pub async fn record_delivery(
        &self,
        delivery: &DeliveryId,
        tenant: &TenantId,
        now: DateTime<Utc>,
        keep: Duration,
    ) -> Result<bool, StorageError> {
        let item = ItemBuilder::key(delivery_pk(delivery), DELIVERY)
            .s("tenant_id", tenant.as_str())
            .s("received_at", now.to_rfc3339())
            .n(TTL_ATTRIBUTE, (now + keep).timestamp())
            .build();

        let put = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR #exp < :now")
            .expression_attribute_names("#exp", TTL_ATTRIBUTE)
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()))
            .send()
            .await;
        conditional(put, "PutItem")
    }

    /// Forgets a delivery whose hand-off failed, so the sender's retry is not taken for a
    /// replay.
    pub async fn forget_delivery(&self, delivery: &DeliveryId) -> Result<(), StorageError> {
        self.ddb
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(delivery_pk(delivery), DELIVERY)))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "DeleteItem", e))?;
        Ok(())
    }
}
