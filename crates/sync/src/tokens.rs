//! The refresh-token store of a tenant on Secrets Manager, and the cached access token kept
//! beside it so that warm invocations and other workers skip a refresh.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;
use sbxy_pardot_client::token::{RefreshTokenStore, TokenStoreError};
use sbxy_storage::{PardotTokens, SecretStore};
use tokio::sync::Mutex;

/// A tenant's tokens in Secrets Manager.
pub struct SecretsTokenStore {
    secrets: SecretStore,
    tenant: TenantId,
    /// The last document read or written, so saving an access token keeps the refresh token.
    last: Arc<Mutex<Option<PardotTokens>>>,
}

impl SecretsTokenStore {
    /// The store of one tenant.
    pub fn new(secrets: SecretStore, tenant: TenantId) -> Self {
        Self {
            secrets,
            tenant,
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// Reads the stored tokens; `None` when the tenant was never connected.
    pub async fn read(&self) -> Result<Option<PardotTokens>, TokenStoreError> {
        let tokens = self
            .secrets
            .tenant_tokens(&self.tenant)
            .await
            .map_err(unavailable)?;
        self.last.lock().await.clone_from(&tokens);
        Ok(tokens)
    }

    /// Keeps the newest access token next to the refresh token for the next invocation.
    pub async fn save_access_token(
        &self,
        access_token: &Secret,
        issued_at: DateTime<Utc>,
    ) -> Result<(), TokenStoreError> {
        let mut last = self.last.lock().await;
        let Some(tokens) = last.as_mut() else {
            return Err(TokenStoreError::Missing);
        };
        if tokens.access_token.as_ref() == Some(access_token) {
            return Ok(());
        }

        tokens.access_token = Some(access_token.clone());
        tokens.issued_at_ms = Some(issued_at.timestamp_millis());
        self.secrets
            .save_tenant_tokens(&self.tenant, tokens)
            .await
            .map_err(unavailable)
    }
}

#[async_trait]
impl RefreshTokenStore for SecretsTokenStore {
    async fn load(&self) -> Result<Secret, TokenStoreError> {
        match self.read().await? {
            Some(tokens) => Ok(tokens.refresh_token),
            None => Err(TokenStoreError::Missing),
        }
    }

    async fn save_rotated(&self, new: &Secret) -> Result<(), TokenStoreError> {
        let mut last = self.last.lock().await;
        let tokens = PardotTokens {
            refresh_token: new.clone(),
            // The old access token belongs to the old grant generation; drop it.
            access_token: None,
            issued_at_ms: None,
        };
        self.secrets
            .save_tenant_tokens(&self.tenant, &tokens)
            .await
            .map_err(unavailable)?;
        *last = Some(tokens);
        Ok(())
    }
}

fn unavailable(err: sbxy_storage::StorageError) -> TokenStoreError {
    TokenStoreError::Unavailable {
        message: err.to_string(),
    }
}
