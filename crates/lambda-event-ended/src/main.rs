//! The event-ended Lambda behind API Gateway (HTTP API, payload v2, route
//! `POST /webhooks/streamboxy/event-state`): checks the Backstage's signed state-change notice
//! and hands a finished event's Show / No Show write-back to the sync-worker through
//! EventBridge (`AttendanceRequested`). It makes no Pardot call, so it answers in well under a
//! second whatever the event's size.

use sbxy_http_api::{WebhookConfig, WebhookState, webhook_router};
use sbxy_sync::{AppContext, ServiceConfig};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    sbxy_sync::telemetry::init(true);

    let ctx = AppContext::new(ServiceConfig::from_env()?).await?;
    let state = WebhookState::new(ctx, WebhookConfig::from_env());

    lambda_http::run(webhook_router(state)).await
}
