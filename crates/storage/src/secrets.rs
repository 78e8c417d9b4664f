//! Secrets Manager: the tenants' Pardot tokens and the service's own credentials.

use aws_sdk_secretsmanager::Client;
use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;

use crate::error::StorageError;
use crate::records::PardotTokens;

/// The Secrets Manager adapter. Every name it touches starts with the configured prefix, which
/// the IAM policy in the template also enforces.
#[derive(Debug, Clone)]
pub struct SecretStore {
    client: Client,
    prefix: String,
}

impl SecretStore {
    /// Wraps a client; `prefix` is e.g. `sbxy-pardot/`.
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self {
            client,
            prefix: prefix.into(),
        }
    }

    /// The full name of a secret below the prefix.
    pub fn name(&self, suffix: &str) -> String {
        format!("{}{suffix}", self.prefix)
    }

    /// The name of a tenant's Pardot token secret.
    pub fn tenant_tokens_name(&self, tenant: &TenantId) -> String {
        self.name(&format!("tenant/{tenant}/pardot"))
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
        let name = self.tenant_tokens_name(tenant);
        let Some(secret) = self.get(&name).await? else {
            return Ok(None);
        };
        serde_json::from_str(secret.expose())
            .map(Some)
            .map_err(|e| StorageError::corrupt(name, e.classify_description()))
    }

    /// Saves a tenant's Pardot tokens.
    pub async fn save_tenant_tokens(
        &self,
        tenant: &TenantId,
        tokens: &PardotTokens,
    ) -> Result<(), StorageError> {
        let name = self.tenant_tokens_name(tenant);
        let text = serde_json::to_string(tokens).map_err(|e| StorageError::corrupt(&name, e))?;
        self.put(&name, &Secret::new(text)).await
    }
}

/// Keeps serde's message (which can quote the secret's content) out of errors.
trait ClassifyDescription {
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
