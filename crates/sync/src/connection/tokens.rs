//! The access tokens of one tenant, shared by every process that calls Pardot for it.
//!
//! Salesforce forgives little here: two refreshes with one refresh token at once get "token
//! request is already being processed", and with rotation on, presenting a rotated token
//! revokes the whole grant. So a refresh happens only under the tenant's refresh lock in
//! DynamoDB, re-reads the stored tokens first (another process may have refreshed meanwhile),
//! persists a rotated refresh token before the new access token is used, and caches the access
//! token with its age next to the refresh token. `invalid_grant` marks the tenant "reconnect
//! needed", which takes it off the sync index: no retry loop.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use sbxy_domain::Secret;
use sbxy_domain::ids::{BusinessUnitId, TenantId};
use sbxy_domain::settings::PardotEnvironment;
use sbxy_domain::status::SyncProblem;
use sbxy_pardot_client::token::{CachedAccessToken, RefreshSettings, TokenStoreError};
use sbxy_pardot_client::{
    AccessTokens, ClientSettings, OAuthClient, OAuthError, PardotClient, TokenError,
};
use sbxy_storage::{ConnectionState, PardotTokens, StorageError};
use tokio::sync::Mutex;

use super::{pardot_host, salesforce_environment};
use crate::context::AppContext;
use crate::error::SyncError;

/// Lifetime of a refresh lock: longer than a refresh with its retries, short enough that a
/// crashed holder blocks the tenant's refreshes only briefly.
pub const REFRESH_LOCK_TTL_SECS: i64 = 60;

/// How long a caller waits for another process's refresh before giving up for this run.
const LOCK_WAIT: Duration = Duration::from_secs(20);

/// Pause between looks at a refresh lock held by another process.
const LOCK_POLL: Duration = Duration::from_millis(250);

/// The token provider of one tenant. Clones of the `Arc` share the cached access token.
pub struct TenantTokens {
    ctx: AppContext,
    oauth: OAuthClient,
    tenant: TenantId,
    environment: PardotEnvironment,
    settings: RefreshSettings,
    /// Held across a refresh, so the tasks of this process wait for one refresh.
    cache: Mutex<Option<CachedAccessToken>>,
    /// Names this provider as the holder of the tenant's refresh lock.
    holder: String,
}

impl TenantTokens {
    /// The provider of `tenant`, seeded with the access token cached in Secrets Manager so a
    /// warm token saves a refresh.
    pub async fn load(
        ctx: &AppContext,
        tenant: &TenantId,
        environment: PardotEnvironment,
    ) -> Result<Self, SyncError> {
        let stored = ctx.secrets.tenant_tokens(tenant).await?;
        Self::from_stored(ctx, tenant, environment, stored.as_ref()).await
    }

    /// [`Self::load`] for the sync worker and the write-back: `None` when no tokens are
    /// stored (never connected, or disconnected), so the caller can say "reconnect" without
    /// a failed refresh.
    pub async fn load_stored(
        ctx: &AppContext,
        tenant: &TenantId,
        environment: PardotEnvironment,
    ) -> Result<Option<Self>, SyncError> {
        match ctx.secrets.tenant_tokens(tenant).await? {
            Some(stored) => Ok(Some(
                Self::from_stored(ctx, tenant, environment, Some(&stored)).await?,
            )),
            None => Ok(None),
        }
    }

    async fn from_stored(
        ctx: &AppContext,
        tenant: &TenantId,
        environment: PardotEnvironment,
        stored: Option<&PardotTokens>,
    ) -> Result<Self, SyncError> {
        let cached = stored.and_then(cached_access_token);

        Ok(Self {
            ctx: ctx.clone(),
            oauth: ctx.oauth().await?,
            tenant: tenant.clone(),
            environment,
            settings: RefreshSettings::default(),
            cache: Mutex::new(cached),
            holder: uuid::Uuid::new_v4().to_string(),
        })
    }

