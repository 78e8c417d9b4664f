//! The admin API's notion of "now". Production reads the system clock; tests move it forward
//! to see a connect `state` expire without waiting ten minutes.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// The system clock plus an offset that only tests change. Clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// The current time as this clock sees it.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Moves this clock and its clones forward.
    pub fn advance(&self, seconds: i64) {
        self.offset_secs.fetch_add(seconds, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;

    #[test]
    fn clones_share_the_offset() {
        let clock = Clock::system();
        let clone = clock.clone();

        clone.advance(601);

        assert!(clock.now() - chrono::Utc::now() >= chrono::Duration::seconds(600));
    }
}
