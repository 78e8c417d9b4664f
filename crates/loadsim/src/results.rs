//! What the load simulation measured: per tick, per class of run, per synced membership, the
//! business units' in-flight maximum, and the checks; serialised to target/loadsim/results.json,
//! which the cost model reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::meter::Usage;
use crate::stats::{Distribution, MeanUsage};

/// One sync run as the simulation saw it.
#[derive(Debug, Clone)]
pub struct RunSample {
    /// Whether the tenant got new list members before this tick.
    pub churned: bool,
    /// Wall time of the run.
    pub ms: f64,
    /// How it ended (`completed`, `partial`, …).
    pub outcome: String,
    /// Pardot requests of the run.
    pub pardot_calls: u64,
    /// STREAMBOXY requests of the run.
    pub streamboxy_calls: u64,
    /// Memberships counted as registered (a membership seen again within the look-back
    /// counts again, at no cost).
    pub registered: u64,
    /// Memberships newly synced: event grants made.
    pub synced: u64,
    /// Memberships that failed.
    pub failed: u64,
    /// What it asked of AWS.
    pub usage: Usage,
}

impl RunSample {
    /// A run of a tenant with nothing new: not given members, and it synced none (a tenant
    /// finishing work an earlier run left behind is neither idle nor churned).
    pub fn is_idle(&self) -> bool {
        !self.churned && self.synced == 0
    }
}

/// One scheduler tick: the poller for one slot, then every worker it fanned out.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TickResult {
    /// `warm-up` (backfills every list) or `steady N`.
    pub cycle: String,
    /// The one-minute slot (0..5) the tick served.
    pub slot: u32,
    /// Sync jobs the poller put on the bus.
    pub tenants: usize,
    /// Tenants given new list members before the tick.
    pub churned_tenants: usize,
    /// Memberships added before the tick.
    pub memberships_added: u64,
    /// Poller wall time: index queries plus PutEvents.
    pub poller_ms: f64,
    /// From the first worker's start to the last one's end.
    pub workers_ms: f64,
    /// Poller plus workers.
    pub wall_ms: f64,
    /// Everything asked of AWS during the tick (poller and workers).
    pub usage: Usage,
    /// DynamoDB requests of the tick.
    pub dynamodb_calls: u64,
    /// Requests the simulated Pardot answered during the tick.
    pub pardot_calls: u64,
    /// Requests the simulated STREAMBOXY answered.
    pub streamboxy_calls: u64,
    /// Requests the simulated Salesforce OAuth answered (token refreshes).
    pub oauth_calls: u64,
    /// Memberships registered by the tick's runs (seen-again ones included).
    pub registered: u64,
    /// Memberships newly synced (event grants made) by the tick's runs.
    pub synced: u64,
    /// Memberships that failed (retried next run).
    pub failed: u64,
    /// Runs by outcome.
    pub outcomes: BTreeMap<String, u64>,
}

/// Per-run figures of one class of runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunClass {
    /// Runs in the class.
    pub runs: usize,
    /// Wall time per run, ms.
    pub duration_ms: Distribution,
    /// Pardot requests per run.
    pub pardot_calls: Distribution,
    /// STREAMBOXY requests per run (mean).
    pub streamboxy_calls: f64,
    /// Memberships newly synced per run (mean).
    pub synced: f64,
    /// AWS usage per run (mean).
    pub usage: MeanUsage,
}

impl RunClass {
    /// The class made of `samples`.
    pub fn of<'a>(samples: impl IntoIterator<Item = &'a RunSample> + Clone) -> Self {
        let samples: Vec<&RunSample> = samples.into_iter().collect();
        let n = samples.len().max(1) as f64;
        let ms: Vec<f64> = samples.iter().map(|s| s.ms).collect();
        let pardot: Vec<f64> = samples.iter().map(|s| s.pardot_calls as f64).collect();
        Self {
            runs: samples.len(),
            duration_ms: Distribution::of(&ms),
            pardot_calls: Distribution::of(&pardot),
            streamboxy_calls: samples
                .iter()
                .map(|s| s.streamboxy_calls as f64)
                .sum::<f64>()
                / n,
            synced: samples.iter().map(|s| s.synced as f64).sum::<f64>() / n,
            usage: MeanUsage::of(samples.iter().map(|s| &s.usage)),
        }
    }
}

/// What one synced membership adds to an idle run: the churned runs' excess over the idle
/// mean, divided by the memberships they registered.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PerMembership {
    /// Memberships the figures are based on.
    pub memberships: u64,
    /// Added wall time, ms.
    pub duration_ms: f64,
    /// Added Pardot requests.
    pub pardot_calls: f64,
    /// Added STREAMBOXY requests.
    pub streamboxy_calls: f64,
    /// Added DynamoDB requests.
    pub dynamodb_calls: f64,
    /// Added read units.
    pub read_units: f64,
    /// Added write units.
    pub write_units: f64,
    /// Added log bytes.
    pub log_bytes: f64,
    /// Added AWS requests (any service).
    #[serde(default)]
    pub aws_calls: f64,
    /// Added time waiting on AWS, ms.
    #[serde(default)]
    pub aws_ms: f64,
}

