//! The list poller: one scheduler tick finds the tenants to sync on the sparse index and fans
//! out one job per tenant through EventBridge.

use sbxy_storage::{SYNC_BUCKETS, SyncJob};
use serde::Serialize;

use crate::context::AppContext;
use crate::error::SyncError;

/// The 5-minute window is split into this many one-minute slots; each tick serves one slot's
/// buckets, so tenants start spread over the window instead of all in one second.
pub const POLL_SLOTS: u32 = 5;

/// What a tick did.
#[derive(Debug, Clone, Serialize)]
pub struct PollReport {
    /// The index buckets the tick covered.
    pub buckets: Vec<u32>,
    /// Jobs put on the bus, one per syncable tenant.
    pub jobs: Vec<SyncJob>,
    /// Entries EventBridge refused; those tenants wait for their next tick.
    pub refused: usize,
}

/// The buckets of one slot: `slot`, `slot + 5`, … below [`SYNC_BUCKETS`].
pub fn buckets_of_slot(slot: u32) -> Vec<u32> {
    (0..SYNC_BUCKETS)
        .filter(|b| b % POLL_SLOTS == slot % POLL_SLOTS)
        .collect()
}

/// Runs one tick over `buckets` (all of them for the local runner).
pub async fn poll_tick(ctx: &AppContext, buckets: &[u32]) -> Result<PollReport, SyncError> {
    let mut jobs = Vec::new();
    for bucket in buckets {
        let tenants = ctx.store.syncable_tenants_in(*bucket).await?;
        jobs.extend(tenants.into_iter().map(|t| SyncJob {
            tenant_id: t.to_string(),
        }));
    }

    let refused = ctx.bus.put_sync_jobs(&jobs).await?;
    tracing::info!(
        tenants = jobs.len(),
        refused,
        "poll tick fanned out sync jobs"
    );
    Ok(PollReport {
        buckets: buckets.to_vec(),
        jobs,
        refused,
    })
}

/// One tick with the fan-out processed in this process: the local runner's and the demo's
/// stand-in for EventBridge invoking the worker Lambda. The jobs still go through the bus, so
/// the same PutEvents code runs; the workers then run one after another.
pub async fn poll_in_process(
    ctx: &AppContext,
    deadline: crate::Deadline,
) -> Result<(PollReport, Vec<crate::SyncReport>), SyncError> {
    let buckets: Vec<u32> = (0..SYNC_BUCKETS).collect();
    let report = poll_tick(ctx, &buckets).await?;

    let mut runs = Vec::with_capacity(report.jobs.len());
    for job in &report.jobs {
        let tenant = sbxy_domain::ids::TenantId::parse(&job.tenant_id)
            .map_err(|e| SyncError::Input(e.to_string()))?;
        runs.push(crate::sync_tenant(ctx, &tenant, deadline).await?);
    }
    Ok((report, runs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_belongs_to_exactly_one_slot() {
        let mut seen: Vec<u32> = (0..POLL_SLOTS).flat_map(buckets_of_slot).collect();
        seen.sort_unstable();

        assert_eq!(seen, (0..SYNC_BUCKETS).collect::<Vec<_>>());
    }
}