    /// Replaces the refresh timing (tests shorten the pauses).
    #[must_use]
    pub fn with_settings(mut self, settings: RefreshSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The access token in use, if any.
    pub async fn cached(&self) -> Option<CachedAccessToken> {
        self.cache.lock().await.clone()
    }

    fn is_fresh(&self, issued_at: DateTime<Utc>) -> bool {
        let max_age = TimeDelta::from_std(self.settings.max_age).unwrap_or(TimeDelta::MAX);
        Utc::now().signed_duration_since(issued_at) < max_age
    }

    /// Refreshes under the tenant's refresh lock. `rejected` is the token Pardot just refused,
    /// which must not come back from the store as "fresh".
    async fn refresh(
        &self,
        cache: &mut Option<CachedAccessToken>,
        rejected: Option<&Secret>,
    ) -> Result<Secret, TokenError> {
        self.lock().await?;
        let result = self.refresh_locked(cache, rejected).await;
        if let Err(err) = self
            .ctx
            .store
            .release_refresh_lock(&self.tenant, &self.holder)
            .await
        {
            tracing::warn!(error = %err, "could not release the refresh lock; it expires soon");
        }
        result
    }

    /// Waits for the tenant's refresh lock; another process's refresh usually ends in well
    /// under a second.
    async fn lock(&self) -> Result<(), TokenError> {
        let ttl = chrono::Duration::seconds(REFRESH_LOCK_TTL_SECS);
        let started = tokio::time::Instant::now();

        loop {
            let acquired = self
                .ctx
                .store
                .acquire_refresh_lock(&self.tenant, &self.holder, Utc::now(), ttl)
                .await
                .map_err(unavailable)?;
            if acquired {
                return Ok(());
            }
            if started.elapsed() >= LOCK_WAIT {
                return Err(TokenError::Store(TokenStoreError::Unavailable {
                    message: "another process has been refreshing this tenant's token for too \
                              long"
                        .into(),
                }));
            }
            tokio::time::sleep(jitter(LOCK_POLL)).await;
        }
    }

    async fn refresh_locked(
        &self,
        cache: &mut Option<CachedAccessToken>,
        rejected: Option<&Secret>,
    ) -> Result<Secret, TokenError> {
        // Another process may have refreshed while this one waited: use its token.
        let stored = self
            .ctx
            .secrets
            .tenant_tokens(&self.tenant)
            .await
            .map_err(unavailable)?
            .ok_or(TokenError::Store(TokenStoreError::Missing))?;
        let current = cache.as_ref().map(|c| &c.access_token);
        if let Some(theirs) = cached_access_token(&stored).filter(|c| {
            self.is_fresh(c.issued_at)
                && Some(&c.access_token) != rejected
                && Some(&c.access_token) != current
        }) {
            tracing::debug!("another process refreshed meanwhile; reusing its access token");
            let token = theirs.access_token.clone();
            *cache = Some(theirs);
            return Ok(token);
        }

        let environment = salesforce_environment(self.environment);
        let mut attempt = 0;
        let grant = loop {
            match self.oauth.refresh(environment, &stored.refresh_token).await {
                Ok(grant) => break grant,
                // Someone refreshed without our lock (an old deployment, a tool): wait briefly.
                Err(OAuthError::RefreshInProgress)
                    if attempt < self.settings.in_progress_retries =>
                {
                    attempt += 1;
                    tracing::warn!(
                        attempt,
                        "a refresh is already in progress; retrying shortly"
                    );
                    tokio::time::sleep(jitter(self.settings.in_progress_delay)).await;
                }
                Err(err) if err.needs_reconnect() => {
                    tracing::warn!(error = %err, "Salesforce refused the refresh token");
                    if let Err(store) = mark_reconnect_needed(&self.ctx, &self.tenant).await {
                        tracing::warn!(error = %store, "could not record reconnect needed");
                    }
                    return Err(err.into());
                }
                Err(err) => {
                    tracing::warn!(error = %err, "access token refresh failed");
                    return Err(err.into());
                }
            }
        };

        // Persist first: a rotated refresh token that exists only in memory is lost on a
        // crash, and the old one is dead.
        let rotated = grant
            .refresh_token
            .clone()
            .filter(|new| *new != stored.refresh_token);
        let issued_at = Utc::now();
        let tokens = PardotTokens {
            refresh_token: rotated.clone().unwrap_or(stored.refresh_token),
            access_token: Some(grant.access_token.clone()),
            issued_at_ms: Some(issued_at.timestamp_millis()),
        };
        let saved = self
            .ctx
            .secrets
            .save_tenant_tokens(&self.tenant, &tokens)
            .await;
        match saved {
            Err(err) if rotated.is_some() => return Err(unavailable(err)),
            Err(err) => tracing::warn!(error = %err, "could not cache the new access token"),
            Ok(()) => {}
        }

        tracing::info!(rotated = rotated.is_some(), "access token refreshed");
        *cache = Some(CachedAccessToken {
            access_token: grant.access_token.clone(),
            issued_at,
        });
        Ok(grant.access_token)
    }
}

#[async_trait]
impl AccessTokens for TenantTokens {
    async fn current(&self) -> Result<Secret, TokenError> {
        let mut cache = self.cache.lock().await;

        if let Some(cached) = cache.as_ref().filter(|c| self.is_fresh(c.issued_at)) {
            return Ok(cached.access_token.clone());
        }
        self.refresh(&mut cache, None).await
    }

