//! The list poller Lambda, run by an EventBridge schedule every minute: each tick fans out one
//! sync job per syncable tenant of the minute's slot, so every tenant is polled every five
//! minutes and the starts are spread over the window.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use sbxy_sync::poller::{POLL_SLOTS, buckets_of_slot, poll_tick};
use sbxy_sync::{AppContext, ServiceConfig};
use schedule::minute_of;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    sbxy_sync::telemetry::init(true);
    let ctx = AppContext::new(ServiceConfig::from_env()?).await?;

    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let ctx = ctx.clone();
        async move {
            let slot = minute_of(&event.payload).unwrap_or(0) % POLL_SLOTS;
            let report = poll_tick(&ctx, &buckets_of_slot(slot)).await?;
            Ok::<Value, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}

/// Reads the minute from the scheduled event's `time` (`2026-12-04T17:05:00Z`).
mod schedule {
    use serde_json::Value;

    pub(crate) fn minute_of(event: &Value) -> Option<u32> {
        let time = event.get("time")?.as_str()?;
        time.get(14..16)?.parse().ok()
    }
}
