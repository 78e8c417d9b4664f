//! The product against the naive baseline on the same list: a first sync of `members` new
//! members, then an idle pass with nothing changed. Each side gets its own fresh stack with
//! the same seed, latency and concurrency.

use std::time::Instant;

use serde::Serialize;

use crate::BenchOptions;
use crate::bounds::{Calls, LowerBound};
use crate::scenarios::naive::Naive;
use crate::seed::{ListSpec, seed, streamboxy_key};
use crate::stack::{BenchStack, check_completed};

/// One side of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub wall_secs: f64,
    pub calls: Calls,
    pub lower_bound: LowerBound,
    /// Calls of the idle pass that follows.
    pub idle_calls: Calls,
}

/// The comparison; every ratio is ours ÷ baseline, so below 1 is better.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineResult {
    pub members: usize,
    pub ours: Side,
    pub baseline: Side,
    pub pardot_calls_ratio: f64,
    pub wall_ratio: f64,
    pub idle_pardot_calls_ratio: f64,
}

pub async fn run(options: &BenchOptions) -> anyhow::Result<BaselineResult> {
    let lists = ListSpec::many(1, options.baseline_members);
    let latency = std::time::Duration::from_millis(options.latency_ms);

    // Ours: the worker's first run backfills the newly linked list, then a tick finds nothing.
    let generated = seed(&lists)?;
    let key = streamboxy_key(&generated)?;
    let stack = BenchStack::start(
        generated.clone(),
        options.latency_ms,
        &options.product_env(false),
        false,
    )
    .await?;
    let run = stack.sync().await?;
    check_completed(&run, "our first sync")?;
    let (_, idle) = stack.poll().await?;
    let ours = Side {
        wall_secs: run.wall.as_secs_f64(),
        calls: run.calls,
        lower_bound: LowerBound::of(run.calls, latency),
        idle_calls: idle,
    };
    stack.stop().await;

    // The baseline on a fresh copy of the same data.
    let stack = BenchStack::start(
        generated,
        options.latency_ms,
        &options.product_env(false),
        false,
    )
    .await?;
    let naive = Naive::new(&stack, key, options.sync_concurrency)?;
    let event = &lists[0].event_id;
    let before = stack.calls();
    let started = Instant::now();
    let first = naive.sync(lists[0].id, event).await?;
    let wall = started.elapsed();
    let calls = stack.calls_since(before);
    anyhow::ensure!(
        first.members == options.baseline_members && first.links_written == first.members,
        "the baseline wrote {} links for {} members",
        first.links_written,
        first.members
    );
    let before = stack.calls();
    naive.sync(lists[0].id, event).await?;
    let idle_calls = stack.calls_since(before);
    let baseline = Side {
        wall_secs: wall.as_secs_f64(),
        calls,
        lower_bound: LowerBound::of(calls, latency),
        idle_calls,
    };
    stack.stop().await;

    Ok(BaselineResult {
        members: options.baseline_members,
        pardot_calls_ratio: ratio(ours.calls.pardot, baseline.calls.pardot),
        wall_ratio: ours.wall_secs / baseline.wall_secs.max(f64::EPSILON),
        idle_pardot_calls_ratio: ratio(ours.idle_calls.pardot, baseline.idle_calls.pardot),
        ours,
        baseline,
    })
}

fn ratio(ours: u64, baseline: u64) -> f64 {
    ours as f64 / baseline.max(1) as f64
}
