//! The simulator's clock: wall time plus an offset that tests can advance, so expiry of
//! codes, tokens and page tokens can be tested without sleeping.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// Wall-clock time shifted by a test-controlled offset.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// The simulated current instant.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves simulated time forward (never backwards: expiry must stay monotonic).
    pub(crate) fn advance(&self, seconds: u64) {
        let ms = i64::try_from(seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}
