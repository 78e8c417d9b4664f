//! EventBridge: the poller's fan-out of one sync job per tenant.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use serde::{Deserialize, Serialize};

use crate::error::StorageError;

/// PutEvents takes at most 10 entries.
const PUT_EVENTS_LIMIT: usize = 10;
/// The `source` of every event the service puts.
pub const EVENT_SOURCE: &str = "sbxy-pardot";
/// The detail-type of a sync job.
pub const SYNC_REQUESTED: &str = "TenantSyncRequested";

/// The detail of a sync job: which tenant to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncJob {
    /// The tenant to sync.
    pub tenant_id: String,
}

/// The EventBridge adapter.
#[derive(Debug, Clone)]
pub struct EventBus {
    client: Client,
    bus_name: String,
}

impl EventBus {
    /// Wraps a client for the named bus.
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
        }
    }

    /// Creates the bus for local use and tests; an existing bus is fine.
    pub async fn create(&self) -> Result<(), StorageError> {
        let created = self
            .client
            .create_event_bus()
            .name(&self.bus_name)
            .send()
            .await;
        match created {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_already_exists_exception()) =>
            {
                Ok(())
            }
            Err(err) => Err(StorageError::aws("EventBridge", "CreateEventBus", err)),
        }
    }

    /// Puts the jobs in batches of ten. Returns how many entries EventBridge refused, which the
    /// poller reports; a refused tenant is picked up by the next tick.
    pub async fn put_sync_jobs(&self, jobs: &[SyncJob]) -> Result<usize, StorageError> {
        let mut refused = 0;

        for batch in jobs.chunks(PUT_EVENTS_LIMIT) {
            let mut entries = Vec::with_capacity(batch.len());
            for job in batch {
                let detail =
                    serde_json::to_string(job).map_err(|e| StorageError::corrupt("sync job", e))?;
                entries.push(
                    PutEventsRequestEntry::builder()
                        .event_bus_name(&self.bus_name)
                        .source(EVENT_SOURCE)
                        .detail_type(SYNC_REQUESTED)
                        .detail(detail)
                        .build(),
                );
            }
            let output = self
                .client
                .put_events()
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| StorageError::aws("EventBridge", "PutEvents", e))?;
            refused += usize::try_from(output.failed_entry_count).unwrap_or(0);
        }
        Ok(refused)
    }
}
