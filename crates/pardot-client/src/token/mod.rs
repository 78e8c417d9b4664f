//! Access tokens for Pardot calls: the trait the API client asks for a token, the hook that
//! persists rotated refresh tokens, and the errors of both.

mod refreshing;

use async_trait::async_trait;
use sbxy_domain::Secret;

pub use refreshing::{CachedAccessToken, RefreshSettings, RefreshingTokens};

use crate::oauth::OAuthError;

/// Supplies the access token of one business unit's connection.
#[async_trait]
pub trait AccessTokens: Send + Sync {
    /// A currently valid access token (cached or freshly refreshed).
    async fn current(&self) -> Result<Secret, TokenError>;

    /// Called once after Pardot said 184 for `rejected`; returns a newer token. Must refresh
    /// only if `rejected` is still the cached token (another task may have refreshed already).
    async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, TokenError>;
}

/// Durable home of the refresh token (the lead implements it on Secrets Manager).
#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// The newest refresh token. Read before every refresh, because another process may have
    /// rotated it, and reusing a rotated token revokes the whole grant.
    async fn load(&self) -> Result<Secret, TokenStoreError>;

    /// Persists a rotated refresh token. The new access token is used only after this
    /// succeeded, so a crash can never leave us holding the only copy in memory.
    async fn save_rotated(&self, new: &Secret) -> Result<(), TokenStoreError>;
}

/// A failure of the [`RefreshTokenStore`]. Messages must not contain the token.
#[derive(Debug, thiserror::Error)]
pub enum TokenStoreError {
    /// Nothing is stored: the business unit was never connected or was disconnected.
    #[error("no refresh token is stored for this business unit; connect it in the admin UI")]
    Missing,

    /// The store could not be read or written right now.
    #[error("the refresh token store is unavailable ({message}); retry later")]
    Unavailable { message: String },
}

/// Why no access token could be provided.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("refreshing the access token failed: {0}")]
    OAuth(#[from] OAuthError),

    #[error("refresh token store: {0}")]
    Store(#[from] TokenStoreError),
}

impl TokenError {
    /// True when asking again later may work without an admin doing anything.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::OAuth(err) => err.is_retryable(),
            Self::Store(TokenStoreError::Unavailable { .. }) => true,
            Self::Store(TokenStoreError::Missing) => false,
        }
    }

    /// True when an admin has to reconnect the business unit.
    pub fn needs_reconnect(&self) -> bool {
        match self {
            Self::OAuth(err) => err.needs_reconnect(),
            Self::Store(TokenStoreError::Missing) => true,
            Self::Store(TokenStoreError::Unavailable { .. }) => false,
        }
    }
}
