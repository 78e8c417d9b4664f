//! The simulation from start to results: set up, one warm-up cycle that backfills every list,
//! steady cycles with churn added before each tick, the business units' in-flight maximum, the
//! poller alone at scale, and the checks.

use std::collections::HashSet;
use std::time::Instant;

use sbxy_domain::ids::TenantId;
use sbxy_simulators::Latency;
use sbxy_storage::sync_bucket;
use sbxy_sync::poller::POLL_SLOTS;
use serde::{Deserialize, Serialize};

use crate::emf::idle_run_emf_bytes;
use crate::error::LoadSimError;
use crate::fleet::{Fleet, FleetShape};
use crate::results::{
    Checks, LoadResults, MembershipTotals, PardotSummary, PerMembership, RunClass, RunSample,
    Steady, TickResult,
};
use crate::scale::poller_at_scale;
use crate::sim::Simulation;
use crate::stats::Distribution;

/// Pardot's documented cap on one business unit's concurrent requests.
pub const PARDOT_CAP: u64 = 5;

/// What to simulate.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoadOptions {
    /// The fleet.
    pub shape: FleetShape,
    /// Share of a slot's tenants given new list members before each steady tick.
    pub churn_fraction: f64,
    /// New members per churned tenant.
    pub churn_members: usize,
    /// Worker runs at once: the worker Lambda's concurrency.
    pub concurrency: usize,
    /// Memberships a run works on at once (`SYNC_CONCURRENCY`); above the product's default
    /// of 4 on purpose, so that the in-flight limiter is what keeps a business unit at 5.
    pub sync_concurrency: usize,
    /// Steady cycles (five ticks each) after the warm-up cycle.
    pub cycles: usize,
    /// Simulated network latency per request and system.
    pub latency: Latency,
    /// Tenants for the poller-only measurement; 0 skips it.
    pub poller_scale_tenants: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            shape: FleetShape {
                tenants: 1_000,
                events_per_tenant: 2,
                members_per_list: 2,
            },
            churn_fraction: 0.1,
            churn_members: 8,
            concurrency: 50,
            sync_concurrency: 8,
            cycles: 2,
            latency: Latency {
                oauth_ms: 150,
                pardot_ms: 200,
                streamboxy_ms: 100,
            },
            poller_scale_tenants: 10_000,
        }
    }
}

/// Runs the whole simulation and returns what it measured; the stack is stopped either way.
pub async fn run(options: &LoadOptions) -> Result<LoadResults, LoadSimError> {
    let started = Instant::now();
    let mut fleet = Fleet::new(options.shape)?;
    let sim = Simulation::start(&fleet, options).await?;
    let results = drive(&sim, &mut fleet, options, started).await;
    sim.stop().await;
    results
}

async fn drive(
    sim: &Simulation,
    fleet: &mut Fleet,
    options: &LoadOptions,
    started: Instant,
) -> Result<LoadResults, LoadSimError> {
    sim.connect_all(fleet).await?;
    let setup_s = started.elapsed().as_secs_f64();
    eprintln!("set up {} tenants in {setup_s:.1} s", fleet.tenants.len());

    let mut ticks = Vec::new();
    let warm_up = Instant::now();
    for slot in 0..POLL_SLOTS {
        let (tick, _) = sim.tick("warm-up", slot, &HashSet::new(), 0).await?;
        progress(&tick);
        ticks.push(tick);
    }
    let warmup_s = warm_up.elapsed().as_secs_f64();

    let mut samples: Vec<RunSample> = Vec::new();
    let mut steady_ticks = Vec::new();
    for cycle in 1..=options.cycles {
        for slot in 0..POLL_SLOTS {
            let (churned, added) = add_churn(sim, fleet, options, cycle, slot)?;
            let label = format!("steady {cycle}");
            let (tick, runs) = sim.tick(&label, slot, &churned, added).await?;
            progress(&tick);
            samples.extend(runs);
            steady_ticks.push(tick.clone());
            ticks.push(tick);
        }
    }

    let pardot = pardot_summary(sim, fleet.tenants.len());
    let poller_at_scale = match options.poller_scale_tenants {
        0 => None,
        n => Some(poller_at_scale(sim, n).await?),
    };
    let steady = steady(&steady_ticks, &samples);
    let shape = options.shape;
    let memberships = MembershipTotals {
        seeded: (shape.tenants * shape.events_per_tenant * shape.members_per_list) as u64,
        added: ticks.iter().map(|t| t.memberships_added).sum(),
        synced: ticks.iter().map(|t| t.synced).sum(),
        runs_not_completed: ticks
            .iter()
            .flat_map(|t| &t.outcomes)
            .filter(|(outcome, _)| *outcome != "completed")
            .map(|(_, n)| n)
            .sum(),
    };
    let checks = Checks {
        no_scan: sim.meter.snapshot().call("DynamoDB.Scan") == 0,
        in_flight_within_cap: pardot.max_in_flight <= PARDOT_CAP && pardot.cap_violations == 0,
        all_synced: memberships.synced == memberships.seeded + memberships.added,
        idle_run_one_pardot_call: samples
            .iter()
            .filter(|s| s.is_idle())
            .all(|s| s.pardot_calls == 1),
    };
    Ok(LoadResults {
        generated_at: chrono::Utc::now().to_rfc3339(),
        options: serde_json::to_value(options).unwrap_or_default(),
        setup_s,
        warmup_s,
        ticks,
        steady,
        pardot,
        poller_at_scale,
        memberships,
        emf_bytes_per_idle_run: fleet.tenants.first().map_or(0, |t| {
            idle_run_emf_bytes(t.tenant.as_str(), &t.business_unit)
        }),
        checks,
    })
}

