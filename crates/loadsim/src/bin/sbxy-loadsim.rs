//! `sbxy-loadsim`: the load simulation. Runs the poller and the workers in-process against moto
//! and the simulators with N tenants, writes target/loadsim/results.json and its section of
//! docs/benchmarks.md, and exits 2 when a check fails (e.g. a business unit over 5 requests in
//! flight). `sbxy-loadsim --help` lists the knobs.

use std::path::PathBuf;
use std::process::ExitCode;

use sbxy_loadsim::{LoadOptions, LoadSimError, RESULTS_PATH, workspace_root};

const USAGE: &str = "usage: sbxy-loadsim [--tenants N] [--events N] [--members N]
    [--churn-fraction F] [--churn-members N] [--concurrency N] [--sync-concurrency N]
    [--cycles N] [--pardot-latency-ms N] [--streamboxy-latency-ms N] [--oauth-latency-ms N]
    [--poller-scale-tenants N (0 skips)] [--out FILE] [--doc FILE | --no-doc]
    [--render FILE (rewrite the doc section from a results file, without simulating)]";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("sbxy-loadsim: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}

async fn run() -> Result<(), LoadSimError> {
    let root = workspace_root();
    let mut options = LoadOptions::default();
    let mut out = root.join(RESULTS_PATH);
    let mut doc = Some(root.join("docs/benchmarks.md"));
    let mut render_from = None;

    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            return Ok(());
        }
        if flag == "--no-doc" {
            doc = None;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| LoadSimError::Usage(format!("{flag} needs a value\n{USAGE}")))?;
        match flag.as_str() {
            "--render" => render_from = Some(PathBuf::from(value)),
            "--tenants" => options.shape.tenants = number(&flag, &value)?,
            "--events" => options.shape.events_per_tenant = number(&flag, &value)?,
            "--members" => options.shape.members_per_list = number(&flag, &value)?,
            "--churn-fraction" => options.churn_fraction = number(&flag, &value)?,
            "--churn-members" => options.churn_members = number(&flag, &value)?,
            "--concurrency" => options.concurrency = number(&flag, &value)?,
            "--sync-concurrency" => options.sync_concurrency = number(&flag, &value)?,
            "--cycles" => options.cycles = number(&flag, &value)?,
            "--pardot-latency-ms" => options.latency.pardot_ms = number(&flag, &value)?,
            "--streamboxy-latency-ms" => options.latency.streamboxy_ms = number(&flag, &value)?,
            "--oauth-latency-ms" => options.latency.oauth_ms = number(&flag, &value)?,
            "--poller-scale-tenants" => options.poller_scale_tenants = number(&flag, &value)?,
            "--out" => out = PathBuf::from(value),
            "--doc" => doc = Some(PathBuf::from(value)),
            _ => return Err(LoadSimError::Usage(format!("unknown flag {flag}\n{USAGE}"))),
        }
    }

    if let Some(path) = render_from {
        return render(&path, doc.as_deref());
    }

    let counting_logs = sbxy_loadsim::logs::install_log_meter();
    if !counting_logs {
        eprintln!("log bytes are not counted: another log subscriber was installed");
    }
    let results = sbxy_loadsim::run(&options).await?;
    sbxy_loadsim::write_outputs(&results, &options, &out, doc.as_deref())?;
    println!("{}", sbxy_loadsim::report::render(&results, &options));
    println!("results: {}", out.display());

    let failures = results.checks.failures();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(LoadSimError::Check(failures.join("; ")))
    }
}

/// Renders a saved results file into the doc, e.g. after editing the report's wording.
fn render(path: &std::path::Path, doc: Option<&std::path::Path>) -> Result<(), LoadSimError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadSimError::File {
        path: path.to_owned(),
        source: e,
    })?;
    let results: sbxy_loadsim::LoadResults = serde_json::from_str(&text)
        .map_err(|e| LoadSimError::Usage(format!("{}: {e}", path.display())))?;
    let options: LoadOptions = serde_json::from_value(results.options.clone())
        .map_err(|e| LoadSimError::Usage(format!("{}: options: {e}", path.display())))?;
    let body = sbxy_loadsim::report::render(&results, &options);
    if let Some(doc) = doc {
        let (begin, end) = (sbxy_loadsim::report::BEGIN, sbxy_loadsim::report::END);
        sbxy_loadsim::docs::write_section(doc, "# Benchmarks", begin, end, &body)?;
    }
    println!("{body}");
    Ok(())
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, LoadSimError> {
    value
        .parse()
        .map_err(|_| LoadSimError::Usage(format!("{flag} takes a number, not {value:?}")))
}
