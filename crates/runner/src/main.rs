//! `sbxy-pardot`, the local runner: runs the Lambda handlers' core in-process with the same
//! configuration (environment variables) as the Lambdas.
//!
//! ```text
//! sbxy-pardot init                  create the table and the event bus (local use and tests)
//! sbxy-pardot poll                  one scheduler tick, fan-out processed in-process
//! sbxy-pardot sync --tenant T       one sync run for a tenant
//! sbxy-pardot status --tenant T     the tenant's status and linked events
//! sbxy-pardot serve --port P        the HTTP API (admin routes, OAuth callback) on 127.0.0.1:P
//! sbxy-pardot attendance --tenant T --event E
//!                                   one Show / No Show write-back of an ended event
//! ```
//!
//! Write-back jobs that `poll` (the catch-up of finished events) and `serve` (the webhook) put
//! on the bus also run in-process, as the sync-worker would run them in AWS.

use anyhow::{Context, bail};
use sbxy_domain::attendance::AttendanceTrigger;
use sbxy_domain::ids::{EventId, TenantId};
use sbxy_http_api::ApiState;
use sbxy_sync::attendance::{LocalWorker, run_attendance};
use sbxy_sync::config::AdminApiConfig;
use sbxy_sync::{AppContext, Deadline, ServiceConfig};

const USAGE: &str = "usage: sbxy-pardot <init | poll | sync --tenant T | status --tenant T | \
                     serve --port P | attendance --tenant T --event E>";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let json_logs = std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json");
    sbxy_sync::telemetry::init(json_logs);

    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = args.first() else {
        bail!(USAGE)
    };
    let config = ServiceConfig::from_env().context("configuration")?;
    let ctx = AppContext::new(config).await.context("start-up")?;
    if command == "serve" {
        return serve(ctx, &args).await;
    }

    let output = match command.as_str() {
        "init" => {
            ctx.store.create_table().await?;
            ctx.bus.create().await?;
            serde_json::json!({ "table": ctx.store.table(), "created": true })
        }
        "poll" => {
            let worker = LocalWorker::start(&ctx);
            let (tick, runs) =
                sbxy_sync::poller::poll_in_process(worker.context(), Deadline::none()).await?;
            worker.settle().await;
            let attendance = worker.take_reports();
            serde_json::json!({ "tick": tick, "runs": runs, "attendance": attendance })
        }
        "attendance" => {
            let tenant = tenant_arg(&args)?;
            let event = arg(&args, "--event")?;
            let event = EventId::parse(event).with_context(|| format!("--event {event:?}"))?;
            let trigger = AttendanceTrigger::Runner;
            let report = run_attendance(&ctx, &tenant, &event, trigger, Deadline::none()).await?;
            serde_json::to_value(report)?
        }
        "sync" => {
            let tenant = tenant_arg(&args)?;
            serde_json::to_value(sbxy_sync::sync_tenant(&ctx, &tenant, Deadline::none()).await?)?
        }
        "status" => {
            let tenant = tenant_arg(&args)?;
            let record = ctx
                .store
                .tenant(&tenant)
                .await?
                .with_context(|| format!("tenant {tenant} is unknown"))?;
            let events = ctx.store.linked_events(&tenant).await?;
            serde_json::json!({ "tenant": record, "events": events })
        }
        other => bail!("unknown command {other:?}; {USAGE}"),
    };
    println!("{}", serde_json::to_string_pretty(&output)?);
    Ok(())
}

/// Serves the HTTP API on 127.0.0.1 only, until Ctrl-C.
async fn serve(ctx: AppContext, args: &[String]) -> anyhow::Result<()> {
    let port: u16 = arg(args, "--port")?
        .parse()
        .with_context(|| format!("--port must be a port number; {USAGE}"))?;
    let admin = AdminApiConfig::from_env().context("configuration")?;
    // The webhook's write-back jobs run in this process, as the sync-worker runs them in AWS.
    let worker = LocalWorker::start(&ctx);
    let state = ApiState::from_config(worker.context().clone(), &admin)
        .await
        .context("start-up")?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{port}"))?;
    tracing::info!(address = %listener.local_addr()?, "serving the HTTP API");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    sbxy_http_api::serve(listener, state, shutdown).await?;
    Ok(())
}

fn arg<'a>(args: &'a [String], name: &str) -> anyhow::Result<&'a String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .with_context(|| format!("{name} is required; {USAGE}"))
}

fn tenant_arg(args: &[String]) -> anyhow::Result<TenantId> {
    let value = arg(args, "--tenant")?;
    TenantId::parse(value).with_context(|| format!("--tenant {value:?}"))
}
