//! The admin API Lambda behind API Gateway (HTTP API, payload v2): the connect flow, the OAuth
//! callback, settings and status, all served by the shared router of `sbxy-http-api`.
//! Configuration and keys are read once per cold start.

use sbxy_http_api::ApiState;
use sbxy_sync::config::AdminApiConfig;
use sbxy_sync::{AppContext, ServiceConfig};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    sbxy_sync::telemetry::init(true);

    let admin = AdminApiConfig::from_env()?;
    let ctx = AppContext::new(ServiceConfig::from_env()?).await?;
    let state = ApiState::from_config(ctx, &admin).await?;

    lambda_http::run(sbxy_http_api::router(state)).await
}
