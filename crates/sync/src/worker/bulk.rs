//! The bulk path of the link write-back. With `PARDOT_BULK_IMPORT` on, a page that plans at
//! least `PARDOT_BULK_THRESHOLD` syncs collects its link writes instead of PATCHing each one,
//! then writes them with one Pardot import (pardot-api.md §4.9) and a few status reads: about
//! three calls per thousand members instead of a thousand.
//!
//! The Import API's paths are unverified against a real business unit, so every way it can
//! fail ends in the direct path: a refused or unfinished-looking import, or one that reports
//! errors, is followed by one PATCH per row, which is idempotent. Only failures that would
//! stop any Pardot call (daily limit, reconnect) stop the rows. A link is recorded in
//! DynamoDB only after Pardot has it, exactly as on the direct path.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use sbxy_domain::ids::ProspectId;
use sbxy_domain::plan::{MembershipAction, PlannedMembership};
use sbxy_domain::status::SyncProblem;
use sbxy_pardot_client::PardotError;
use sbxy_pardot_client::model::ProspectImport;
use sbxy_storage::WrittenLink;

use super::TenantRun;
use crate::error::{Failure, pardot_failure, storage_failure};

/// The first status read waits this long; each later one waits twice as long.
const FIRST_POLL: Duration = Duration::from_millis(500);
/// The longest wait between two status reads: shorter than the deadline's safety margin, so a
/// run never sleeps past its Lambda deadline.
const MAX_POLL: Duration = Duration::from_secs(15);

/// The link writes of one page, waiting for the page's import.
pub(super) struct BulkBatch {
    threshold: usize,
    rows: Mutex<BTreeMap<ProspectId, PendingLink>>,
}

/// One prospect's link, to write and then record.
struct PendingLink {
    url: String,
    written: WrittenLink,
}

/// Why the import did not write the rows.
enum ImportFailure {
    /// Nothing will work until something changes (daily limit, reconnect).
    Stop(SyncProblem),
    /// The import path did not work out; the rows go the direct way.
    Fallback(String),
    /// Still processing at the deadline; the next run finds out what Pardot applied.
    Unfinished,
}

impl BulkBatch {
    /// Queues `prospect`'s link. A later write for the same prospect in this page replaces it,
    /// as the later PATCH would on the direct path.
    pub(super) fn defer(&self, prospect: ProspectId, url: &str, written: WrittenLink) {
        let pending = PendingLink {
            url: url.to_owned(),
            written,
        };
        self.rows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(prospect, pending);
    }
}

