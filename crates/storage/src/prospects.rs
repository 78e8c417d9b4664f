//! Prospect records (registrations and the written link) and the registrants of an event.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use sbxy_domain::attendance::Registrant;
use sbxy_domain::ids::{EventId, EventUserId, ProspectId, TenantId};

use crate::error::StorageError;
use crate::item::{Item, ItemBuilder, get_json, get_s, key, req_s};
use crate::records::{EventRegistration, ProspectRecord, WrittenLink};
use crate::table::Store;

/// BatchGetItem takes at most 100 keys.
const BATCH_GET_LIMIT: usize = 100;
/// Registrations are attributes named after their event on the prospect item.
const REGISTRATION_PREFIX: &str = "ev_";
/// How often unprocessed keys of a batch are asked for again.
const BATCH_ATTEMPTS: usize = 8;

fn prospect_pk(tenant: &TenantId, prospect: ProspectId) -> String {
    format!("PROSPECT#{tenant}#{prospect}")
}

fn registrant_key(tenant: &TenantId, event: &EventId, prospect: ProspectId) -> Item {
    key(
        format!("REG#{tenant}#{event}"),
        format!("{:020}", prospect.0),
    )
}

impl Store {
    /// Reads the records of many prospects at once (a page's worth), missing ones left out.
    pub async fn prospects(
        &self,
        tenant: &TenantId,
        ids: &[ProspectId],
    ) -> Result<HashMap<ProspectId, ProspectRecord>, StorageError> {
        let mut unique: Vec<ProspectId> = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut records = HashMap::new();

        for chunk in unique.chunks(BATCH_GET_LIMIT) {
            let keys: Vec<Item> = chunk
                .iter()
                .map(|p| key(prospect_pk(tenant, *p), "P"))
                .collect();
            for item in self.batch_get(keys).await? {
                let pk = req_s(&item, "pk")?;
                let id = pk
                    .rsplit('#')
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| StorageError::corrupt(pk, "no prospect id in key"))?;
                records.insert(ProspectId(id), decode_prospect(&item)?);
            }
        }
        Ok(records)
    }

    async fn batch_get(&self, keys: Vec<Item>) -> Result<Vec<Item>, StorageError> {
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .build()
                .map_err(|e| StorageError::aws("DynamoDB", "BatchGetItem", e))?,
        );
        let mut items = Vec::new();

        for attempt in 0..BATCH_ATTEMPTS {
            let Some(request) = pending.take() else { break };
            let output = self
                .ddb
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(|e| StorageError::aws("DynamoDB", "BatchGetItem", e))?;
            if let Some(mut responses) = output.responses {
                items.extend(responses.remove(&self.table).unwrap_or_default());
            }
            pending = output
                .unprocessed_keys
                .and_then(|mut unprocessed| unprocessed.remove(&self.table))
                .filter(|rest| !rest.keys().is_empty());
            if pending.is_some() {
                // Throttled keys: back off a little, as the SDK's retry would.
                let delay = 25_u64 << attempt.min(5);
                tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
            }
        }
        if pending.is_some() {
            return Err(StorageError::Aws {
                service: "DynamoDB",
                operation: "BatchGetItem",
                detail: "keys stayed unprocessed after retries".into(),
            });
        }
        Ok(items)
    }

    /// Records that a prospect is registered for an event. The registrant item is written
    /// first: if the process dies in between, the prospect looks unregistered and the next run
    /// repeats the (idempotent) registration.
    pub async fn record_registration(
        &self,
        tenant: &TenantId,
        event: &EventId,
        prospect: ProspectId,
        email_folded: &str,
        registration: &EventRegistration,
    ) -> Result<(), StorageError> {
        let registrant = ItemBuilder::with_key(registrant_key(tenant, event, prospect))
            .s("user_id", registration.user_id.as_str())
            .s("email", email_folded)
            .s("registered_at", registration.registered_at.to_rfc3339())
            .build();
        self.ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(registrant))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "PutItem", e))?;

        let value = serde_json::to_string(registration)
            .map_err(|e| StorageError::corrupt("registration", e))?;
        self.ddb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(prospect_pk(tenant, prospect), "P")))
            .update_expression("SET #ev = :reg")
            .expression_attribute_names("#ev", format!("{REGISTRATION_PREFIX}{event}"))
            .expression_attribute_values(":reg", AttributeValue::S(value))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "UpdateItem", e))?;
        Ok(())
    }

    /// Records the link now in the prospect's field.
    pub async fn record_link(
        &self,
        tenant: &TenantId,
        prospect: ProspectId,
        link: &WrittenLink,
    ) -> Result<(), StorageError> {
        let value =
            serde_json::to_string(link).map_err(|e| StorageError::corrupt("written link", e))?;
        self.ddb
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(prospect_pk(tenant, prospect), "P")))
            .update_expression("SET link = :link")
            .expression_attribute_values(":link", AttributeValue::S(value))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "UpdateItem", e))?;
        Ok(())
    }

    /// Every prospect registered for an event, for the Show / No Show split.
    pub async fn registrants(
        &self,
        tenant: &TenantId,
        event: &EventId,
    ) -> Result<Vec<Registrant>, StorageError> {
        let mut registrants = Vec::new();
        let mut start = None;

        loop {
            let page = self
                .ddb
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(
                    ":pk",
                    AttributeValue::S(format!("REG#{tenant}#{event}")),
                )
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StorageError::aws("DynamoDB", "Query", e))?;
            for item in page.items() {
                registrants.push(decode_registrant(item)?);
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(registrants);
            }
        }
    }
}

fn decode_prospect(item: &Item) -> Result<ProspectRecord, StorageError> {
    let mut registrations = BTreeMap::new();
    for (name, value) in item {
        let Some(event) = name.strip_prefix(REGISTRATION_PREFIX) else {
            continue;
        };
        let AttributeValue::S(text) = value else {
            continue;
        };
        let event = EventId::parse(event).map_err(|e| StorageError::corrupt(name, e))?;
        let registration =
            serde_json::from_str(text).map_err(|e| StorageError::corrupt(name, e))?;
        registrations.insert(event, registration);
    }
    Ok(ProspectRecord {
        registrations,
        link: get_json(item, "link")?,
    })
}

fn decode_registrant(item: &Item) -> Result<Registrant, StorageError> {
    let sk = req_s(item, "sk")?;
    let prospect = sk.parse().map_err(|e| StorageError::corrupt(sk, e))?;
    let user = req_s(item, "user_id")?;
    Ok(Registrant {
        prospect_id: ProspectId(prospect),
        user_id: EventUserId::parse(user).map_err(|e| StorageError::corrupt(user, e))?,
        email_folded: get_s(item, "email").unwrap_or_default().to_owned(),
    })
}
