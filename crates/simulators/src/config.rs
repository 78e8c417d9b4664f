//! Start-up configuration of the simulator: the seed, ports, latency and the knobs that
//! pick between documented and assumed behaviours of the real systems.

use serde::{Deserialize, Serialize};

use crate::faults::FaultConfig;
use crate::seed::Seed;

/// Everything [`crate::start`] needs. `SimConfig::new(seed)` gives the documented defaults.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// Initial data of all three systems.
    pub seed: Seed,
    /// Ports to bind on 127.0.0.1; 0 picks a free one.
    pub ports: Ports,
    /// Added delay per request and system, before the request is handled.
    pub latency: Latency,
    /// Faults active from the start (tests usually set them later via the handle).
    pub faults: FaultConfig,
    /// Salesforce OAuth behaviour switches.
    pub oauth: OAuthOptions,
    /// Pardot limits and switches.
    pub pardot: PardotOptions,
    /// STREAMBOXY limits.
    pub streamboxy: StreamboxyOptions,
}

impl SimConfig {
    /// The defaults with the given seed.
    pub fn new(seed: Seed) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }
}

/// Ports of the four listeners; 0 means "pick a free port".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ports {
    pub oauth: u16,
    pub pardot: u16,
    pub pardot_demo: u16,
    pub streamboxy: u16,
}

/// Fixed delay per request, per system, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    pub oauth_ms: u64,
    pub pardot_ms: u64,
    pub streamboxy_ms: u64,
}

impl Latency {
    /// The same delay for every system.
    pub fn uniform(ms: u64) -> Self {
        Self {
            oauth_ms: ms,
            pardot_ms: ms,
            streamboxy_ms: ms,
        }
    }
}

/// Salesforce OAuth switches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthOptions {
    /// Salesforce (since 2024) rejects a second refresh with the same refresh token while the
    /// first is still being processed. Off by default because it is timing-dependent.
    pub reject_concurrent_refresh: bool,
    /// How long a refresh "is being processed"; only matters with the switch above.
    pub refresh_processing_ms: u64,
    /// Lifetime of an authorization code (Salesforce: about 15 minutes).
    pub code_lifetime_secs: u64,
}

impl Default for OAuthOptions {
    fn default() -> Self {
        Self {
            reject_concurrent_refresh: false,
            refresh_processing_ms: 200,
            code_lifetime_secs: 15 * 60,
        }
    }
}

/// Pardot limits and the switches for behaviour the reference marks as unverified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PardotOptions {
    /// Concurrent requests per business unit before code 66 (Pardot documents 5).
    pub max_in_flight_per_bu: usize,
    /// Records per nextPageToken chain before the chain is cut with a warning.
    pub page_chain_ceiling: u64,
    /// Lifetime of a page token (Pardot: 4 hours).
    pub page_token_ttl_secs: u64,
    /// HTTP status of code 184: 401 normally; 400 reproduces the 2024 flip.
    pub invalid_token_status: u16,
    /// Queries do not see records written less than this many seconds ago (v5 cache lag).
    pub read_lag_secs: u64,
    /// Render a recycle-bin prospect as the nested `prospect` object of a membership instead
    /// of `null` (the default treats it as unreadable, like a read of it).
    pub nest_deleted_prospects: bool,
    /// Sleep of the `slow` fault (every system) unless the fault config says otherwise.
    pub default_slow_ms: u64,
}

impl Default for PardotOptions {
    fn default() -> Self {
        Self {
            max_in_flight_per_bu: 5,
            page_chain_ceiling: 100_000,
            page_token_ttl_secs: 4 * 3600,
            invalid_token_status: 401,
            read_lag_secs: 0,
            nest_deleted_prospects: false,
            default_slow_ms: 35_000,
        }
    }
}

/// STREAMBOXY limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamboxyOptions {
    /// Concurrent requests per tenant before 429 with `Retry-After: 1`.
    pub max_in_flight_per_tenant: usize,
}

impl Default for StreamboxyOptions {
    fn default() -> Self {
        Self {
            max_in_flight_per_tenant: 10,
        }
    }
}
