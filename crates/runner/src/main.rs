//! `sbxy-pardot`, the local runner: runs the Lambda handlers' core in-process with the same
//! configuration (environment variables) as the Lambdas.
//!
//! ```text
//! sbxy-pardot init                  create the table and the event bus (local use and tests)
//! sbxy-pardot poll                  one scheduler tick, fan-out processed in-process
//! sbxy-pardot sync --tenant T       one sync run for a tenant
//! sbxy-pardot status --tenant T     the tenant's status and linked events
//! ```

use anyhow::{Context, bail};
use sbxy_domain::ids::TenantId;
use sbxy_sync::{AppContext, Deadline, ServiceConfig};

const USAGE: &str = "usage: sbxy-pardot <init | poll | sync --tenant T | status --tenant T>";

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

    let output = match command.as_str() {
        "init" => {
            ctx.store.create_table().await?;
            ctx.bus.create().await?;
            serde_json::json!({ "table": ctx.store.table(), "created": true })
        }
        "poll" => {
            let (tick, runs) = sbxy_sync::poller::poll_in_process(&ctx, Deadline::none()).await?;
            serde_json::json!({ "tick": tick, "runs": runs })
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

fn tenant_arg(args: &[String]) -> anyhow::Result<TenantId> {
    let value = args
        .iter()
        .position(|a| a == "--tenant")
        .and_then(|i| args.get(i + 1))
        .with_context(|| format!("--tenant is required; {USAGE}"))?;
    TenantId::parse(value).with_context(|| format!("--tenant {value:?}"))
}
