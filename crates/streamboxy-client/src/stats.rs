//! Counters of HTTP attempts by outcome, so a sync run can report what it cost and operators
//! can see rate limiting and faults without reading logs.

use std::sync::atomic::{AtomicU64, Ordering};

/// How one HTTP attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Success,
    NotFound,
    Conflict,
    Unauthorized,
    RateLimited,
    ClientError,
    ServerError,
    Transport,
}

impl Outcome {
    pub(crate) fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Self::Success,
            401 | 403 => Self::Unauthorized,
            404 => Self::NotFound,
            409 | 412 => Self::Conflict,
            429 => Self::RateLimited,
            500..=599 => Self::ServerError,
            _ => Self::ClientError,
        }
    }
}

/// A snapshot of the counters of one client (and its clones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    /// HTTP attempts sent, retries included.
    pub calls: u64,

    /// Attempts that repeated an earlier one after a 429, a 5xx or a network failure.
    pub retries: u64,

    /// 2xx answers.
    pub success: u64,

    /// 404 answers.
    pub not_found: u64,

    /// 409 and 412 answers (an existing e-mail on create counts here).
    pub conflict: u64,

    /// 401 and 403 answers.
    pub unauthorized: u64,

    /// 429 answers.
    pub rate_limited: u64,

    /// Other 4xx answers.
    pub client_errors: u64,

    /// 5xx answers.
    pub server_errors: u64,

    /// Attempts that got no answer: timeouts, refused or reset connections.
    pub transport_errors: u64,
}

/// The live counters behind [`CallStats`]; shared by clones of a client.
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    calls: AtomicU64,
    retries: AtomicU64,
    success: AtomicU64,
    not_found: AtomicU64,
    conflict: AtomicU64,
    unauthorized: AtomicU64,
    rate_limited: AtomicU64,
    client_errors: AtomicU64,
    server_errors: AtomicU64,
    transport_errors: AtomicU64,
}

impl StatsRecorder {
    /// Counts one finished attempt.
    pub(crate) fn attempt(&self, outcome: Outcome) {
        let counter = match outcome {
            Outcome::Success => &self.success,
            Outcome::NotFound => &self.not_found,
            Outcome::Conflict => &self.conflict,
            Outcome::Unauthorized => &self.unauthorized,
            Outcome::RateLimited => &self.rate_limited,
            Outcome::ClientError => &self.client_errors,
            Outcome::ServerError => &self.server_errors,
            Outcome::Transport => &self.transport_errors,
        };

        self.calls.fetch_add(1, Ordering::Relaxed);
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn retry(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> CallStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);

        CallStats {
            calls: read(&self.calls),
            retries: read(&self.retries),
            success: read(&self.success),
            not_found: read(&self.not_found),
            conflict: read(&self.conflict),
            unauthorized: read(&self.unauthorized),
            rate_limited: read(&self.rate_limited),
            client_errors: read(&self.client_errors),
            server_errors: read(&self.server_errors),
            transport_errors: read(&self.transport_errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_attempts_by_outcome() {
        let recorder = StatsRecorder::default();

        for status in [200, 201, 404, 409, 412, 429, 503, 400] {
            recorder.attempt(Outcome::of_status(status));
        }
        recorder.attempt(Outcome::Transport);
        recorder.retry();

        let stats = recorder.snapshot();
        assert_eq!(stats.calls, 9);
        assert_eq!(stats.retries, 1);
        assert_eq!((stats.success, stats.not_found, stats.conflict), (2, 1, 2));
        assert_eq!((stats.rate_limited, stats.server_errors), (1, 1));
        assert_eq!((stats.client_errors, stats.transport_errors), (1, 1));
    }
}
