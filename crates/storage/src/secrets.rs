//! Secrets Manager: the tenants' Pardot tokens (in shard secrets, `token_shards`) and the
//! service's own credentials.

use aws_sdk_secretsmanager::Client;
use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;

use crate::error::StorageError;
use crate::records::PardotTokens;
use crate::token_shards::{self, DEFAULT_TOKEN_SHARDS, TokenShards};

/// The Secrets Manager adapter. Every name it touches starts with the configured prefix, which
/// the IAM policy in the template also enforces.
#[derive(Debug, Clone)]
pub struct SecretStore {
    client: Client,
    prefix: String,
    shards: TokenShards,
}

impl SecretStore {
    /// Wraps a client; `prefix` is e.g. `sbxy-pardot/`.
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self {
            client,
            prefix: prefix.into(),
            shards: TokenShards::new(DEFAULT_TOKEN_SHARDS),
        }
    }

    /// The full name of a secret below the prefix.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }

    /// Spreads the tenants' tokens over `count` shard secrets (`TOKEN_SECRET_SHARDS`). Every
    /// process of a deployment must use the same count: a tenant's shard follows from it.
    #[must_use]
    pub fn with_token_shards(mut self, count: u32) -> Self {
        self.shards = TokenShards::new(count);
        self
    }

    /// The name of the shard secret holding a tenant's Pardot tokens (with other tenants').
    pub fn tenant_tokens_name(&self, tenant: &TenantId) -> String {
        self.name(&self.shards.suffix(tenant))
    }

    /// Reads a secret's string, `None` when it does not exist.
    pub async fn get(&self, name: &str) -> Result<Option<Secret>, StorageError> {
        let read = self.client.get_secret_value().secret_id(name).send().await;
        match read {
            Ok(output) => Ok(output.secret_string.map(Secret::new)),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(err) => Err(StorageError::aws("SecretsManager", "GetSecretValue", err)),
        }
    }

    /// Writes a secret's string, creating the secret when it does not exist yet.
    pub async fn put(&self, name: &str, value: &Secret) -> Result<(), StorageError> {
        let written = self
            .client
            .put_secret_value()
            .secret_id(name)
            .secret_string(value.expose())
            .send()
            .await;
        match written {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                self.client
                    .create_secret()
                    .name(name)
                    .secret_string(value.expose())
                    .send()
                    .await
                    .map_err(|e| StorageError::aws("SecretsManager", "CreateSecret", e))?;
                Ok(())
            }
            Err(err) => Err(StorageError::aws("SecretsManager", "PutSecretValue", err)),
        }
    }

    /// Deletes a secret at once (no recovery window), so a tenant can connect again directly.
    pub async fn delete(&self, name: &str) -> Result<(), StorageError> {
        let deleted = self
            .client
            .delete_secret()
            .secret_id(name)
            .force_delete_without_recovery(true)
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(()),
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(())
            }
            Err(err) => Err(StorageError::aws("SecretsManager", "DeleteSecret", err)),
        }
    }

    /// A tenant's Pardot tokens.
    pub async fn tenant_tokens(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<PardotTokens>, StorageError> {
        token_shards::read(&self.client, &self.tenant_tokens_name(tenant), tenant).await
    }

    /// Saves a tenant's Pardot tokens, leaving the shard's other tenants as they are.
    pub async fn save_tenant_tokens(
        &self,
        tenant: &TenantId,
        tokens: &PardotTokens,
    ) -> Result<(), StorageError> {
        let name = self.tenant_tokens_name(tenant);
        token_shards::write(&self.client, &name, tenant, Some(tokens)).await
    }

    /// Forgets a tenant's Pardot tokens (disconnect). The shard secret stays for the others.
    pub async fn delete_tenant_tokens(&self, tenant: &TenantId) -> Result<(), StorageError> {
        let name = self.tenant_tokens_name(tenant);
        token_shards::write(&self.client, &name, tenant, None).await
    }
}

/// Keeps serde's message (which can quote the secret's content) out of errors.
pub(crate) trait ClassifyDescription {
    fn classify_description(&self) -> String;
}

impl ClassifyDescription for serde_json::Error {
    fn classify_description(&self) -> String {
        format!(
            "not the expected JSON ({:?} at line {})",
            self.classify(),
            self.line()
        )
    }
}