impl TenantRun<'_> {
    /// A batch for this page when bulk import is on and the page plans at least the
    /// threshold's number of syncs; `None` keeps every write on the direct path.
    pub(super) fn bulk_batch(&self, planned: &[PlannedMembership]) -> Option<BulkBatch> {
        let threshold = self.ctx.config.pardot_bulk_threshold?;
        let syncs = planned
            .iter()
            .filter(|p| matches!(p.action, MembershipAction::Sync(_)))
            .count();
        (syncs >= threshold).then(|| BulkBatch {
            threshold,
            rows: Mutex::new(BTreeMap::new()),
        })
    }

    /// Writes the batch (one import when it holds at least the threshold, else PATCH per row)
    /// and records the links. Returns the prospects whose link is not written.
    pub(super) async fn flush_bulk(&self, batch: BulkBatch) -> HashMap<ProspectId, Failure> {
        let threshold = batch.threshold;
        let rows: Vec<(ProspectId, PendingLink)> = batch
            .rows
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .collect();
        if rows.is_empty() {
            return HashMap::new();
        }

        let imported = if rows.len() >= threshold {
            self.import_links(&rows).await
        } else {
            Err(ImportFailure::Fallback(format!(
                "{} writes, below the threshold of {threshold}",
                rows.len()
            )))
        };
        match imported {
            Ok(()) => self.record_links(rows).await,
            Err(ImportFailure::Stop(problem)) => rows
                .into_iter()
                .map(|(prospect, _)| (prospect, Failure::Stop(problem.clone())))
                .collect(),
            Err(ImportFailure::Unfinished) => rows
                .into_iter()
                .map(|(prospect, _)| {
                    let detail = "Pardot import still processing at the deadline".to_owned();
                    (prospect, Failure::Retry(detail))
                })
                .collect(),
            Err(ImportFailure::Fallback(reason)) => {
                if rows.len() >= threshold {
                    // The import was tried and did not work: the assumption about Pardot's
                    // Import API may be wrong for this business unit.
                    tracing::warn!(rows = rows.len(), %reason, "Pardot import failed; PATCHing");
                } else {
                    tracing::info!(rows = rows.len(), %reason, "link writes go the direct way");
                }
                self.write_directly(rows).await
            }
        }
    }

    /// One import of every row, then status reads until Pardot reports it complete.
    async fn import_links(&self, rows: &[(ProspectId, PendingLink)]) -> Result<(), ImportFailure> {
        let refused = |e: PardotError| ImportFailure::Fallback(e.to_string());
        let mut import = ProspectImport::new(&[self.link_field.as_str()]).map_err(refused)?;
        for (prospect, pending) in rows {
            import
                .push(prospect.0, vec![pending.url.clone()])
                .map_err(refused)?;
        }

        let mut job = self
            .pardot
            .create_prospect_import(&import)
            .await
            .map_err(|e| self.import_failure(&e))?;
        tracing::info!(import = job.id, rows = rows.len(), "Pardot import created");
        let mut wait = FIRST_POLL;
        while !job.is_complete() {
            if self.deadline.reached() {
                tracing::warn!(import = job.id, "Pardot import unfinished at the deadline");
                return Err(ImportFailure::Unfinished);
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(MAX_POLL);
            job = self
                .pardot
                .read_import(job.id)
                .await
                .map_err(|e| self.import_failure(&e))?;
        }

        if job.applied_cleanly() {
            return Ok(());
        }
        Err(ImportFailure::Fallback(format!(
            "Pardot import {} finished with {} errors",
            job.id,
            job.error_count.unwrap_or(0)
        )))
    }

    fn import_failure(&self, err: &PardotError) -> ImportFailure {
        match pardot_failure(err, self.link_field.as_str(), Utc::now()) {
            Failure::Stop(problem) => ImportFailure::Stop(problem),
            Failure::Retry(detail) | Failure::Reject(_, detail) => ImportFailure::Fallback(detail),
        }
    }

    /// Records the links Pardot now holds.
    async fn record_links(
        &self,
        rows: Vec<(ProspectId, PendingLink)>,
    ) -> HashMap<ProspectId, Failure> {
        futures::stream::iter(rows.into_iter().map(|(prospect, pending)| async move {
            let result = self
                .ctx
                .store
                .record_link(&self.tenant, prospect, &pending.written)
                .await
                .map_err(|e| storage_failure(&e));
            (prospect, result)
        }))
        .buffer_unordered(self.ctx.config.sync_concurrency)
        .filter_map(|(prospect, result)| async move { result.err().map(|f| (prospect, f)) })
        .collect()
        .await
    }

    /// The direct path for every row: PATCH, then record.
    async fn write_directly(
        &self,
        rows: Vec<(ProspectId, PendingLink)>,
    ) -> HashMap<ProspectId, Failure> {
        futures::stream::iter(rows.into_iter().map(|(prospect, pending)| async move {
            (prospect, self.write_one(prospect, &pending).await)
        }))
        .buffer_unordered(self.ctx.config.sync_concurrency)
        .filter_map(|(prospect, result)| async move { result.err().map(|f| (prospect, f)) })
        .collect()
        .await
    }

    async fn write_one(&self, prospect: ProspectId, pending: &PendingLink) -> Result<(), Failure> {
        let field = self.link_field.as_str();
        self.pardot
            .update_prospect_field(prospect.0, field, &pending.url)
            .await
            .map_err(|e| pardot_failure(&e, field, Utc::now()))?;
        self.ctx
            .store
            .record_link(&self.tenant, prospect, &pending.written)
            .await
            .map_err(|e| storage_failure(&e))
    }
}
