//! Disconnecting a tenant: revoke the grant at Salesforce, mark the tenant not connected (which
//! takes it off the sync index, so the sync stops), and delete the secret.

use sbxy_domain::ids::TenantId;
use sbxy_domain::status::SyncProblem;
use sbxy_storage::{Connection, ConnectionState};
use serde::Serialize;

use super::{ConnectionError, salesforce_environment};
use crate::context::AppContext;

/// What a disconnect did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Disconnected {
    /// The connection state afterwards: always not connected.
    pub connection: ConnectionState,
    /// True when Salesforce revoked a live grant; false when none was stored or it was
    /// already dead.
    pub revoked: bool,
}

/// Ends the tenant's connection. A Salesforce that cannot be reached leaves everything as it
/// was (retry); a grant Salesforce no longer knows counts as revoked already.
pub async fn disconnect(
    ctx: &AppContext,
    tenant: &TenantId,
) -> Result<Disconnected, ConnectionError> {
    let record = ctx.store.tenant(tenant).await?;
    let tokens = ctx.secrets.tenant_tokens(tenant).await?;

    let mut revoked = false;
    if let Some(tokens) = &tokens {
        let environment = record
            .as_ref()
            .map(|r| r.connection.environment)
            .unwrap_or_default();
        let oauth = ctx.oauth().await?;
        match oauth
            .revoke(salesforce_environment(environment), &tokens.refresh_token)
            .await
        {
            Ok(()) => revoked = true,
            Err(err) if err.is_retryable() => {
                return Err(ConnectionError::RevokeUnavailable {
                    detail: err.to_string(),
                });
            }
            Err(err) => tracing::info!(error = %err, "grant already dead at Salesforce"),
        }
    }

    // Not connected first, so no worker starts with a secret about to vanish.
    if record.is_some() {
        ctx.store
            .update_tenant(tenant, |record| {
                record.connection = Connection {
                    state: ConnectionState::NotConnected,
                    environment: record.connection.environment,
                    ..Connection::default()
                };
                if record.status.problem == Some(SyncProblem::ReconnectNeeded) {
                    record.status.problem = None;
                }
            })
            .await?;
    }
    ctx.secrets.delete_tenant_tokens(tenant).await?;

    tracing::info!(tenant = %tenant, revoked, "tenant disconnected");
    Ok(Disconnected {
        connection: ConnectionState::NotConnected,
        revoked,
    })
}
