//! `sbxy-bench`: runs the benchmark, prints the table, writes target/bench/results.json and the
//! benchmark's section of docs/benchmarks.md. `make bench` builds it and the product's
//! binaries in release mode first; the binaries are looked up next to this one.
//!
//! ```text
//! sbxy-bench [--latency-ms N] [--members N] [--bulk-members N] [--baseline-members N]
//!            [--memory-members N] [--memory-registrable N] [--concurrency N]
//!            [--only idle,throughput,bulk,baseline,memory,lambdas] [--no-attendance] [--no-docs]
//! ```

use std::path::PathBuf;

use anyhow::{Context, bail};
use sbxy_bench::{BenchOptions, report, run, workspace};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sbxy_bench=info,warn".into()),
        )
        .init();

    let bin_dir = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(PathBuf::from));
    let mut options = BenchOptions::full(&workspace(), bin_dir);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--latency-ms" => options.latency_ms = value()?.parse()?,
            "--members" => options.throughput_members = value()?.parse()?,
            "--memory-members" => options.memory_members = value()?.parse()?,
            "--memory-registrable" => options.memory_registrable = value()?.parse()?,
            "--bulk-members" => options.bulk_members = value()?.parse()?,
            "--baseline-members" => options.baseline_members = value()?.parse()?,
            "--concurrency" => options.sync_concurrency = value()?.parse()?,
            "--only" => options.only = value()?.split(',').map(str::to_owned).collect(),
            "--no-attendance" => options.attendance = false,
            "--no-docs" => options.docs = None,
            other => bail!("unknown argument {other:?}; see the file header of sbxy-bench"),
        }
    }
    if std::env::var_os("MOTO_SERVER").is_none() {
        eprintln!("note: MOTO_SERVER is not set; using .venv/bin/moto_server (make tools)");
    }

    let results = run(&options).await?;
    println!("{}", report::markdown::terminal(&results));
    println!(
        "results: {}",
        options.out_dir.join("results.json").display()
    );
    if let Some(docs) = &options.docs {
        println!("section: {}", docs.display());
    }
    if !results.details.failures.is_empty() {
        bail!(
            "{} case(s) failed: {}",
            results.details.failures.len(),
            results.details.failures.join("; ")
        );
    }
    Ok(())
}
