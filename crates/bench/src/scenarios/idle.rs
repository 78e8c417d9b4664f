//! Idle polling: a tenant with many linked lists where nothing changes. After the first tick
//! (the backfill), every tick should cost one Pardot call: the business unit's incremental
//! membership query.

use serde::Serialize;

use crate::BenchOptions;
use crate::bounds::calls_per_day;
use crate::seed::{ListSpec, seed};
use crate::stack::{BenchStack, DynamoCost};

/// Pardot calls a day besides the ticks: one lists query re-checks the list names every 24 h.
const DAILY_LIST_CHECK: f64 = 1.0;
/// DynamoDB writes timed to calibrate moto.
const CALIBRATION_WRITES: usize = 200;

/// What idle ticks cost.
#[derive(Debug, Clone, Serialize)]
pub struct IdleResult {
    pub lists: usize,
    pub members_per_list: usize,
    pub idle_polls: usize,
    /// Pardot calls of the first tick, which backfills every list.
    pub first_poll_pardot_calls: u64,
    /// The most Pardot calls any idle tick made.
    pub pardot_calls_per_poll: f64,
    pub streamboxy_calls_per_poll: f64,
    /// At one tick every 5 minutes, plus the daily list-name check.
    pub pardot_calls_per_day: f64,
    /// What one DynamoDB write costs on this machine's moto (measured on this stack).
    pub dynamodb: DynamoCost,
}

pub async fn run(options: &BenchOptions) -> anyhow::Result<IdleResult> {
    let lists = ListSpec::many(options.idle_lists, options.idle_members_per_list);
    let stack = BenchStack::start(
        seed(&lists)?,
        options.latency_ms,
        &options.product_env(false),
        false,
    )
    .await?;

    let (runs, first) = stack.poll().await?;
    anyhow::ensure!(
        runs.iter().all(|r| r.counts.failed == 0),
        "the first tick left failures: {runs:?}"
    );
    let mut pardot_max = 0;
    let mut streamboxy_total = 0;
    for _ in 0..options.idle_polls {
        let (_, calls) = stack.poll().await?;
        pardot_max = pardot_max.max(calls.pardot);
        streamboxy_total += calls.streamboxy;
    }
    let dynamodb = stack.dynamodb_write_cost(CALIBRATION_WRITES).await?;
    stack.stop().await;

    let polls = options.idle_polls.max(1) as f64;
    Ok(IdleResult {
        lists: options.idle_lists,
        members_per_list: options.idle_members_per_list,
        idle_polls: options.idle_polls,
        first_poll_pardot_calls: first.pardot,
        pardot_calls_per_poll: pardot_max as f64,
        streamboxy_calls_per_poll: streamboxy_total as f64 / polls,
        pardot_calls_per_day: calls_per_day(pardot_max as f64, DAILY_LIST_CHECK),
        dynamodb,
    })
}
