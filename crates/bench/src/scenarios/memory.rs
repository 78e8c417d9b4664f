//! The worker's memory on a large list: a newly linked list of `memory_members` members,
//! backfilled by one `sbxy-pardot sync` process against the simulators with no latency. Its
//! peak RSS is the kernel's high-water mark for that process alone; the simulators and moto
//! run elsewhere.
//!
//! `memory_registrable` of the members (spread evenly) are registered for real; the others
//! have opted out, so every membership is still paged, read from DynamoDB in batches, planned
//! and remembered as finished, but only the registrable ones cost the three DynamoDB writes
//! that make moto (about 300 writes a second here) the slowest part of a 100,000-member run.

use anyhow::Context;
use serde::Serialize;
use serde_json::Value;

use crate::process::{product_env, run_measured};
use crate::seed::{ListSpec, seed};
use crate::stack::BenchStack;
use crate::{BenchOptions, mib};

/// The large run.
#[derive(Debug, Clone, Serialize)]
pub struct MemoryResult {
    pub members: usize,
    /// Members that were opted in, so registered for real.
    pub registrable: usize,
    pub registered: u64,
    pub skipped: u64,
    pub outcome: String,
    pub wall_secs: f64,
    pub peak_rss_mib: f64,
    pub pardot_calls: u64,
    pub streamboxy_calls: u64,
}

/// Runs the case when the runner binary exists; `None` otherwise.
pub async fn run(options: &BenchOptions) -> anyhow::Result<Option<MemoryResult>> {
    let Some(runner) = crate::process::binary(options.bin_dir.as_deref(), "sbxy-pardot") else {
        return Ok(None);
    };
    let mut lists = ListSpec::many(1, options.memory_members);
    lists[0].registrable = Some(options.memory_registrable);
    let stack = BenchStack::start(seed(&lists)?, 0, &options.product_env(false), false).await?;

    let env = product_env(&stack.stack.env);
    let tenant = stack.tenant.to_string();
    let log = options.out_dir.join("worker-memory.log");
    let before = stack.calls();
    let finished = run_measured(&runner, &["sync", "--tenant", &tenant], &env, &log).await?;
    let calls = stack.calls_since(before);
    stack.stop().await;

    let report: Value = serde_json::from_str(&finished.stdout).context("the runner's report")?;
    let peak = finished
        .peak_rss_kib
        .context("no /proc high-water mark on this system")?;
    Ok(Some(MemoryResult {
        members: options.memory_members,
        registrable: options.memory_registrable.min(options.memory_members),
        registered: report["counts"]["registered"].as_u64().unwrap_or(0),
        skipped: report["counts"]["skipped"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(Value::as_u64).sum()),
        outcome: report["outcome"].as_str().unwrap_or_default().to_owned(),
        wall_secs: finished.wall.as_secs_f64(),
        peak_rss_mib: mib(peak * 1024),
        pardot_calls: calls.pardot,
        streamboxy_calls: calls.streamboxy,
    }))
}
