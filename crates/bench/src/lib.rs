//! The benchmark of issue 7 (`make bench`): what sbxy-pardot spends of Pardot's API budget and
//! how close it syncs to the limits, measured against moto and the simulators with a per-call
//! latency. It prints a table, writes target/bench/results.json and its own section of
//! docs/benchmarks.md.
//!
//! Cases: idle polling of many linked lists, new members on the direct and the bulk path
//! (calls per member, wall time against the lower bound), a naive baseline, Show / No Show,
//! the worker's peak RSS on a large list, and the Lambdas' size and start time. Speed targets
//! live here only; the test suite runs a small smoke version that checks the keys, never
//! the times.

pub mod bounds;
pub mod lambda;
pub mod process;
pub mod report;
pub mod scenarios;
pub mod seed;
pub mod stack;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Instant;

use report::{Details, Machine, Results};

/// What to run and where to write.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Per-call latency on Pardot and STREAMBOXY, in ms.
    pub latency_ms: u64,
    /// The product's `SYNC_CONCURRENCY` for every case.
    pub sync_concurrency: usize,
    pub idle_lists: usize,
    pub idle_members_per_list: usize,
    pub idle_polls: usize,
    /// New members of the throughput case (bulk off); also the Show/No Show registrants.
    pub throughput_members: usize,
    /// New members of the bulk case.
    pub bulk_members: usize,
    pub baseline_members: usize,
    /// Run the Show/No Show write-back after the throughput case.
    pub attendance: bool,
    /// Members of the memory case (run only when the runner binary exists).
    pub memory_members: usize,
    /// Of them, the ones registered for real (the rest opted out of the list).
    pub memory_registrable: usize,
    /// Starts measured per Lambda (only when the binaries exist).
    pub lambda_starts: usize,
    /// Where the release binaries are (`sbxy-pardot` and the Lambdas); `None` skips the cases
    /// that need them.
    pub bin_dir: Option<PathBuf>,
    /// Where results.json and the child processes' logs go.
    pub out_dir: PathBuf,
    /// docs/benchmarks.md, or `None` to leave the docs alone (the smoke test).
    pub docs: Option<PathBuf>,
    /// How the run was started, for the report.
    pub command: String,
    /// Cases to run (`idle`, `throughput`, `bulk`, `baseline`, `memory`, `lambdas`); empty
    /// runs all of them.
    pub only: Vec<String>,
}

impl BenchOptions {
    /// The full benchmark of `make bench`.
    pub fn full(workspace: &Path, bin_dir: Option<PathBuf>) -> Self {
        Self {
            latency_ms: 50,
            sync_concurrency: 10,
            idle_lists: 20,
            idle_members_per_list: 10,
            idle_polls: 5,
            throughput_members: 10_000,
            bulk_members: 2_000,
            baseline_members: 1_000,
            attendance: true,
            memory_members: 100_000,
            memory_registrable: 10_000,
            lambda_starts: 5,
            bin_dir,
            out_dir: workspace.join("target/bench"),
            docs: Some(workspace.join("docs/benchmarks.md")),
            command: "make bench".to_owned(),
            only: Vec::new(),
        }
    }

    /// A tiny run for the test suite: every case with a handful of members, no latency, no
    /// docs written.
    pub fn smoke(out_dir: PathBuf) -> Self {
        Self {
            latency_ms: 0,
            sync_concurrency: 4,
            idle_lists: 3,
            idle_members_per_list: 2,
            idle_polls: 2,
            throughput_members: 12,
            bulk_members: 12,
            baseline_members: 6,
            attendance: true,
            memory_members: 20,
            memory_registrable: 10,
            lambda_starts: 1,
            bin_dir: None,
            out_dir,
            docs: None,
            command: "smoke test".to_owned(),
            only: Vec::new(),
        }
    }

    /// True when `case` is to run.
    pub fn wants(&self, case: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|c| c == case)
    }

    /// The product's configuration for a case.
    pub fn product_env(&self, bulk: bool) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("SYNC_CONCURRENCY", self.sync_concurrency.to_string()),
            ("HTTP_TIMEOUT_SECS", "60".to_owned()),
        ];
        if bulk {
            env.push(("PARDOT_BULK_IMPORT", "on".to_owned()));
            // The smoke test's pages are tiny; the full run keeps the documented default.
            if self.bulk_members < 100 {
                env.push(("PARDOT_BULK_THRESHOLD", "5".to_owned()));
            }
        }
        env
    }
}

