//! The per-business-unit cap on concurrent Pardot requests. Pardot answers code 66 once a BU
//! has more than 5 requests in flight, counted across every worker, so every client of one BU
//! in this process draws from the same semaphore.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::config::{ClientSettings, PARDOT_MAX_IN_FLIGHT};

/// A process-wide registry of one semaphore per business unit. Clone it freely; clones share
/// the registry.
#[derive(Debug, Clone)]
pub struct InFlightLimiter {
    max: usize,
    per_business_unit: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl InFlightLimiter {
    /// A registry allowing `max` requests per business unit; `max` is clamped to 1..=5.
    pub fn new(max: usize) -> Self {
        Self {
            max: max.clamp(1, PARDOT_MAX_IN_FLIGHT),
            per_business_unit: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// A registry sized by [`ClientSettings::max_in_flight`].
    pub fn from_settings(settings: &ClientSettings) -> Self {
        Self::new(settings.max_in_flight)
    }

    /// The cap per business unit.
    pub fn max(&self) -> usize {
        self.max
    }

    /// The shared slots of one business unit, created on first use.
    pub fn for_bu(&self, business_unit_id: &str) -> BusinessUnitSlots {
        // The map only ever gains entries, so a panic elsewhere cannot leave it inconsistent.
        let mut map = self
            .per_business_unit
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let semaphore = map
            .entry(business_unit_id.to_owned())
            .or_insert_with(|| Arc::new(Semaphore::new(self.max)))
            .clone();

        BusinessUnitSlots { semaphore }
    }
}

/// The request slots of one business unit.
#[derive(Debug, Clone)]
pub struct BusinessUnitSlots {
    semaphore: Arc<Semaphore>,
}

impl BusinessUnitSlots {
    /// Waits for a free slot; the slot is released when the permit is dropped.
    pub async fn acquire(&self) -> InFlightPermit<'_> {
        let permit = self
            .semaphore
            .acquire()
            .await
            .expect("the in-flight semaphore is never closed: no code path calls close()");
        InFlightPermit { _permit: permit }
    }

    /// Slots free right now (for diagnostics and tests).
    pub fn available(&self) -> usize {
        self.semaphore.available_permits()
    }
}

/// One occupied request slot.
#[derive(Debug)]
pub struct InFlightPermit<'a> {
    _permit: SemaphorePermit<'a>,
}

#[cfg(test)]
mod tests {
    use super::InFlightLimiter;

    #[tokio::test]
    async fn clients_of_one_bu_share_slots() {
        let limiter = InFlightLimiter::new(2);
        let first = limiter.for_bu("0Uv000000000001AAA");
        let second = limiter.clone().for_bu("0Uv000000000001AAA");
        let other = limiter.for_bu("0Uv000000000002AAA");

        let _held = first.acquire().await;

        assert_eq!(second.available(), 1);
        assert_eq!(other.available(), 2);
    }

    #[test]
    fn max_is_clamped_to_pardot_cap() {
        assert_eq!(InFlightLimiter::new(50).max(), 5);
        assert_eq!(InFlightLimiter::new(0).max(), 1);
    }
}
