//! The sync worker Lambda, invoked by the EventBridge rule for each `TenantSyncRequested` job.
//! It stops before the invocation's deadline and leaves the rest to the next run.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use sbxy_sync::{AppContext, ServiceConfig};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    sbxy_sync::telemetry::init(true);
    let ctx = AppContext::new(ServiceConfig::from_env()?).await?;

    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let ctx = ctx.clone();
        async move { lambda_sync_worker::handle(&ctx, event).await }
    }))
    .await
}
