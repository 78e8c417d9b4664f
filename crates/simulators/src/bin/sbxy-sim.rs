//! `sbxy-sim`: runs the simulators until SIGTERM/SIGINT, or prints the demo seed.
//!
//! ```text
//! sbxy-sim --seed FILE [--latency-ms N] [--oauth-port P] [--pardot-port P]
//!          [--pardot-demo-port P] [--streamboxy-port P] [--ready-file PATH]
//! sbxy-sim generate-demo-seed
//! ```
//! On start it prints one JSON line with the four base URLs (and writes it to --ready-file).

use std::path::PathBuf;

use anyhow::{Context, bail};
use sbxy_simulators::{Latency, Seed, SimConfig, demo_seed_json, start};

#[derive(Debug, Default)]
struct Args {
    seed: Option<PathBuf>,
    latency_ms: u64,
    oauth_port: u16,
    pardot_port: u16,
    pardot_demo_port: u16,
    streamboxy_port: u16,
    ready_file: Option<PathBuf>,
}

const USAGE: &str = "usage: sbxy-sim --seed FILE [--latency-ms N] [--oauth-port P] \
                     [--pardot-port P] [--pardot-demo-port P] [--streamboxy-port P] \
                     [--ready-file PATH]\n       sbxy-sim generate-demo-seed";

fn parse_args(mut raw: impl Iterator<Item = String>) -> anyhow::Result<Args> {
    let mut args = Args::default();
    while let Some(flag) = raw.next() {
        let mut value = || {
            raw.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--seed" => args.seed = Some(PathBuf::from(value()?)),
            "--latency-ms" => args.latency_ms = value()?.parse().context("--latency-ms")?,
            "--oauth-port" => args.oauth_port = value()?.parse().context("--oauth-port")?,
            "--pardot-port" => args.pardot_port = value()?.parse().context("--pardot-port")?,
            "--pardot-demo-port" => {
                args.pardot_demo_port = value()?.parse().context("--pardot-demo-port")?;
            }
            "--streamboxy-port" => {
                args.streamboxy_port = value()?.parse().context("--streamboxy-port")?;
            }
            "--ready-file" => args.ready_file = Some(PathBuf::from(value()?)),
            "-h" | "--help" => bail!("{USAGE}"),
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut raw = std::env::args().skip(1).peekable();
    if raw.peek().map(String::as_str) == Some("generate-demo-seed") {
        print!("{}", demo_seed_json());
        return Ok(());
    }

    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let args = parse_args(raw)?;
    let seed_path = args
        .seed
        .with_context(|| format!("--seed is required\n{USAGE}"))?;
    let mut config = SimConfig::new(Seed::from_file(&seed_path)?);
    config.latency = Latency::uniform(args.latency_ms);
    config.ports.oauth = args.oauth_port;
    config.ports.pardot = args.pardot_port;
    config.ports.pardot_demo = args.pardot_demo_port;
    config.ports.streamboxy = args.streamboxy_port;
    let handle = start(config).await?;

    let ready = serde_json::json!({
        "oauth": handle.oauth_url,
        "pardot": handle.pardot_url,
        "pardot_demo": handle.pardot_demo_url,
        "streamboxy": handle.streamboxy_url,
    })
    .to_string();
    // The file first (written whole, then renamed), so whoever sees the stdout line can
    // also read the file.
    if let Some(path) = &args.ready_file {
        let partial = path.with_extension("partial");
        std::fs::write(&partial, format!("{ready}\n"))
            .and_then(|()| std::fs::rename(&partial, path))
            .with_context(|| format!("cannot write ready file {}", path.display()))?;
    }
    println!("{ready}");

    wait_for_signal().await?;
    tracing::info!("shutting down");
    handle.shutdown().await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn wait_for_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot listen for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("cannot listen for SIGINT")?,
        _ = term.recv() => {}
    }
    Ok(())
}
