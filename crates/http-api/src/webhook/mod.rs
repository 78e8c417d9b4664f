//! `POST /webhooks/streamboxy/event-state`: the Backstage's signed notice that an event's state
//! changed (docs/streamboxy-api.md, "Webhook"). A finished event's Show / No Show write-back
//! is handed to the sync-worker with EventBridge `AttendanceRequested`; the handler itself
//! only checks and hands off, so it answers within a few hundred milliseconds.

mod answer;
mod handler;
mod keys;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::post;
use sbxy_sync::AppContext;

use crate::routes::Routes;
use crate::state::ApiState;
use keys::SigningKeys;

/// The route of the webhook.
pub const WEBHOOK_PATH: &str = "/webhooks/streamboxy/event-state";
/// The default name (below `SECRET_PREFIX`) of the secret holding the signing key.
pub const DEFAULT_SECRET_NAME: &str = "streamboxy/webhook-secret";
/// A state-change notice is a few hundred bytes; anything much larger is not one.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the webhook needs beyond the service's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    /// The secret's name below `SECRET_PREFIX` (`STREAMBOXY_WEBHOOK_SECRET_NAME`). Its value
    /// is the signing key, or several keys one per line while a key is rotated.
    pub secret_name: String,
    /// Larger bodies are refused with 413 before they are read further.
    pub max_body_bytes: usize,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            secret_name: DEFAULT_SECRET_NAME.to_owned(),
            max_body_bytes: MAX_BODY_BYTES,
        }
    }
}

impl WebhookConfig {
    /// Reads `STREAMBOXY_WEBHOOK_SECRET_NAME` from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let secret_name = lookup("STREAMBOXY_WEBHOOK_SECRET_NAME")
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| DEFAULT_SECRET_NAME.to_owned());
        Self {
            secret_name,
            ..Self::default()
        }
    }
}

/// The webhook's state: the service context and the cached signing keys. Build it once per
/// process; clones share the cache.
#[derive(Clone)]
pub struct WebhookState {
    ctx: AppContext,
    config: Arc<WebhookConfig>,
    keys: SigningKeys,
}

impl WebhookState {
    /// The state for `ctx`. Jobs go to `ctx.bus`; give it a local delivery (the sync crate's
    /// `LocalWorker`) when no EventBridge rule runs them.
    pub fn new(ctx: AppContext, config: WebhookConfig) -> Self {
        let keys = SigningKeys::new(ctx.secrets.name(&config.secret_name));
        Self {
            ctx,
            config: Arc::new(config),
            keys,
        }
    }
}

impl FromRef<ApiState> for WebhookState {
    fn from_ref(state: &ApiState) -> Self {
        state.webhook.clone()
    }
}

/// The webhook's route in the whole API ([`crate::router`]), for `sbxy-pardot serve`.
pub(crate) fn routes() -> Routes {
    Routes::new().post(WEBHOOK_PATH, handler::event_state)
}

/// The webhook alone, as the `event-ended` Lambda serves it; bodies over the limit are
/// refused before they are buffered.
pub fn webhook_router(state: WebhookState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route(WEBHOOK_PATH, post(handler::event_state))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_name_has_a_default_and_can_be_set() {
        assert_eq!(
            WebhookConfig::from_lookup(|_| None).secret_name,
            DEFAULT_SECRET_NAME
        );
        assert_eq!(
            WebhookConfig::from_lookup(|_| Some("  ".into())).secret_name,
            DEFAULT_SECRET_NAME
        );
        let named = WebhookConfig::from_lookup(|name| {
            (name == "STREAMBOXY_WEBHOOK_SECRET_NAME").then(|| "sbxy/hook".to_owned())
        });
        assert_eq!(named.secret_name, "sbxy/hook");
    }
}
