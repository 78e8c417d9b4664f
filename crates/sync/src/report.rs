//! What a sync run reports: to the caller, the logs, the status page and the demo summary.

use std::collections::BTreeMap;

use sbxy_domain::status::{SyncCounts, SyncProblem};
use serde::Serialize;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// Every linked list is caught up.
    Completed,
    /// The deadline or a failed membership left work for the next run.
    Partial,
    /// A problem stopped the run; the status says what to do.
    Stopped,
    /// Another worker holds the business unit's lease.
    Busy,
    /// The tenant is not set up for syncing, or is paused.
    Skipped,
}

/// The result of one tenant's sync run.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// The tenant.
    pub tenant_id: String,
    /// How it ended.
    pub outcome: SyncOutcome,
    /// Totals over all linked lists.
    pub counts: SyncCounts,
    /// Counts per Pardot list name.
    pub lists: BTreeMap<String, SyncCounts>,
    /// Pardot requests this run made (retries included).
    pub pardot_calls: u64,
    /// STREAMBOXY requests this run made (retries included).
    pub streamboxy_calls: u64,
    /// The problem that stopped or limited the run.
    pub problem: Option<SyncProblem>,
}

impl SyncReport {
    /// A run that did no work.
    pub fn idle(tenant_id: &str, outcome: SyncOutcome, problem: Option<SyncProblem>) -> Self {
        Self {
            tenant_id: tenant_id.to_owned(),
            outcome,
            counts: SyncCounts::default(),
            lists: BTreeMap::new(),
            pardot_calls: 0,
            streamboxy_calls: 0,
            problem,
        }
    }
}
