//! The state shared by every listener: data of the three systems, the clock, faults and stats.
//! Each system's data sits behind its own mutex; no handler holds a lock across an await.

use std::sync::{Arc, Mutex};

use crate::clock::Clock;
use crate::config::{Latency, OAuthOptions, PardotOptions, SimConfig};
use crate::error::SimError;
use crate::faults::{FaultConfig, FaultState, System};
use crate::oauth::state::SalesforceState;
use crate::pardot::state::PardotState;
use crate::stats::{InFlight, Stats, StatsRecorder};
use crate::streamboxy::state::StreamboxyState;
use crate::sync::lock;

/// Base URLs of the four listeners, as clients reach them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Urls {
    pub(crate) oauth: String,
    pub(crate) pardot: String,
    pub(crate) pardot_demo: String,
    pub(crate) streamboxy: String,
}

/// Everything the handlers of all ports share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) urls: Urls,
    pub(crate) clock: Clock,
    pub(crate) latency: Latency,
    pub(crate) oauth_options: OAuthOptions,
    pub(crate) pardot_options: PardotOptions,
    pub(crate) salesforce: Mutex<SalesforceState>,
    pub(crate) pardot: Mutex<PardotState>,
    pub(crate) streamboxy: Mutex<StreamboxyState>,
    pub(crate) stats: StatsRecorder,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) pardot_in_flight: Arc<InFlight>,
    pub(crate) streamboxy_in_flight: Arc<InFlight>,
}

impl Shared {
    /// Builds the state from the seed; fails on a seed that breaks the schema's rules.
    pub(crate) fn new(config: SimConfig, urls: Urls) -> Result<Self, SimError> {
        let clock = Clock::default();
        let pardot = PardotState::from_seed(&config.seed.pardot).map_err(SimError::InvalidSeed)?;
        let streamboxy = StreamboxyState::from_seed(&config.seed.streamboxy, clock.now())
            .map_err(SimError::InvalidSeed)?;
        Ok(Self {
            salesforce: Mutex::new(SalesforceState::from_seed(&config.seed.salesforce)),
            pardot: Mutex::new(pardot),
            streamboxy: Mutex::new(streamboxy),
            pardot_in_flight: Arc::new(InFlight::new(
                System::Pardot,
                config.pardot.max_in_flight_per_bu,
            )),
            streamboxy_in_flight: Arc::new(InFlight::new(
                System::Streamboxy,
                config.streamboxy.max_in_flight_per_tenant,
            )),
            faults: Mutex::new(FaultState::new(config.faults)),
            stats: StatsRecorder::default(),
            latency: config.latency,
            oauth_options: config.oauth,
            pardot_options: config.pardot,
            clock,
            urls,
        })
    }

    /// The delay to add to a request of `system` right now.
    pub(crate) fn latency_ms(&self, system: System) -> u64 {
        if let Some(ms) = lock(&self.faults).latency_override(system) {
            return ms;
        }
        match system {
            System::OAuth => self.latency.oauth_ms,
            System::Pardot => self.latency.pardot_ms,
            System::Streamboxy => self.latency.streamboxy_ms,
        }
    }

    /// Replaces the fault configuration (`None` clears it).
    pub(crate) fn set_faults(&self, config: Option<FaultConfig>) {
        *lock(&self.faults) = FaultState::new(config.unwrap_or_default());
    }

    /// Counters plus the daily usage kept with the Pardot data.
    pub(crate) fn stats(&self) -> Stats {
        let mut stats = self.stats.snapshot();
        stats.pardot.daily_usage = lock(&self.pardot).daily_usage(self.clock.now());
        stats
    }
}
