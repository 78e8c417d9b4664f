//! Counters of what one client did on the wire, for the daily-budget log line and metrics.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// Live counters, shared by clones of a client. Every HTTP attempt counts toward Pardot's
/// daily budget, so counters are per attempt, not per logical call.
#[derive(Debug, Default)]
pub struct CallStats {
    requests: AtomicU64,
    ok: AtomicU64,
    errors_by_code: Mutex<BTreeMap<i64, u64>>,
    undecodable_errors: AtomicU64,
    transport_errors: AtomicU64,
    retries: AtomicU64,
    write_retries: AtomicU64,
    refreshes: AtomicU64,
}

/// A point-in-time copy of [`CallStats`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallStatsSnapshot {
    /// HTTP attempts sent (each one costs daily budget).
    pub requests: u64,
    /// Attempts answered with 2xx.
    pub ok: u64,
    /// Attempts answered with a Pardot error body, by its code.
    pub errors_by_code: BTreeMap<i64, u64>,
    /// Attempts answered with an error that had no `{code, message}` body.
    pub undecodable_errors: u64,
    /// Attempts that got no response (connect error, reset, timeout).
    pub transport_errors: u64,
    /// Attempts repeated after 66, 5xx, timeouts or resets (not the 184 retry).
    pub retries: u64,
    /// The subset of `retries` that repeated a POST, which may have created a duplicate.
    pub write_retries: u64,
    /// Token refreshes triggered by a 184.
    pub refreshes: u64,
}

impl CallStats {
    /// Copies every counter.
    pub fn snapshot(&self) -> CallStatsSnapshot {
        CallStatsSnapshot {
            requests: self.requests.load(Ordering::Relaxed),
            ok: self.ok.load(Ordering::Relaxed),
            errors_by_code: self.codes().clone(),
            undecodable_errors: self.undecodable_errors.load(Ordering::Relaxed),
            transport_errors: self.transport_errors.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            write_retries: self.write_retries.load(Ordering::Relaxed),
            refreshes: self.refreshes.load(Ordering::Relaxed),
        }
    }

    /// Attempts answered with Pardot error `code`.
    pub fn errors_with_code(&self, code: i64) -> u64 {
        self.codes().get(&code).copied().unwrap_or(0)
    }

    pub(crate) fn record_request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_ok(&self) {
        self.ok.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_error_code(&self, code: i64) {
        *self.codes().entry(code).or_insert(0) += 1;
    }

    pub(crate) fn record_undecodable(&self) {
        self.undecodable_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_transport_error(&self) {
        self.transport_errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn record_retry(&self, is_write: bool) {
        self.retries.fetch_add(1, Ordering::Relaxed);
        if is_write {
            self.write_retries.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn record_refresh(&self) {
        self.refreshes.fetch_add(1, Ordering::Relaxed);
    }

    /// The code map; counters stay usable even if a panicking thread held the lock.
    fn codes(&self) -> std::sync::MutexGuard<'_, BTreeMap<i64, u64>> {
        self.errors_by_code
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
