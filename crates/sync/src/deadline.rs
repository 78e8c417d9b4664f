//! The time a run must stop by, so a Lambda ends cleanly and leaves the rest to the next run.

use std::time::{Duration, Instant};

/// Stop starting new work this long before the hard deadline: long enough to finish the
/// requests in flight and save the cursor.
pub const SAFETY_MARGIN: Duration = Duration::from_secs(20);

/// When a run must have stopped.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    stop_at: Option<Instant>,
}

impl Deadline {
    /// A run with no deadline (the local runner).
    pub fn none() -> Self {
        Self { stop_at: None }
    }

    /// A run that must end by `hard`, e.g. the Lambda invocation's deadline.
    pub fn at(hard: Instant) -> Self {
        Self {
            stop_at: Some(hard.checked_sub(SAFETY_MARGIN).unwrap_or(hard)),
        }
    }

    /// A run that may take `budget` from now (used by tests to force early stops).
    pub fn after(budget: Duration) -> Self {
        Self {
            stop_at: Some(Instant::now() + budget),
        }
    }

    /// True once no new page or membership should be started.
    pub fn reached(&self) -> bool {
        self.stop_at.is_some_and(|at| Instant::now() >= at)
    }
}
