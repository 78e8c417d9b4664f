//! Call statistics per system, served by `GET /_sim/stats` and `SimHandle::stats`. Tests use
//! them to prove how many calls the product spent and that it kept Pardot's in-flight cap.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::faults::System;
use crate::sync::lock;

/// A snapshot of every counter.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub oauth: SystemStats,
    pub pardot: PardotStats,
    pub streamboxy: StreamboxyStats,
}

/// Calls of one system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemStats {
    /// Every request that reached a route or the fallback (control routes excluded).
    pub total: u64,
    /// `"METHOD /route/{template}"` → status (`"200"`, …, or `"dropped"`) → count.
    pub by_route: BTreeMap<String, BTreeMap<String, u64>>,
    /// Injected faults by kind name.
    pub faults: BTreeMap<String, u64>,
}

impl SystemStats {
    /// Calls of one `"METHOD /template"`, any status.
    pub fn calls(&self, route: &str) -> u64 {
        self.by_route.get(route).map_or(0, |s| s.values().sum())
    }

    /// Calls of one route that ended with `status`.
    pub fn calls_with_status(&self, route: &str, status: &str) -> u64 {
        self.by_route
            .get(route)
            .and_then(|s| s.get(status))
            .copied()
            .unwrap_or(0)
    }

    /// Calls of any route that ended with `status`.
    pub fn total_with_status(&self, status: &str) -> u64 {
        self.by_route.values().filter_map(|s| s.get(status)).sum()
    }
}

/// Pardot calls plus the quota counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PardotStats {
    #[serde(flatten)]
    pub calls: SystemStats,
    /// Highest number of requests of one business unit in flight at once, counting the one
    /// that arrived (so 6 means the cap of 5 was broken).
    pub max_in_flight: BTreeMap<String, u64>,
    /// Requests that found the cap already reached (and got code 66).
    pub cap_violations: BTreeMap<String, u64>,
    /// Daily budget per business unit.
    pub daily_usage: BTreeMap<String, DailyUsage>,
}

impl PardotStats {
    /// Cap violations over all business units.
    pub fn total_cap_violations(&self) -> u64 {
        self.cap_violations.values().sum()
    }
}

/// Calls counted against a business unit's daily limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyUsage {
    pub used: u64,
    pub max: u64,
}

/// STREAMBOXY calls plus its concurrency counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamboxyStats {
    #[serde(flatten)]
    pub calls: SystemStats,
    /// Highest number of requests of one tenant in flight at once.
    pub max_in_flight: BTreeMap<String, u64>,
    /// Requests answered 429 because the tenant's limit was reached.
    pub throttled: u64,
}

/// The live counters behind [`Stats`] (daily usage lives with the Pardot data).
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    inner: Mutex<Stats>,
}

impl StatsRecorder {
    pub(crate) fn snapshot(&self) -> Stats {
        lock(&self.inner).clone()
    }

    pub(crate) fn record_call(&self, system: System, route: &str, status: &str) {
        let mut stats = lock(&self.inner);
        let calls = calls_mut(&mut stats, system);
        calls.total += 1;
        *calls
            .by_route
            .entry(route.to_owned())
            .or_default()
            .entry(status.to_owned())
            .or_default() += 1;
    }

    pub(crate) fn record_fault(&self, system: System, kind: &str) {
        let mut stats = lock(&self.inner);
        *calls_mut(&mut stats, system)
            .faults
            .entry(kind.to_owned())
            .or_default() += 1;
    }

    pub(crate) fn reset(&self) {
        *lock(&self.inner) = Stats::default();
    }

    fn note_in_flight(&self, system: System, key: &str, now: u64, rejected: bool) {
        let mut stats = lock(&self.inner);
        let max = match system {
            System::Pardot => &mut stats.pardot.max_in_flight,
            _ => &mut stats.streamboxy.max_in_flight,
        };
        let entry = max.entry(key.to_owned()).or_default();
        *entry = (*entry).max(now);
        if rejected {
            match system {
                System::Pardot => {
                    *stats
                        .pardot
                        .cap_violations
                        .entry(key.to_owned())
                        .or_default() += 1;
                }
                _ => stats.streamboxy.throttled += 1,
            }
        }
    }
}

fn calls_mut(stats: &mut Stats, system: System) -> &mut SystemStats {
    match system {
        System::OAuth => &mut stats.oauth,
        System::Pardot => &mut stats.pardot.calls,
        System::Streamboxy => &mut stats.streamboxy.calls,
    }
}

/// Counts requests in flight per key (business unit or tenant) and enforces a cap.
#[derive(Debug)]
pub(crate) struct InFlight {
    system: System,
    cap: usize,
    counts: Mutex<BTreeMap<String, usize>>,
}

/// Decrements the in-flight count when the request ends, also when the client hangs up and
/// the handler future is dropped.
#[derive(Debug)]
pub(crate) struct InFlightGuard {
    owner: Arc<InFlight>,
    key: String,
}

impl InFlight {
    pub(crate) fn new(system: System, cap: usize) -> Self {
        Self {
            system,
            cap,
            counts: Mutex::new(BTreeMap::new()),
        }
    }

    /// Admits a request, or refuses it when `cap` requests of `key` are already in flight.
    pub(crate) fn enter(
        self: &Arc<Self>,
        key: &str,
        stats: &StatsRecorder,
    ) -> Result<InFlightGuard, ()> {
        let mut counts = lock(&self.counts);
        let count = counts.entry(key.to_owned()).or_default();
        let arriving = *count + 1;
        let rejected = *count >= self.cap;
        stats.note_in_flight(self.system, key, arriving as u64, rejected);
        if rejected {
            return Err(());
        }
        *count = arriving;
        Ok(InFlightGuard {
            owner: Arc::clone(self),
            key: key.to_owned(),
        })
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        let mut counts = lock(&self.owner.counts);
        if let Some(count) = counts.get_mut(&self.key) {
            *count = count.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_rejects_and_counts_violations() {
        let stats = StatsRecorder::default();
        let gate = Arc::new(InFlight::new(System::Pardot, 2));
        let a = gate.enter("bu", &stats).unwrap();
        let _b = gate.enter("bu", &stats).unwrap();

        assert!(gate.enter("bu", &stats).is_err());
        drop(a);
        assert!(gate.enter("bu", &stats).is_ok());

        let snap = stats.snapshot();
        assert_eq!(snap.pardot.max_in_flight["bu"], 3);
        assert_eq!(snap.pardot.cap_violations["bu"], 1);
    }
}