/// Bytes in MiB.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// The workspace root (two levels above this crate).
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs every case, writes results.json (and the docs section when asked) and returns the
/// results. A failing case is recorded and the others still run; the caller decides what a
/// failure means.
pub async fn run(options: &BenchOptions) -> anyhow::Result<Results> {
    let started = Instant::now();
    std::fs::create_dir_all(&options.out_dir)?;
    let mut details = Details {
        command: options.command.clone(),
        machine: Machine::current(),
        latency_ms: options.latency_ms,
        sync_concurrency: options.sync_concurrency,
        started_at: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        ..Details::default()
    };
    let failures = &mut details.failures;

    if options.wants("idle") {
        details.idle = case("idle poll", failures, scenarios::idle::run(options)).await;
    }

    let prepared = if !options.wants("throughput") {
        None
    } else {
        case(
            "throughput (preparing)",
            failures,
            scenarios::members::prepare(
                options,
                options.throughput_members,
                false,
                options.latency_ms,
                options.attendance,
            ),
        )
        .await
    };
    if let Some(prepared) = prepared {
        details.throughput = case(
            "throughput",
            failures,
            scenarios::members::measure(&prepared, options),
        )
        .await;
        if options.attendance && details.throughput.is_some() {
            details.attendance = case(
                "Show/No Show",
                failures,
                scenarios::attendance::run(&prepared.stack, &prepared.list, prepared.members + 1),
            )
            .await;
        }
        prepared.stack.stop().await;
    }

    if options.wants("bulk") {
        details.bulk = case("bulk path", failures, bulk(options)).await;
    }
    if options.wants("baseline") {
        details.baseline = case("baseline", failures, scenarios::baseline::run(options)).await;
    }
    if options.wants("memory") {
        match case("memory", failures, scenarios::memory::run(options)).await {
            Some(Some(memory)) => details.memory = Some(memory),
            Some(None) => details.not_measured.push(
                "peak RSS: the runner binary `sbxy-pardot` was not built (`make bench` builds it)"
                    .to_owned(),
            ),
            None => {}
        }
    }
    if options.wants("lambdas") {
        let workspace = workspace();
        details.lambdas = case(
            "Lambda size and start",
            failures,
            scenarios::lambdas::run(options, &workspace),
        )
        .await;
    }
    if details.lambdas.as_ref().is_some_and(|l| l.sizes.is_empty()) {
        details
            .not_measured
            .push("Lambda size and start: no release binaries and no `make build` zips".to_owned());
    }
    if options.attendance && details.attendance.is_none() {
        details.not_measured.push(
            "Show/No Show: the write-back could not be measured (see the failure above)".to_owned(),
        );
    }

    details.total_secs = started.elapsed().as_secs_f64();
    let mut results = Results {
        details,
        ..Results::default()
    };
    results.summarize();
    results.write_json(&options.out_dir)?;
    if let Some(docs) = &options.docs {
        report::docs::write_section(docs, &report::markdown::section(&results))?;
    }
    Ok(results)
}

async fn bulk(options: &BenchOptions) -> anyhow::Result<scenarios::members::MembersResult> {
    let prepared = scenarios::members::prepare(
        options,
        options.bulk_members,
        true,
        options.latency_ms,
        false,
    )
    .await?;
    let result = scenarios::members::measure(&prepared, options).await;
    prepared.stack.stop().await;
    result
}

/// Runs one case, logging its time; a failure is recorded and yields `None`.
async fn case<T>(
    name: &str,
    failures: &mut Vec<String>,
    work: impl Future<Output = anyhow::Result<T>>,
) -> Option<T> {
    let started = Instant::now();
    tracing::info!(case = name, "starting");
    match work.await {
        Ok(value) => {
            tracing::info!(case = name, secs = started.elapsed().as_secs_f64(), "done");
            Some(value)
        }
        Err(err) => {
            tracing::error!(case = name, error = format!("{err:#}"), "failed");
            failures.push(format!("{name}: {err:#}"));
            None
        }
    }
}
