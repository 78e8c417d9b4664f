//! Errors of the application core, and how an outside system's error becomes a problem an
//! admin can read.

use chrono::{DateTime, Duration, Utc};
use sbxy_domain::plan::SkipReason;
use sbxy_domain::status::SyncProblem;
use sbxy_pardot_client::PardotError;
use sbxy_storage::StorageError;
use sbxy_streamboxy_client::StreamboxyError;

/// A failure that ends a handler invocation.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The process could not be set up (configuration, clients).
    #[error("setup failed: {0}")]
    Setup(String),
    /// The configuration is incomplete.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// DynamoDB, Secrets Manager or EventBridge failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The invocation's input is unusable.
    #[error("invalid input: {0}")]
    Input(String),
}

/// How a failed call affects the run.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Stop the whole run of the tenant: nothing else will work until something changes.
    Stop(SyncProblem),
    /// This membership failed; the cursor stays before it and the next run retries it.
    Retry(String),
    /// This membership can never succeed as it is (the outside system refused it for good):
    /// it is counted as skipped with this reason, so it cannot hold up the others.
    Reject(SkipReason, String),
}

/// After code 122, the first probe waits this long; Pardot's reset time depends on the
/// account's time zone, which the API does not tell, so we probe hourly with one call.
pub(crate) const DAILY_LIMIT_PROBE: Duration = Duration::hours(1);

pub(crate) fn pardot_failure(err: &PardotError, link_field: &str, now: DateTime<Utc>) -> Failure {
    match err {
        PardotError::DailyLimit { .. } => Failure::Stop(SyncProblem::DailyLimitReached {
            until: now + DAILY_LIMIT_PROBE,
        }),
        PardotError::Configuration {
            code,
            message,
            hint,
        } => Failure::Stop(SyncProblem::Configuration {
            code: *code,
            detail: format!("{message} ({hint})"),
        }),
        PardotError::UnknownField { .. } | PardotError::FieldNotWritable { .. } => {
            Failure::Stop(SyncProblem::LinkFieldMissing {
                field: link_field.to_owned(),
            })
        }
        // A second 184 right after a granted refresh: every other call would meet it too, so
        // the run stops, but the connection stays; the next run retries.
        PardotError::AccessTokenRejected { .. } => Failure::Stop(SyncProblem::Transient {
            detail: err.to_string(),
        }),
        PardotError::Token(token) if token.needs_reconnect() => {
            Failure::Stop(SyncProblem::ReconnectNeeded)
        }
        PardotError::HostNotAllowed { .. } => Failure::Stop(SyncProblem::Configuration {
            code: 0,
            detail: err.to_string(),
        }),
        PardotError::ProspectInRecycleBin { .. } => {
            Failure::Reject(SkipReason::ProspectInRecycleBin, err.to_string())
        }
        // A query naming the link field among `prospect.*` answers code 51 when the field was
        // deleted or renamed in Pardot after the settings were saved.
        PardotError::Api {
            code: 51, message, ..
        } if message.contains(link_field) => Failure::Stop(SyncProblem::LinkFieldMissing {
            field: link_field.to_owned(),
        }),
        PardotError::Api { status, .. } if (400..500).contains(status) && !err.is_retryable() => {
            Failure::Reject(SkipReason::RejectedByPardot, err.to_string())
        }
        other => Failure::Retry(other.to_string()),
    }
}

pub(crate) fn streamboxy_failure(err: &StreamboxyError) -> Failure {
    match err {
        StreamboxyError::Unauthorized { .. } => Failure::Stop(SyncProblem::Transient {
            detail: format!("STREAMBOXY refused the service credential: {err}"),
        }),
        StreamboxyError::Problem { status, .. }
            if (400..500).contains(status) && !err.is_retryable() =>
        {
            Failure::Reject(
                SkipReason::RejectedByStreamboxy,
                format!("STREAMBOXY: {err}"),
            )
        }
        other => Failure::Retry(format!("STREAMBOXY: {other}")),
    }
}

pub(crate) fn storage_failure(err: &StorageError) -> Failure {
    Failure::Retry(format!("storage: {err}"))
}
