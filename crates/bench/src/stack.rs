//! A benchmark stack: the harness's moto + simulators with a per-call latency on Pardot and
//! STREAMBOXY, the demo tenant connected through the admin API, and call counters read from
//! the simulators (which see every request, retries included).

use std::time::{Duration, Instant};

use anyhow::Context;
use futures::StreamExt;
use sbxy_domain::ids::{ProspectId, TenantId};
use sbxy_domain::link::LinkTarget;
use sbxy_domain::settings::SettingsInput;
use sbxy_harness::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, Stack, StackOptions};
use sbxy_simulators::{Latency, Seed};
use sbxy_storage::WrittenLink;
use sbxy_sync::{Deadline, SyncReport};
use serde::Serialize;

use crate::bounds::Calls;

/// A running stack for one scenario.
pub struct BenchStack {
    pub stack: Stack,
    pub tenant: TenantId,
    pub latency: Duration,
}

/// One sync run as the benchmark saw it.
#[derive(Debug, Clone)]
pub struct Run {
    pub report: SyncReport,
    pub wall: Duration,
    /// Calls the simulators answered during the run.
    pub calls: Calls,
}

impl BenchStack {
    /// Starts the stack with `seed`, `latency_ms` on Pardot and STREAMBOXY (OAuth answers at
    /// once: it is outside both budgets), the product configured with `env`, and connects the
    /// demo tenant (with the Show / No Show lists switched on when `attendance`).
    pub async fn start(
        seed: Seed,
        latency_ms: u64,
        env: &[(&str, String)],
        attendance: bool,
    ) -> anyhow::Result<Self> {
        let mut options = StackOptions::default();
        options.sim.latency = Latency {
            oauth_ms: 0,
            pardot_ms: latency_ms,
            streamboxy_ms: latency_ms,
        };
        for (name, value) in env {
            options.env.insert((*name).to_owned(), value.clone());
        }
        let stack = Stack::start(seed, options)
            .await
            .context("starting moto and the simulators")?;

        let tenant = crate::seed::tenant()?;
        let settings = SettingsInput {
            sync_enabled: true,
            business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
            link_field: Some(DEMO_LINK_FIELD.into()),
            attendance_lists_enabled: attendance,
            ..SettingsInput::default()
        };
        stack
            .connect_tenant(&tenant, settings)
            .await
            .context("connecting the demo tenant")?;
        Ok(Self {
            stack,
            tenant,
            latency: Duration::from_millis(latency_ms),
        })
    }

    /// Calls both simulators have answered so far.
    pub fn calls(&self) -> Calls {
        let stats = self.stack.sim.stats();
        Calls {
            pardot: stats.pardot.calls.total,
            streamboxy: stats.streamboxy.calls.total,
        }
    }

    /// The highest number of Pardot requests one business unit had in flight, and the
    /// requests refused for breaking the cap.
    pub fn pardot_in_flight(&self) -> (u64, u64) {
        let stats = self.stack.sim.stats().pardot;
        let max = stats.max_in_flight.values().copied().max().unwrap_or(0);
        (max, stats.total_cap_violations())
    }

    /// One sync run of the tenant in this process.
    pub async fn sync(&self) -> anyhow::Result<Run> {
        let before = self.calls();
        let started = Instant::now();
        let report = sbxy_sync::sync_tenant(&self.stack.ctx, &self.tenant, Deadline::none())
            .await
            .context("sync run")?;
        let wall = started.elapsed();
        Ok(Run {
            report,
            wall,
            calls: self.calls_since(before),
        })
    }

    /// One poller tick with its sync runs, in this process.
    pub async fn poll(&self) -> anyhow::Result<(Vec<SyncReport>, Calls)> {
        let before = self.calls();
        let (_, runs) = sbxy_sync::poller::poll_in_process(&self.stack.ctx, Deadline::none())
            .await
            .context("poll tick")?;
        Ok((runs, self.calls_since(before)))
    }

    /// Calls answered since `before`.
    pub fn calls_since(&self, before: Calls) -> Calls {
        let now = self.calls();
        Calls {
            pardot: now.pardot - before.pardot,
            streamboxy: now.streamboxy - before.streamboxy,
        }
    }

    /// Times DynamoDB writes on this stack's moto (the same UpdateItem the worker makes per
    /// link): `n` one after another, then `n` with ten at once. It explains how much of a
    /// run's wall time is the local AWS emulator rather than the product.
    pub async fn dynamodb_write_cost(&self, n: usize) -> anyhow::Result<DynamoCost> {
        let store = &self.stack.ctx.store;
        let event = sbxy_domain::ids::EventId::parse(&uuid::Uuid::new_v4().to_string())?;
        let link = WrittenLink {
            target: LinkTarget {
                event_id: event,
                registered_at: chrono::Utc::now(),
            },
            fingerprint: "calibration".to_owned(),
        };
        let write = |i: usize| {
            let link = &link;
            async move {
                let prospect = ProspectId(CALIBRATION_PROSPECTS + i as i64);
                store.record_link(&self.tenant, prospect, link).await
            }
        };

        let started = Instant::now();
        for i in 0..n {
            write(i).await?;
        }
        let alone = started.elapsed();
        let started = Instant::now();
        let results: Vec<_> = futures::stream::iter((n..2 * n).map(write))
            .buffer_unordered(10)
            .collect()
            .await;
        let together = started.elapsed();
        for result in results {
            result?;
        }
        Ok(DynamoCost {
            write_ms: alone.as_secs_f64() * 1000.0 / n.max(1) as f64,
            writes_per_sec_at_10: n as f64 / together.as_secs_f64().max(f64::EPSILON),
        })
    }

    /// Stops the simulators and moto.
    pub async fn stop(self) {
        self.stack.stop().await;
    }
}

/// What a DynamoDB write costs on the local moto.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DynamoCost {
    /// One write at a time: the latency of one.
    pub write_ms: f64,
    /// Ten at a time: the throughput moto sustains.
    pub writes_per_sec_at_10: f64,
}

/// Prospect ids of the calibration writes, far from the generated ones.
const CALIBRATION_PROSPECTS: i64 = 900_000_000;

/// Fails when a run did not complete: a benchmark of a failed run measures nothing.
pub fn check_completed(run: &Run, what: &str) -> anyhow::Result<()> {
    let report = &run.report;
    if report.outcome != sbxy_sync::SyncOutcome::Completed || report.counts.failed > 0 {
        anyhow::bail!(
            "{what}: the run ended {:?} with {} failed memberships ({:?})",
            report.outcome,
            report.counts.failed,
            report.problem
        );
    }
    Ok(())
}
