//! Errors of the storage adapters.

/// What went wrong talking to DynamoDB, Secrets Manager or EventBridge.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// An AWS call failed; the SDK already retried what it considers retryable.
    #[error("{service} {operation} failed: {detail}")]
    Aws {
        /// DynamoDB, SecretsManager or EventBridge.
        service: &'static str,
        /// The API operation.
        operation: &'static str,
        /// The SDK's error, rendered with its cause chain (it never holds our secrets).
        detail: String,
    },
    /// An item or secret exists but can't be read as ours; a human must look at it.
    #[error("stored {what} is unreadable: {detail}")]
    Corrupt {
        /// Which item or secret.
        what: String,
        /// Why it can't be decoded.
        detail: String,
    },
    /// A required secret does not exist.
    #[error("secret {name} does not exist; connect the tenant or create the secret")]
    SecretMissing {
        /// The secret's name (never its value).
        name: String,
    },
}

impl StorageError {
    pub(crate) fn aws(
        service: &'static str,
        operation: &'static str,
        err: impl std::error::Error,
    ) -> Self {
        let mut detail = err.to_string();
        let mut source = err.source();
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        Self::Aws {
            service,
            operation,
            detail,
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, detail: impl ToString) -> Self {
        Self::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}
