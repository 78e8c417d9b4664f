//! The tenants' Pardot tokens, many tenants to one Secrets Manager secret.
//!
//! Why: a secret costs $0.40 a month whatever it holds, which alone made two thirds of a
//! tenant's bill and put it over the $0.50 goal (docs/cost.md). The tokens stay in Secrets
//! Manager, but a hash of the tenant id picks one of a fixed number of shard secrets
//! (`TOKEN_SECRET_SHARDS`), each a JSON document of the tenants it holds.
//!
//! Writers of different tenants share a shard, so a write is a read-modify-write with
//! optimistic concurrency: the new version's `ClientRequestToken` is derived from the version
//! the writer read. Secrets Manager refuses a second, different version under one token
//! (`ResourceExistsException`), so a writer whose read went stale fails, reads again and
//! reapplies its change; no tenant's tokens are overwritten with another writer's old copy.
//!
//! Known limit: the guarantee rests on the version a stale writer read still existing;
//! Secrets Manager drops unlabelled versions beyond about 100, so a writer would have to be
//! 100 writes behind within its few milliseconds between read and write. And the version
//! chain starts over when a shard secret is recreated: a writer that read the shard, then
//! saw it deleted by hand and recreated by another tenant's write before its own put landed,
//! would overwrite that tenant's entry (a hand deletion plus two writes within milliseconds).

use aws_sdk_secretsmanager::Client;
use sbxy_domain::ids::TenantId;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::error::StorageError;
use crate::records::PardotTokens;
use crate::secrets::ClassifyDescription;

/// How many shard secrets the tokens spread over by default: 10 tenants a secret at 10,000
/// tenants, and room (64 KiB a secret) for about 100,000 tenants.
pub const DEFAULT_TOKEN_SHARDS: u32 = 1000;

/// Secrets Manager's limit on a secret's value is 65,536 bytes; stay clear of it.
const MAX_SHARD_BYTES: usize = 60_000;

/// Read-modify-write attempts before a write gives up as contended (and is retried later by
/// its caller, like any unavailable store). Each round of a contended shard lets one writer
/// through, and tokens change about once an hour per tenant, so this is never reached in
/// practice; a test has 20 tenants of one shard write at the same instant.
const MAX_ATTEMPTS: u32 = 30;

/// The longest pause between two attempts; a random part of it spreads the writers.
const MAX_BACKOFF_MS: u64 = 200;

/// One shard secret's value.
///
/// Each tenant's entry is decoded only when that tenant is read, and a write keeps the other
/// entries exactly as they were: an entry edited into something unreadable (or written by a
/// newer version with more fields) then breaks only its own tenant, never the shard's other
/// tenants. No `Debug`: the entries are raw token values.
#[derive(Default, Serialize, Deserialize)]
struct ShardDocument {
    /// The tenants' tokens by tenant id, as stored.
    tenants: BTreeMap<String, serde_json::Value>,
}

/// A shard as read: its document and the version it came from (`None`: no secret yet).
struct ShardRead {
    document: ShardDocument,
    version: Option<String>,
}

/// The shard layout: how many shards, and the names below the service's secret prefix.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenShards {
    count: u32,
}

impl TokenShards {
    /// `count` shards; at least one.
    pub(crate) fn new(count: u32) -> Self {
        Self {
            count: count.max(1),
        }
    }

    /// The suffix (below the prefix) of the secret holding `tenant`'s tokens. It stays below
    /// `tenant/`, the only token path the template's IAM policies allow.
    pub(crate) fn suffix(self, tenant: &TenantId) -> String {
        let digest = Sha256::digest(tenant.as_str().as_bytes());
        let mut head = [0u8; 8];
        head.copy_from_slice(&digest[..8]);
        let shard = u64::from_be_bytes(head) % u64::from(self.count);
        format!("tenant/shard-{shard:04}/pardot")
    }
}

/// Reads `tenant`'s tokens from the shard secret `name`.
pub(crate) async fn read(
    client: &Client,
    name: &str,
    tenant: &TenantId,
) -> Result<Option<PardotTokens>, StorageError> {
    let mut shard = read_shard(client, name).await?;
    shard
        .document
        .tenants
        .remove(tenant.as_str())
        .map(|entry| {
            serde_json::from_value(entry).map_err(|e| {
                let detail = format!("the entry of {tenant}: {}", e.classify_description());
                StorageError::corrupt(name, detail)
            })
        })
        .transpose()
}

