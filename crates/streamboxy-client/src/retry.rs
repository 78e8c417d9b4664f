//! How long to wait before repeating a call: the server's `Retry-After` when it gives one
//! (capped), otherwise exponential backoff with full jitter so parallel syncs spread out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// The waiting rules of one client.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    pub(crate) max_retries: u32,
    pub(crate) backoff_base: Duration,
    pub(crate) backoff_max: Duration,
    pub(crate) retry_after_cap: Duration,
}

impl RetryPolicy {
    /// The pause before retry number `retry` (0 for the first), honouring `retry_after`.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(wait) => wait.min(self.retry_after_cap),
            None => self.jittered_backoff(retry),
        }
    }

    /// A random point in `[0, min(max, base · 2^retry)]` ("full jitter").
    fn jittered_backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(16));
        let ceiling = self
            .backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max);
        let ceiling_us = u64::try_from(ceiling.as_micros()).unwrap_or(u64::MAX);

        Duration::from_micros(rand::rng().random_range(0..=ceiling_us))
    }
}

/// Reads `Retry-After` as delta-seconds or as an HTTP date; `None` when absent or unreadable.
pub(crate) fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();

    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }

    let at = DateTime::parse_from_rfc2822(text).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_millis(350),
            retry_after_cap: Duration::from_secs(30),
        }
    }

    #[test]
    fn backoff_stays_under_its_growing_ceiling() {
        let policy = policy();

        for _ in 0..200 {
            assert!(policy.delay(0, None) <= Duration::from_millis(100));
            assert!(policy.delay(1, None) <= Duration::from_millis(200));
            assert!(policy.delay(40, None) <= Duration::from_millis(350));
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let policy = policy();

        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(3600))),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn reads_seconds_and_http_dates() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T08:00:00Z")
            .expect("valid time")
            .with_timezone(&Utc);
        let mut headers = HeaderMap::new();

        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(7)));

        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Tue, 01 Dec 2026 08:00:05 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::from_secs(5)));

        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Tue, 01 Dec 2026 07:00:00 GMT"),
        );
        assert_eq!(retry_after(&headers, now), Some(Duration::ZERO));

        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&headers, now), None);
    }
}
