//! The benchmark's results: target/bench/results.json (the keys issue 7 names at the top
//! level, `null` when a case was not measured, everything else under `details`), the table
//! printed to the terminal, and the section of docs/benchmarks.md.

pub mod docs;
pub mod markdown;
mod notes;

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::scenarios::attendance::AttendanceResult;
use crate::scenarios::baseline::BaselineResult;
use crate::scenarios::idle::IdleResult;
use crate::scenarios::lambdas::LambdaResult;
use crate::scenarios::members::MembersResult;
use crate::scenarios::memory::MemoryResult;

/// The targets, in one place for the table and the verdicts.
pub mod targets {
    pub const IDLE_CALLS_PER_POLL: f64 = 1.0;
    pub const IDLE_CALLS_PER_DAY: f64 = 300.0;
    pub const CALLS_PER_NEW_MEMBER: f64 = 1.01;
    pub const BULK_CALLS_PER_MEMBER: f64 = 0.01;
    pub const THROUGHPUT_RATIO: f64 = 1.25;
    pub const PEAK_RSS_MIB: f64 = 64.0;
    pub const BINARY_MIB: f64 = 10.0;
    pub const START_MS: f64 = 50.0;
}

/// Everything one benchmark run found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Results {
    pub idle_poll_pardot_calls_per_poll: Option<f64>,
    pub pardot_calls_per_new_member: Option<f64>,
    pub bulk_pardot_calls_per_member: Option<f64>,
    pub throughput_ratio_to_lower_bound: Option<f64>,
    pub show_noshow_ratio_to_lower_bound: Option<f64>,
    pub streamboxy_calls_per_member: Option<f64>,
    pub peak_rss_mib_100k: Option<f64>,
    pub max_binary_mib: Option<f64>,
    /// Our Pardot calls ÷ the naive baseline's, first sync of the same list (below 1 is
    /// better).
    pub baseline_ratio: Option<f64>,
    pub idle_poll_pardot_calls_per_day: Option<f64>,
    pub max_start_ms: Option<f64>,
    pub baseline_wall_ratio: Option<f64>,
    pub baseline_idle_ratio: Option<f64>,
    pub details: Details,
}

/// The measurements behind the figures.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Details {
    pub command: String,
    pub machine: Machine,
    pub latency_ms: u64,
    pub sync_concurrency: usize,
    pub started_at: String,
    pub total_secs: f64,
    pub idle: Option<IdleResult>,
    pub throughput: Option<MembersResult>,
    pub bulk: Option<MembersResult>,
    pub baseline: Option<BaselineResult>,
    pub attendance: Option<AttendanceResult>,
    pub memory: Option<MemoryResult>,
    pub lambdas: Option<LambdaResult>,
    /// Cases that were not measured, and why.
    pub not_measured: Vec<String>,
    /// Cases that failed, with the error.
    pub failures: Vec<String>,
}

/// Where the figures were taken.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub arch: String,
    pub os: String,
}

impl Machine {
    /// This machine, from /proc where it exists.
    pub fn current() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .and_then(|rest| rest.split_once(':'))
            .map_or_else(|| "unknown".to_owned(), |(_, v)| v.trim().to_owned());
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let memory_kib: f64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0);
        Self {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, usize::from),
            memory_gib: (memory_kib / (1024.0 * 1024.0) * 10.0).round() / 10.0,
            arch: std::env::consts::ARCH.to_owned(),
            os: std::env::consts::OS.to_owned(),
        }
    }
}

impl Results {
    /// Fills the top-level figures from the details.
    pub fn summarize(&mut self) {
        let d = &self.details;
        self.idle_poll_pardot_calls_per_poll = d.idle.as_ref().map(|i| i.pardot_calls_per_poll);
        self.idle_poll_pardot_calls_per_day = d.idle.as_ref().map(|i| i.pardot_calls_per_day);
        self.pardot_calls_per_new_member = d.throughput.as_ref().map(|t| t.pardot_calls_per_member);
        self.throughput_ratio_to_lower_bound =
            d.throughput.as_ref().and_then(|t| t.ratio_to_lower_bound);
        self.streamboxy_calls_per_member =
            d.throughput.as_ref().map(|t| t.streamboxy_calls_per_member);
        self.bulk_pardot_calls_per_member = d.bulk.as_ref().map(|b| b.pardot_calls_per_member);
        self.show_noshow_ratio_to_lower_bound =
            d.attendance.as_ref().and_then(|a| a.ratio_to_lower_bound);
        self.peak_rss_mib_100k = d.memory.as_ref().map(|m| m.peak_rss_mib);
        self.max_binary_mib = d.lambdas.as_ref().and_then(|l| l.max_binary_mib);
        self.max_start_ms = d.lambdas.as_ref().and_then(|l| l.max_median_start_ms);
        self.baseline_ratio = d.baseline.as_ref().map(|b| b.pardot_calls_ratio);
        self.baseline_wall_ratio = d.baseline.as_ref().map(|b| b.wall_ratio);
        self.baseline_idle_ratio = d.baseline.as_ref().map(|b| b.idle_pardot_calls_ratio);
    }

    /// Writes results.json into `dir`.
    pub fn write_json(&self, dir: &Path) -> anyhow::Result<std::path::PathBuf> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join("results.json");
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&path, format!("{text}\n"))
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}