/// The slot whose tick syncs `tenant` (the poller serves buckets `slot`, `slot + 5`).
pub fn slot_of(tenant: &TenantId) -> u32 {
    sync_bucket(tenant.as_str()) % POLL_SLOTS
}

/// Gives about `churn_fraction` of the slot's tenants `churn_members` new list members, a
/// different share each cycle. Returns the tenants and the memberships added.
fn add_churn(
    sim: &Simulation,
    fleet: &mut Fleet,
    options: &LoadOptions,
    cycle: usize,
    slot: u32,
) -> Result<(HashSet<String>, u64), LoadSimError> {
    if options.churn_fraction <= 0.0 || options.churn_members == 0 {
        return Ok((HashSet::new(), 0));
    }
    let period = (1.0 / options.churn_fraction).round().max(1.0) as usize;
    let chosen: Vec<(usize, String)> = fleet
        .tenants
        .iter()
        .filter(|t| slot_of(&t.tenant) == slot && (t.index + cycle).is_multiple_of(period))
        .map(|t| (t.index, t.tenant.to_string()))
        .collect();

    let mut churned = HashSet::new();
    for (index, tenant) in chosen {
        let seed = fleet.churn(index, options.churn_members)?;
        sim.stack.sim.seed_pardot(&seed)?;
        churned.insert(tenant);
    }
    let added = (churned.len() * options.churn_members) as u64;
    Ok((churned, added))
}

fn steady(ticks: &[TickResult], samples: &[RunSample]) -> Steady {
    let of = |f: fn(&TickResult) -> f64| Distribution::of(&ticks.iter().map(f).collect::<Vec<_>>());
    let idle = RunClass::of(samples.iter().filter(|s| s.is_idle()));
    let churned = RunClass::of(samples.iter().filter(|s| s.churned));
    Steady {
        tick_wall_ms: of(|t| t.wall_ms),
        poller_ms: of(|t| t.poller_ms),
        workers_ms: of(|t| t.workers_ms),
        dynamodb_calls_per_tick: of(|t| t.dynamodb_calls as f64),
        per_membership: PerMembership::derive(&idle, &churned),
        idle,
        churned,
    }
}

fn pardot_summary(sim: &Simulation, tenants: usize) -> PardotSummary {
    let stats = sim.stack.sim.stats().pardot;
    let (bu, max) = stats
        .max_in_flight
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(bu, n)| (bu.clone(), *n))
        .unwrap_or_default();
    PardotSummary {
        max_in_flight: max,
        max_in_flight_business_unit: bu,
        business_units: stats.max_in_flight.len(),
        cap_violations: stats.total_cap_violations(),
        calls_per_tenant: stats.calls.total as f64 / tenants.max(1) as f64,
    }
}

fn progress(tick: &TickResult) {
    eprintln!(
        "{} slot {}: {} tenants ({} churned) in {:.0} ms (poller {:.0} ms), {} DynamoDB \
         requests, {} Pardot requests, {} synced",
        tick.cycle,
        tick.slot,
        tick.tenants,
        tick.churned_tenants,
        tick.wall_ms,
        tick.poller_ms,
        tick.dynamodb_calls,
        tick.pardot_calls,
        tick.synced,
    );
}
