//! [`RefreshingTokens`]: caches one access token, refreshes it proactively or after a 184,
//! serialises refreshes, and persists rotated refresh tokens before using the new grant.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sbxy_domain::Secret;
use tokio::sync::Mutex;
use tracing::{info, warn};

use super::{AccessTokens, RefreshTokenStore, TokenError};
use crate::backoff;
use crate::config::SalesforceEnvironment;
use crate::oauth::{OAuthClient, OAuthError, TokenGrant};

/// An access token and when it was obtained; what a caller caches across invocations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedAccessToken {
    pub access_token: Secret,
    /// When this process received the token from Salesforce (our clock, not the server's
    /// `issued_at`), or the value passed to [`RefreshingTokens::with_cached`].
    pub issued_at: DateTime<Utc>,
}

/// When to refresh and how patiently to wait for a concurrent refresh elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSettings {
    /// Refresh proactively once the token is this old. Sessions default to 2 h but an org can
    /// shorten them, and a 184 costs a wasted call, so the default is 50 min.
    pub max_age: Duration,
    /// Extra attempts after "token request is already being processed".
    pub in_progress_retries: u32,
    /// Typical pause before such an attempt (randomised ±50 %).
    pub in_progress_delay: Duration,
}

impl Default for RefreshSettings {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(50 * 60),
            in_progress_retries: 3,
            in_progress_delay: Duration::from_millis(750),
        }
    }
}

/// The production [`AccessTokens`]: refresh-token flow against Salesforce.
pub struct RefreshingTokens {
    oauth: OAuthClient,
    environment: SalesforceEnvironment,
    store: Arc<dyn RefreshTokenStore>,
    settings: RefreshSettings,
    /// Held across a refresh, so concurrent callers wait for one refresh instead of racing
    /// Salesforce with the same refresh token.
    cache: Mutex<Option<CachedAccessToken>>,
    refreshes: AtomicU64,
}

impl RefreshingTokens {
    pub fn new(
        oauth: OAuthClient,
        environment: SalesforceEnvironment,
        store: Arc<dyn RefreshTokenStore>,
    ) -> Self {
        Self {
            oauth,
            environment,
            store,
            settings: RefreshSettings::default(),
            cache: Mutex::new(None),
            refreshes: AtomicU64::new(0),
        }
    }

    /// Replaces the default refresh settings.
    #[must_use]
    pub fn with_settings(mut self, settings: RefreshSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Seeds the cache with a token kept from an earlier invocation, saving a refresh.
    #[must_use]
    pub fn with_cached(mut self, access_token: Secret, issued_at: DateTime<Utc>) -> Self {
        *self.cache.get_mut() = Some(CachedAccessToken {
            access_token,
            issued_at,
        });
        self
    }

    /// The latest access token, for the caller to cache across invocations.
    pub async fn cached(&self) -> Option<CachedAccessToken> {
        self.cache.lock().await.clone()
    }

    /// How many refreshes succeeded since construction.
    pub fn refreshes(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    fn is_fresh(&self, cached: &CachedAccessToken) -> bool {
        let max_age = TimeDelta::from_std(self.settings.max_age).unwrap_or(TimeDelta::MAX);
        Utc::now().signed_duration_since(cached.issued_at) < max_age
    }

    /// Refreshes while the caller holds the cache lock; retries a refresh already in progress
    /// elsewhere with short randomised pauses.
    async fn refresh_locked(
        &self,
        cache: &mut Option<CachedAccessToken>,
    ) -> Result<Secret, TokenError> {
        let mut attempt = 0;
        loop {
            // Re-read every time: the refresh in progress elsewhere may rotate the token.
            let refresh_token = self.store.load().await?;

            match self.oauth.refresh(self.environment, &refresh_token).await {
                Ok(grant) => return self.adopt(grant, &refresh_token, cache).await,
                Err(OAuthError::RefreshInProgress)
                    if attempt < self.settings.in_progress_retries =>
                {
                    attempt += 1;
                    warn!(
                        attempt,
                        "another refresh is in progress; waiting before retrying"
                    );
                    tokio::time::sleep(backoff::around(self.settings.in_progress_delay)).await;
                }
                Err(err) => {
                    warn!(error = %err, "access token refresh failed");
                    return Err(err.into());
                }
            }
        }
    }

    /// Persists a rotated refresh token first, then caches and returns the new access token.
    async fn adopt(
        &self,
        grant: TokenGrant,
        used: &Secret,
        cache: &mut Option<CachedAccessToken>,
    ) -> Result<Secret, TokenError> {
        let rotated = grant.refresh_token.as_ref().filter(|new| *new != used);
        if let Some(new) = rotated {
            self.store.save_rotated(new).await?;
        }

        // Age is measured on our own clock: with Salesforce's `issued_at`, a skewed server
        // clock would make every fresh token look stale and refresh on every call.
        *cache = Some(CachedAccessToken {
            access_token: grant.access_token.clone(),
            issued_at: Utc::now(),
        });
        self.refreshes.fetch_add(1, Ordering::Relaxed);
        info!(rotated = rotated.is_some(), "access token refreshed");
        Ok(grant.access_token)
    }
}

#[async_trait]
impl AccessTokens for RefreshingTokens {
    async fn current(&self) -> Result<Secret, TokenError> {
        let mut cache = self.cache.lock().await;

        if let Some(cached) = cache.as_ref().filter(|cached| self.is_fresh(cached)) {
            return Ok(cached.access_token.clone());
        }
        self.refresh_locked(&mut cache).await
    }

    async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, TokenError> {
        let mut cache = self.cache.lock().await;

        // Another task refreshed while this one's request was in flight: use its token.
        if let Some(cached) = cache.as_ref().filter(|c| &c.access_token != rejected) {
            return Ok(cached.access_token.clone());
        }
        self.refresh_locked(&mut cache).await
    }
}

impl std::fmt::Debug for RefreshingTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshingTokens")
            .field("environment", &self.environment)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
