//! EventBridge: the poller's fan-out of one sync job per tenant, and the hand-off of one
//! Show / No Show write-back per ended event (from the webhook, the poller's catch-up and the
//! admin's re-run) to the sync-worker.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use sbxy_domain::attendance::AttendanceTrigger;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::error::StorageError;

/// PutEvents takes at most 10 entries.
const PUT_EVENTS_LIMIT: usize = 10;
/// The `source` of every event the service puts.
pub const EVENT_SOURCE: &str = "sbxy-pardot";
/// The detail-type of a sync job.
pub const SYNC_REQUESTED: &str = "TenantSyncRequested";
/// The detail-type of a Show / No Show write-back job.
pub const ATTENDANCE_REQUESTED: &str = "AttendanceRequested";

/// The detail of a write-back job: which event of which tenant, and what asked for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceJob {
    /// The tenant.
    pub tenant_id: String,
    /// The ended event.
    pub event_id: String,
    /// The webhook, the poller, an admin's re-run or the runner.
    pub reason: AttendanceTrigger,
}

/// The detail of a sync job: which tenant to sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncJob {
    /// The tenant to sync.
    pub tenant_id: String,
}

/// Where a local process takes the write-back jobs it put on the bus: in AWS an EventBridge
/// rule invokes the sync-worker for each job; on a laptop (the runner, the demo, the tests)
/// nothing does, so a local worker reads them from this channel after PutEvents accepted them,
/// as the poller's in-process fan-out does for sync jobs. It counts the jobs not finished yet,
/// so a caller can wait for them.
#[derive(Debug, Clone)]
pub struct LocalDelivery {
    sender: UnboundedSender<AttendanceJob>,
    outstanding: Arc<AtomicUsize>,
}

impl LocalDelivery {
    /// A delivery and the receiver the local worker reads.
    pub fn channel() -> (Self, UnboundedReceiver<AttendanceJob>) {
        let (sender, receiver) = unbounded_channel();
        let delivery = Self {
            sender,
            outstanding: Arc::default(),
        };
        (delivery, receiver)
    }

    /// Jobs delivered and not yet reported finished.
    pub fn outstanding(&self) -> usize {
        self.outstanding.load(Ordering::SeqCst)
    }

    /// The local worker finished one job.
    pub fn finished_one(&self) {
        // Never below zero, whatever a caller does.
        let _ = self
            .outstanding
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    }

    fn deliver(&self, job: &AttendanceJob) {
        self.outstanding.fetch_add(1, Ordering::SeqCst);
        if self.sender.send(job.clone()).is_err() {
            self.finished_one();
            tracing::warn!("the local attendance worker has stopped; the job waits for the poller");
        }
    }
}

/// The EventBridge adapter.
#[derive(Debug, Clone)]
pub struct EventBus {
    client: Client,
    bus_name: String,
    /// Where write-back jobs are also delivered in a local process.
    local: Option<LocalDelivery>,
}

impl EventBus {
    /// Wraps a client for the named bus.
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self {
            client,
            bus_name: bus_name.into(),
            local: None,
        }
    }

    /// The same bus, which also hands every write-back job it put to `delivery`.
    pub fn delivering_locally(mut self, delivery: LocalDelivery) -> Self {
        self.local = Some(delivery);
        self
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
                        .set_trace_header(lambda_trace_header())
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

    /// Puts one write-back job. A refused entry is an error, because the caller (the webhook)
    /// must tell its sender to try again.
    pub async fn put_attendance_job(&self, job: &AttendanceJob) -> Result<(), StorageError> {
        let detail =
            serde_json::to_string(job).map_err(|e| StorageError::corrupt("attendance job", e))?;
        let entry = PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus_name)
            .source(EVENT_SOURCE)
            .detail_type(ATTENDANCE_REQUESTED)
            .detail(detail)
            .set_trace_header(lambda_trace_header())
            .build();

        let output = self
            .client
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|e| StorageError::aws("EventBridge", "PutEvents", e))?;
        if output.failed_entry_count > 0 {
            let code = output
                .entries()
                .iter()
                .find_map(|e| e.error_code())
                .unwrap_or("unknown");
            return Err(StorageError::Aws {
                service: "EventBridge",
                operation: "PutEvents",
                detail: format!("the attendance job was refused ({code})"),
            });
        }

        if let Some(local) = &self.local {
            local.deliver(job);
        }
        Ok(())
    }
}

/// The X-Ray trace header of the Lambda invocation that puts the event, so the worker's run
/// joins the poller's or the webhook's trace. `None` outside Lambda. The variable is read per
/// event: the runtime sets it anew for each invocation.
fn lambda_trace_header() -> Option<String> {
    std::env::var("_X_AMZN_TRACE_ID")
        .ok()
        .filter(|header| !header.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_attendance_job_has_the_documented_detail() {
        let job = AttendanceJob {
            tenant_id: "t1".into(),
            event_id: "e1".into(),
            reason: AttendanceTrigger::Webhook,
        };

        let detail = serde_json::to_value(&job).expect("serialises");

        assert_eq!(
            detail,
            serde_json::json!({"tenantId": "t1", "eventId": "e1", "reason": "webhook"})
        );
    }
}
