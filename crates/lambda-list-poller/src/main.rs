//! The list poller Lambda, run by an EventBridge schedule every minute: each tick fans out one
//! sync job per syncable tenant of the minute's slot, so every tenant is polled every five
//! minutes and the starts are spread over the window.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use sbxy_sync::{AppContext, ServiceConfig};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    sbxy_sync::telemetry::init(true);
    let ctx = AppContext::new(ServiceConfig::from_env()?).await?;

    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let ctx = ctx.clone();
        async move {
            let report = lambda_list_poller::handle(&ctx, &event.payload).await?;
            Ok::<Value, Error>(serde_json::to_value(report)?)
        }
    }))
    .await
}