    async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, TokenError> {
        let mut cache = self.cache.lock().await;

        // Another task of this process refreshed while this one's request was in flight.
        if let Some(cached) = cache.as_ref().filter(|c| &c.access_token != rejected) {
            return Ok(cached.access_token.clone());
        }
        self.refresh(&mut cache, Some(rejected)).await
    }
}

impl std::fmt::Debug for TenantTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantTokens")
            .field("tenant", &self.tenant)
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

/// A Pardot client of the tenant's business unit on the environment's host, and its tokens.
pub async fn pardot_client(
    ctx: &AppContext,
    tenant: &TenantId,
    environment: PardotEnvironment,
    business_unit: &BusinessUnitId,
) -> Result<(PardotClient, Arc<TenantTokens>), SyncError> {
    let tokens = Arc::new(TenantTokens::load(ctx, tenant, environment).await?);
    let client = client_with_tokens(
        ctx,
        &tokens,
        environment,
        business_unit,
        ctx.pardot_settings(),
    );
    Ok((client, tokens))
}

/// A Pardot client of the business unit on the environment's host, on the process-wide
/// in-flight limiter, calling with `tokens` (shared by every client of one run, so one
/// refresh serves them all).
pub fn client_with_tokens(
    ctx: &AppContext,
    tokens: &Arc<TenantTokens>,
    environment: PardotEnvironment,
    business_unit: &BusinessUnitId,
    settings: ClientSettings,
) -> PardotClient {
    PardotClient::new(
        ctx.http.clone(),
        &ctx.pardot_endpoints(),
        pardot_host(environment),
        business_unit.as_str().to_owned(),
        tokens.clone(),
        ctx.limiter.clone(),
        settings,
    )
}

/// Records that Salesforce refused the tenant's grant: the connection reads "reconnect
/// needed" and the tenant leaves the sync index until an admin connects again. A tenant that
/// was disconnected meanwhile stays disconnected.
pub async fn mark_reconnect_needed(
    ctx: &AppContext,
    tenant: &TenantId,
) -> Result<(), StorageError> {
    ctx.store
        .update_tenant(tenant, |record| {
            if record.connection.state == ConnectionState::Connected {
                record.connection.state = ConnectionState::ReconnectNeeded;
                record.status.problem = Some(SyncProblem::ReconnectNeeded);
            }
        })
        .await?;
    Ok(())
}

fn cached_access_token(tokens: &PardotTokens) -> Option<CachedAccessToken> {
    let access_token = tokens.access_token.clone()?;
    let issued_at = DateTime::from_timestamp_millis(tokens.issued_at_ms?)?;
    Some(CachedAccessToken {
        access_token,
        issued_at,
    })
}

fn unavailable(err: StorageError) -> TokenError {
    TokenError::Store(TokenStoreError::Unavailable {
        message: err.to_string(),
    })
}

/// A pause around `base` (±50 %), so waiting processes do not retry in lockstep.
fn jitter(base: Duration) -> Duration {
    let ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(ms / 2..=ms.saturating_add(ms / 2)))
}