/// Sets (`Some`) or removes (`None`) `tenant`'s tokens in the shard secret `name`.
pub(crate) async fn write(
    client: &Client,
    name: &str,
    tenant: &TenantId,
    tokens: Option<&PardotTokens>,
) -> Result<(), StorageError> {
    let entry = tokens
        .map(|tokens| serde_json::to_value(tokens).map_err(|e| StorageError::corrupt(name, e)))
        .transpose()?;
    for attempt in 1..=MAX_ATTEMPTS {
        let mut shard = read_shard(client, name).await?;

        let changed = match &entry {
            Some(entry) => {
                let old = shard
                    .document
                    .tenants
                    .insert(tenant.to_string(), entry.clone());
                old.as_ref() != Some(entry)
            }
            None => shard.document.tenants.remove(tenant.as_str()).is_some(),
        };
        if !changed {
            return Ok(());
        }

        let text = serialize(name, &shard.document)?;
        if text.len() > MAX_SHARD_BYTES {
            return Err(StorageError::corrupt(
                name,
                "the token shard is full; raise TOKEN_SECRET_SHARDS (with a migration of the \
                 existing shards, see docs/architecture.md)",
            ));
        }
        let token = next_version_token(shard.version.as_deref());
        let outcome = match shard.version {
            None => create(client, name, &text, &token).await,
            Some(_) => put(client, name, &text, &token).await,
        };
        match outcome {
            Ok(()) => return Ok(()),
            Err(Conflict::Stale) => {
                tracing::debug!(
                    secret = name,
                    attempt,
                    "token shard changed meanwhile; retry"
                );
                let ceiling = (10 * u64::from(attempt)).min(MAX_BACKOFF_MS);
                let pause = rand::random_range(1..=ceiling);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            Err(Conflict::Failed(err)) => return Err(err),
        }
    }
    Err(StorageError::Aws {
        service: "SecretsManager",
        operation: "PutSecretValue",
        detail: format!("{name} kept changing during {MAX_ATTEMPTS} attempts; retry later"),
    })
}

/// Why a conditional write did not land.
enum Conflict {
    /// Another writer changed the shard since it was read.
    Stale,
    /// Anything else.
    Failed(StorageError),
}

async fn read_shard(client: &Client, name: &str) -> Result<ShardRead, StorageError> {
    let read = client.get_secret_value().secret_id(name).send().await;
    match read {
        Ok(output) => {
            let text = output.secret_string.unwrap_or_default();
            let document = serde_json::from_str(&text)
                .map_err(|e| StorageError::corrupt(name, e.classify_description()))?;
            Ok(ShardRead {
                document,
                version: output.version_id,
            })
        }
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(ShardRead {
                document: ShardDocument::default(),
                version: None,
            })
        }
        Err(err) => Err(StorageError::aws("SecretsManager", "GetSecretValue", err)),
    }
}

async fn create(client: &Client, name: &str, text: &str, token: &str) -> Result<(), Conflict> {
    let created = client
        .create_secret()
        .name(name)
        .secret_string(text)
        .client_request_token(token)
        .send()
        .await;
    match created {
        Ok(_) => Ok(()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_exists_exception()) =>
        {
            Err(Conflict::Stale)
        }
        Err(err) => Err(Conflict::Failed(StorageError::aws(
            "SecretsManager",
            "CreateSecret",
            err,
        ))),
    }
}

async fn put(client: &Client, name: &str, text: &str, token: &str) -> Result<(), Conflict> {
    let written = client
        .put_secret_value()
        .secret_id(name)
        .secret_string(text)
        .client_request_token(token)
        .send()
        .await;
    match written {
        Ok(_) => Ok(()),
        // A different version under our token: someone wrote after our read. Not found: the
        // shard was deleted by hand after our read; the next attempt creates it.
        Err(err)
            if err.as_service_error().is_some_and(|e| {
                e.is_resource_exists_exception() || e.is_resource_not_found_exception()
            }) =>
        {
            Err(Conflict::Stale)
        }
        Err(err) => Err(Conflict::Failed(StorageError::aws(
            "SecretsManager",
            "PutSecretValue",
            err,
        ))),
    }
}

/// The version token of the write that follows `base`: the same for every writer that read
/// `base`, so only the first of them can create it. 40 hex characters (the API wants 32–64).
fn next_version_token(base: Option<&str>) -> String {
    let digest = Sha256::digest(format!(
        "sbxy-pardot token shard after {}",
        base.unwrap_or("")
    ));
    hex::encode(&digest[..20])
}

fn serialize<T: Serialize>(name: &str, value: &T) -> Result<String, StorageError> {
    serde_json::to_string(value).map_err(|e| StorageError::corrupt(name, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenant_always_lands_in_the_same_shard_below_the_tenant_path() {
        let shards = TokenShards::new(1000);
        let tenant = TenantId::parse("t-1").expect("valid id");

        let suffix = shards.suffix(&tenant);

        assert_eq!(suffix, shards.suffix(&tenant));
        assert!(suffix.starts_with("tenant/shard-") && suffix.ends_with("/pardot"));
        assert_eq!(
            TokenShards::new(1).suffix(&tenant),
            "tenant/shard-0000/pardot"
        );
    }

    #[test]
    fn tenants_spread_over_the_shards() {
        let shards = TokenShards::new(10);
        let used: std::collections::BTreeSet<String> = (0..200)
            .map(|i| shards.suffix(&TenantId::parse(&format!("tenant-{i}")).expect("valid")))
            .collect();

        assert_eq!(
            used.len(),
            10,
            "200 tenants should touch all 10 shards: {used:?}"
        );
    }

    #[test]
    fn writers_of_one_version_share_the_next_token_and_others_do_not() {
        let after_a = next_version_token(Some("version-a"));

        assert_eq!(after_a, next_version_token(Some("version-a")));
        assert_ne!(after_a, next_version_token(Some("version-b")));
        assert_ne!(after_a, next_version_token(None));
        assert_eq!(after_a.len(), 40);
    }
}
