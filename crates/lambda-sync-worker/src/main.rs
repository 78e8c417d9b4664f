//! The sync worker Lambda, invoked by the EventBridge rule for each `TenantSyncRequested` job.
//! It stops before the invocation's deadline and leaves the rest to the next run.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use lambda_runtime::{Error, LambdaEvent, service_fn};
use sbxy_domain::ids::TenantId;
use sbxy_sync::{AppContext, Deadline, ServiceConfig};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    sbxy_sync::telemetry::init(true);
    let ctx = AppContext::new(ServiceConfig::from_env()?).await?;

    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let ctx = ctx.clone();
        async move {
            let tenant = tenant_of(&event.payload)?;
            let deadline = deadline_of(event.context.deadline);
            let report = sbxy_sync::sync_tenant(&ctx, &tenant, deadline).await?;
            Ok::<Value, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}

/// The tenant from the EventBridge event's `detail.tenantId`.
fn tenant_of(event: &Value) -> Result<TenantId, Error> {
    let id = event
        .pointer("/detail/tenantId")
        .and_then(Value::as_str)
        .ok_or("the event has no detail.tenantId; expected a TenantSyncRequested event")?;
    Ok(TenantId::parse(id)?)
}

/// Converts the invocation deadline (ms since the epoch) into a monotonic instant.
fn deadline_of(deadline_ms: u64) -> Deadline {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let left = u128::from(deadline_ms).saturating_sub(now_ms);
    let left = Duration::from_millis(u64::try_from(left).unwrap_or(u64::MAX));
    Deadline::at(Instant::now() + left)
}
