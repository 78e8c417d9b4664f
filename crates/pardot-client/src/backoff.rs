//! Randomised waits between retries. Jitter spreads workers of one business unit apart so a
//! burst of code 66 or a shared refresh does not repeat in lockstep.

use std::time::Duration;

use rand::Rng;

/// "Full jitter": a uniform wait in `0..=min(cap, base·2^attempt)`; `attempt` starts at 0.
pub(crate) fn full_jitter(base: Duration, cap: Duration, attempt: u32) -> Duration {
    let ceiling = base
        .checked_mul(2_u32.saturating_pow(attempt.min(20)))
        .unwrap_or(cap)
        .min(cap);
    let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);

    Duration::from_millis(rand::rng().random_range(0..=ceiling_ms))
}

/// A wait around `around`: uniform in `[around/2, around·3/2]`, for short fixed pauses.
pub(crate) fn around(around: Duration) -> Duration {
    let ms = u64::try_from(around.as_millis()).unwrap_or(u64::MAX);
    let low = ms / 2;
    let high = ms.saturating_add(ms / 2);

    Duration::from_millis(rand::rng().random_range(low..=high))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_jitter_stays_under_the_cap() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_millis(700);

        for attempt in 0..40 {
            assert!(full_jitter(base, cap, attempt) <= cap);
        }
        assert!(full_jitter(base, cap, 0) <= base);
    }

    #[test]
    fn around_stays_in_band() {
        for _ in 0..100 {
            let wait = around(Duration::from_millis(200));
            assert!(wait >= Duration::from_millis(100) && wait <= Duration::from_millis(300));
        }
    }
}