impl PerMembership {
    /// Derives the per-membership figures from the two classes.
    pub fn derive(idle: &RunClass, churned: &RunClass) -> Self {
        let memberships = (churned.synced * churned.runs as f64).round() as u64;
        let per = churned.synced.max(f64::MIN_POSITIVE);
        let excess = |churn: f64, base: f64| ((churn - base) / per).max(0.0);
        if memberships == 0 {
            return Self::default();
        }
        Self {
            memberships,
            duration_ms: excess(churned.duration_ms.mean, idle.duration_ms.mean),
            pardot_calls: excess(churned.pardot_calls.mean, idle.pardot_calls.mean),
            streamboxy_calls: excess(churned.streamboxy_calls, idle.streamboxy_calls),
            dynamodb_calls: excess(churned.usage.dynamodb_calls, idle.usage.dynamodb_calls),
            read_units: excess(churned.usage.read_units, idle.usage.read_units),
            write_units: excess(churned.usage.write_units, idle.usage.write_units),
            log_bytes: excess(churned.usage.log_bytes, idle.usage.log_bytes),
            aws_calls: excess(churned.usage.aws_calls, idle.usage.aws_calls),
            aws_ms: excess(churned.usage.aws_ms, idle.usage.aws_ms),
        }
    }
}

/// The steady-state cycles (after every list was backfilled), summarised.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Steady {
    /// Tick wall time, ms.
    pub tick_wall_ms: Distribution,
    /// Poller wall time per tick, ms.
    pub poller_ms: Distribution,
    /// Workers' wall time per tick, ms.
    pub workers_ms: Distribution,
    /// DynamoDB requests per tick.
    pub dynamodb_calls_per_tick: Distribution,
    /// Runs of tenants with nothing new.
    pub idle: RunClass,
    /// Runs of tenants that got new members.
    pub churned: RunClass,
    /// What one synced membership adds.
    pub per_membership: PerMembership,
}

/// The Pardot side: calls per tenant and the per-business-unit in-flight maximum.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PardotSummary {
    /// The largest number of requests in flight for any one business unit, over the whole
    /// simulation (the simulator counts the arriving request, so 6 would mean the cap broke).
    pub max_in_flight: u64,
    /// A business unit that reached it.
    pub max_in_flight_business_unit: String,
    /// Business units whose in-flight maximum was reported.
    pub business_units: usize,
    /// Requests refused because 5 were already in flight (code 66).
    pub cap_violations: u64,
    /// Pardot requests over the whole simulation, per tenant.
    pub calls_per_tenant: f64,
}

/// The poller alone at a larger fleet (default 10,000 tenants): index queries and fan-out.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PollerAtScale {
    /// Syncable tenants on the index.
    pub tenants: usize,
    /// One entry per slot tick.
    pub ticks: Vec<PollerTick>,
    /// Tick wall time, ms.
    pub wall_ms: Distribution,
}

/// One poller tick at scale.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PollerTick {
    /// The slot.
    pub slot: u32,
    /// Jobs fanned out.
    pub jobs: usize,
    /// Wall time, ms.
    pub ms: f64,
    /// What it asked of AWS.
    pub usage: Usage,
}

/// The properties the simulation must show; any `false` fails the run.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Checks {
    /// No DynamoDB Scan was sent.
    pub no_scan: bool,
    /// No business unit had more than 5 Pardot requests in flight.
    pub in_flight_within_cap: bool,
    /// Every seeded and every added membership was synced by the end; a run stopped by a
    /// transient problem is finished by the tenant's next run.
    pub all_synced: bool,
    /// Every idle run cost exactly one Pardot request.
    pub idle_run_one_pardot_call: bool,
}

impl Checks {
    /// The names of the checks that failed.
    pub fn failures(&self) -> Vec<&'static str> {
        [
            (self.no_scan, "no DynamoDB Scan"),
            (
                self.in_flight_within_cap,
                "at most 5 Pardot requests in flight per BU",
            ),
            (self.all_synced, "every seeded and added membership synced"),
            (
                self.idle_run_one_pardot_call,
                "an idle run costs one Pardot request",
            ),
        ]
        .into_iter()
        .filter(|(ok, _)| !ok)
        .map(|(_, name)| name)
        .collect()
    }
}

/// Memberships over the whole simulation.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
pub struct MembershipTotals {
    /// Members of the lists at the start (backfilled by the warm-up cycle).
    pub seeded: u64,
    /// Members added between ticks.
    pub added: u64,
    /// Memberships synced (event grants made) by all runs.
    pub synced: u64,
    /// Runs that did not complete (stopped by a problem, partial, busy or failed); their work
    /// is picked up by the tenant's next run.
    pub runs_not_completed: u64,
}

/// Everything the simulation measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoadResults {
    /// When the simulation ran (RFC 3339).
    pub generated_at: String,
    /// The options it ran with.
    pub options: serde_json::Value,
    /// Starting the stack and connecting every tenant, s.
    pub setup_s: f64,
    /// Wall time of the warm-up cycle (every list backfilled), s.
    pub warmup_s: f64,
    /// Every tick, warm-up first.
    pub ticks: Vec<TickResult>,
    /// The steady cycles summarised.
    pub steady: Steady,
    /// Pardot calls and in-flight maximum.
    pub pardot: PardotSummary,
    /// The poller alone at scale, when run.
    pub poller_at_scale: Option<PollerAtScale>,
    /// Memberships seeded, added and synced over the whole simulation.
    #[serde(default)]
    pub memberships: MembershipTotals,
    /// Bytes of an idle run's metric (EMF) lines, rendered by the product's code.
    #[serde(default)]
    pub emf_bytes_per_idle_run: u64,
    /// The checks.
    pub checks: Checks,
}
