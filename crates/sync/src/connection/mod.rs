//! Connecting a tenant to Salesforce and keeping the connection usable: the connect attempt
//! (signed single-use `state`, PKCE), the callback (code exchange, refresh token to Secrets
//! Manager, the Salesforce user, a check call to Pardot), disconnecting (revoke, delete,
//! not connected), and the token lifecycle every Pardot caller of a tenant shares.

mod callback;
mod clock;
mod disconnect;
mod start;
mod tokens;

use sbxy_domain::Secret;
use sbxy_domain::settings::PardotEnvironment;
use sbxy_pardot_client::{PardotHost, SalesforceEnvironment};
use sbxy_storage::StorageError;
use url::Url;

pub use callback::{CallbackParams, CallbackResult, finish_connect};
pub use clock::Clock;
pub use disconnect::{Disconnected, disconnect};
pub use start::start_connect;
pub use tokens::{
    REFRESH_LOCK_TTL_SECS, TenantTokens, client_with_tokens, mark_reconnect_needed, pardot_client,
};

use crate::config::{AdminApiConfig, SecretSource};
use crate::context::AppContext;
use crate::error::SyncError;

/// The keys and addresses of the connect flow, resolved once when the admin API starts.
#[derive(Clone)]
pub struct ConnectSetup {
    /// Signs the `state` and derives the PKCE verifier.
    pub state_key: Secret,
    /// `<PUBLIC_BASE_URL>/oauth/callback`, registered in the connected app.
    pub redirect_uri: String,
    /// `<PUBLIC_BASE_URL>/admin`, where the callback sends the admin's browser.
    pub admin_page: Url,
}

impl std::fmt::Debug for ConnectSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectSetup")
            .field("redirect_uri", &self.redirect_uri)
            .field("admin_page", &self.admin_page.as_str())
            .finish_non_exhaustive()
    }
}

impl ConnectSetup {
    /// Resolves the signing key (from Secrets Manager in AWS) and the addresses.
    pub async fn resolve(ctx: &AppContext, config: &AdminApiConfig) -> Result<Self, SyncError> {
        Ok(Self {
            state_key: resolve_secret(ctx, &config.state_signing_key).await?,
            redirect_uri: config.redirect_uri(),
            admin_page: config.admin_page(),
        })
    }
}

/// A key's value: the variable's own value, or the named secret below `SECRET_PREFIX`.
pub async fn resolve_secret(ctx: &AppContext, source: &SecretSource) -> Result<Secret, SyncError> {
    match source {
        SecretSource::Value(value) => Ok(value.clone()),
        SecretSource::SecretName(suffix) => {
            let name = ctx.secrets.name(suffix);
            let value = ctx.secrets.get(&name).await?;
            Ok(value.ok_or(StorageError::SecretMissing { name })?)
        }
    }
}

/// Why a connection operation could not finish. Outcomes an admin caused (a denial, a stale
/// link) are not errors: they are [`sbxy_domain::connect_state::ConnectOutcome`]s.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    /// DynamoDB or Secrets Manager failed; nothing half-done is left that a retry can't fix.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The process is misconfigured (client secret missing, HTTP client).
    #[error(transparent)]
    Setup(#[from] SyncError),
    /// Salesforce could not be reached to revoke the grant, so nothing was changed.
    #[error("Salesforce could not revoke the connection right now ({detail}); try again shortly")]
    RevokeUnavailable {
        /// What failed.
        detail: String,
    },
}

impl ConnectionError {
    /// True when the same request may succeed in a minute.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Storage(_) | Self::RevokeUnavailable { .. } => true,
            Self::Setup(_) => false,
        }
    }
}

/// The Salesforce environment of a tenant's settings or connection.
pub fn salesforce_environment(environment: PardotEnvironment) -> SalesforceEnvironment {
    match environment {
        PardotEnvironment::Production => SalesforceEnvironment::Production,
        PardotEnvironment::Developer => SalesforceEnvironment::Developer,
        PardotEnvironment::Sandbox => SalesforceEnvironment::Sandbox,
    }
}

/// The Pardot host serving business units of an environment.
pub fn pardot_host(environment: PardotEnvironment) -> PardotHost {
    salesforce_environment(environment).pardot_host()
}
