//! The webhook's signing keys, read from Secrets Manager and kept for a few minutes in a warm
//! process. A signature that matches no cached key makes one early re-read, so a key rotated
//! in the Backstage and in the secret works at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sbxy_domain::Secret;
use sbxy_domain::webhook::secrets_of;
use sbxy_storage::{SecretStore, StorageError};
use sbxy_sync::context::SECRET_CACHE_TTL;
use tokio::sync::Mutex;

/// A mismatch re-reads the secret only when the cached keys are at least this old, so a
/// stream of forged requests cannot turn into a stream of Secrets Manager reads.
const REREAD_AFTER: Duration = Duration::from_secs(30);

type Cached = Option<(Vec<Secret>, Instant)>;

/// The keys, cached.
#[derive(Clone)]
pub(super) struct SigningKeys {
    name: String,
    cached: Arc<Mutex<Cached>>,
}

impl SigningKeys {
    /// Keys of the secret with this full name.
    pub(super) fn new(name: String) -> Self {
        Self {
            name,
            cached: Arc::default(),
        }
    }

    /// The current keys, from the cache while it is fresh.
    pub(super) async fn get(&self, secrets: &SecretStore) -> Result<Vec<Secret>, StorageError> {
        let mut cached = self.cached.lock().await;
        if let Some((keys, read_at)) = cached.as_ref()
            && read_at.elapsed() < SECRET_CACHE_TTL
        {
            return Ok(keys.clone());
        }
        self.read(secrets, &mut cached).await
    }

    /// Newer keys after a mismatch, or `None` when the cache is too young to be stale.
    pub(super) async fn reread(
        &self,
        secrets: &SecretStore,
    ) -> Result<Option<Vec<Secret>>, StorageError> {
        let mut cached = self.cached.lock().await;
        if cached
            .as_ref()
            .is_some_and(|(_, read_at)| read_at.elapsed() < REREAD_AFTER)
        {
            return Ok(None);
        }
        self.read(secrets, &mut cached).await.map(Some)
    }

    async fn read(
        &self,
        secrets: &SecretStore,
        cached: &mut Cached,
    ) -> Result<Vec<Secret>, StorageError> {
        let value = secrets
            .get(&self.name)
            .await?
            .ok_or_else(|| StorageError::SecretMissing {
                name: self.name.clone(),
            })?;
        let keys = secrets_of(&value);
        if keys.is_empty() {
            return Err(StorageError::SecretMissing {
                name: self.name.clone(),
            });
        }
        *cached = Some((keys.clone(), Instant::now()));
        Ok(keys)
    }
}
