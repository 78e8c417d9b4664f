//! New members on a linked list: the calls each costs and how close the run comes to the
//! lower bound. The list is linked and backfilled first; then `members` prospects join it and
//! one sync run picks them up from the cursor. The run is timed in the worker's own process
//! (`sbxy-pardot sync`) when the runner binary was built, which also gives its peak RSS.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, ensure};
use serde::Serialize;
use serde_json::Value;

use crate::bounds::LowerBound;
use crate::process::{product_env, run_measured};
use crate::seed::{ListSpec, new_members, seed};
use crate::stack::{BenchStack, check_completed};
use crate::{BenchOptions, mib};

/// One measured run over new members.
#[derive(Debug, Clone, Serialize)]
pub struct MembersResult {
    pub members: usize,
    pub bulk_import: bool,
    pub latency_ms: u64,
    pub sync_concurrency: usize,
    /// True when the worker ran as its own process.
    pub own_process: bool,
    pub wall_secs: f64,
    pub pardot_calls: u64,
    pub streamboxy_calls: u64,
    pub pardot_calls_per_member: f64,
    pub streamboxy_calls_per_member: f64,
    /// Link writes by PATCH, imports created, import status reads.
    pub prospect_patches: u64,
    pub imports: u64,
    pub import_reads: u64,
    pub lower_bound: LowerBound,
    pub ratio_to_lower_bound: Option<f64>,
    pub max_pardot_in_flight: u64,
    pub pardot_cap_violations: u64,
    pub streamboxy_throttled: u64,
    pub peak_rss_mib: Option<f64>,
}

/// What a run reported, from either kind of worker.
struct Outcome {
    outcome: String,
    registered: u64,
    failed: u64,
    wall: Duration,
    peak_rss_kib: Option<u64>,
}

/// A stack whose linked list is backfilled and has `members` new members waiting.
pub struct Prepared {
    pub stack: BenchStack,
    pub list: ListSpec,
    pub members: usize,
    pub bulk: bool,
}

/// Starts the stack, backfills the list and adds the new members.
pub async fn prepare(
    options: &BenchOptions,
    members: usize,
    bulk: bool,
    latency_ms: u64,
    attendance: bool,
) -> anyhow::Result<Prepared> {
    let lists = ListSpec::many(1, 1);
    let env = options.product_env(bulk);
    let stack = BenchStack::start(seed(&lists)?, latency_ms, &env, attendance).await?;
    let backfill = stack.sync().await?;
    check_completed(&backfill, "backfill of the benchmark list")?;
    stack
        .stack
        .sim
        .seed_pardot(&new_members(lists[0].id, 1, members)?)
        .context("adding the new members")?;
    let list = lists.into_iter().next().context("one list")?;
    Ok(Prepared {
        stack,
        list,
        members,
        bulk,
    })
}

/// Runs the sync that picks the new members up, and measures it.
pub async fn measure(prepared: &Prepared, options: &BenchOptions) -> anyhow::Result<MembersResult> {
    let stack = &prepared.stack;
    let members = prepared.members;
    let routes_before = stack.stack.sim.stats().pardot.calls;
    let before = stack.calls();
    let runner = crate::process::binary(options.bin_dir.as_deref(), "sbxy-pardot");
    let outcome = match &runner {
        Some(runner) => in_own_process(stack, runner, options).await?,
        None => in_this_process(stack).await?,
    };
    let calls = stack.calls_since(before);
    let stats = stack.stack.sim.stats();
    let routes = |route: &str| stats.pardot.calls.calls(route) - routes_before.calls(route);
    let (max_in_flight, violations) = stack.pardot_in_flight();
    let bound = LowerBound::of(calls, stack.latency);

    ensure!(
        outcome.outcome == "completed" && outcome.failed == 0,
        "the run ended {} with {} failed memberships",
        outcome.outcome,
        outcome.failed
    );
    ensure!(
        outcome.registered == members as u64,
        "registered {} of {members} new members",
        outcome.registered
    );
    Ok(MembersResult {
        members,
        bulk_import: prepared.bulk,
        latency_ms: u64::try_from(stack.latency.as_millis()).unwrap_or(u64::MAX),
        sync_concurrency: options.sync_concurrency,
        own_process: runner.is_some(),
        wall_secs: outcome.wall.as_secs_f64(),
        pardot_calls: calls.pardot,
        streamboxy_calls: calls.streamboxy,
        pardot_calls_per_member: per(calls.pardot, members),
        streamboxy_calls_per_member: per(calls.streamboxy, members),
        prospect_patches: routes("PATCH /api/v5/objects/prospects/{id}"),
        imports: routes("POST /api/v5/imports"),
        import_reads: routes("GET /api/v5/imports/{id}"),
        ratio_to_lower_bound: bound.ratio(outcome.wall),
        lower_bound: bound,
        max_pardot_in_flight: max_in_flight,
        pardot_cap_violations: violations,
        streamboxy_throttled: stats.streamboxy.throttled,
        peak_rss_mib: outcome.peak_rss_kib.map(|kib| mib(kib * 1024)),
    })
}

fn per(calls: u64, members: usize) -> f64 {
    calls as f64 / members.max(1) as f64
}

async fn in_this_process(stack: &BenchStack) -> anyhow::Result<Outcome> {
    let run = stack.sync().await?;
    Ok(Outcome {
        outcome: serde_json::to_value(run.report.outcome)?
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        registered: run.report.counts.registered,
        failed: run.report.counts.failed,
        wall: run.wall,
        peak_rss_kib: None,
    })
}

async fn in_own_process(
    stack: &BenchStack,
    runner: &Path,
    options: &BenchOptions,
) -> anyhow::Result<Outcome> {
    let env = product_env(&stack.stack.env);
    let log = options.out_dir.join("worker.log");
    let tenant = stack.tenant.to_string();
    let finished = run_measured(runner, &["sync", "--tenant", &tenant], &env, &log).await?;
    let report: Value = serde_json::from_str(&finished.stdout)
        .with_context(|| format!("the runner's report ({} bytes)", finished.stdout.len()))?;
    Ok(Outcome {
        outcome: report["outcome"].as_str().unwrap_or_default().to_owned(),
        registered: report["counts"]["registered"].as_u64().unwrap_or(0),
        failed: report["counts"]["failed"].as_u64().unwrap_or(0),
        wall: finished.wall,
        peak_rss_kib: finished.peak_rss_kib,
    })
}
