//! What every request handler shares: the application context, the admin token key, the
//! connect flow's keys and addresses, and the clock.

use std::sync::Arc;

use sbxy_domain::Secret;
use sbxy_sync::config::AdminApiConfig;
use sbxy_sync::connection::{Clock, ConnectSetup, resolve_secret};
use sbxy_sync::{AppContext, SyncError};

use crate::webhook::{WebhookConfig, WebhookState};

/// The router's state. Cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    /// AWS clients, HTTP client, configuration.
    pub ctx: AppContext,
    /// The HS256 key of the Backstage admin tokens.
    pub admin_jwt_secret: Secret,
    /// The connect flow's signing key and addresses.
    pub connect: Arc<ConnectSetup>,
    /// "Now" for token and `state` expiry; tests move it.
    pub clock: Clock,
    /// The STREAMBOXY webhook's signing keys and limits (`crate::webhook`).
    pub webhook: WebhookState,
}

impl ApiState {
    /// Resolves the keys (from Secrets Manager where the configuration names secrets). Keys are
    /// read once per process: a rotated key takes effect with the next cold start.
    pub async fn from_config(ctx: AppContext, config: &AdminApiConfig) -> Result<Self, SyncError> {
        let admin_jwt_secret = resolve_secret(&ctx, &config.admin_jwt_secret).await?;
        let connect = ConnectSetup::resolve(&ctx, config).await?;

        Ok(Self {
            webhook: WebhookState::new(ctx.clone(), WebhookConfig::from_env()),
            ctx,
            admin_jwt_secret,
            connect: Arc::new(connect),
            clock: Clock::system(),
        })
    }

    /// The same state with another clock (tests).
    #[must_use]
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }
}
