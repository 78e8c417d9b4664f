//! The lower bound a run is measured against (issue 7): for each system, its calls times the
//! per-call latency divided by the concurrency it allows; the run can be no faster than the
//! slower of the two.

use std::time::Duration;

use serde::Serialize;

/// Pardot's documented cap on requests in flight per business unit.
pub const PARDOT_ALLOWED_IN_FLIGHT: u64 = 5;

/// The STREAMBOXY simulator's documented cap on requests in flight per tenant (there is no
/// public figure for the real API; crates/simulators `StreamboxyOptions`).
pub const STREAMBOXY_ALLOWED_IN_FLIGHT: u64 = 10;

/// Calls one run made on each system.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Calls {
    pub pardot: u64,
    pub streamboxy: u64,
}

/// The lower bound of a run, per system and overall.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LowerBound {
    pub pardot_secs: f64,
    pub streamboxy_secs: f64,
    /// The larger of the two.
    pub secs: f64,
    /// Which system bounds the run: `pardot` or `streamboxy`.
    pub bound_by: &'static str,
}

impl LowerBound {
    /// The bound of `calls` at `latency` per call.
    pub fn of(calls: Calls, latency: Duration) -> Self {
        let per_call = latency.as_secs_f64();
        let pardot_secs = calls.pardot as f64 * per_call / PARDOT_ALLOWED_IN_FLIGHT as f64;
        let streamboxy_secs =
            calls.streamboxy as f64 * per_call / STREAMBOXY_ALLOWED_IN_FLIGHT as f64;
        let (secs, bound_by) = if pardot_secs >= streamboxy_secs {
            (pardot_secs, "pardot")
        } else {
            (streamboxy_secs, "streamboxy")
        };
        Self {
            pardot_secs,
            streamboxy_secs,
            secs,
            bound_by,
        }
    }

    /// Wall time divided by the bound; `None` when the bound is zero (no latency).
    pub fn ratio(&self, wall: Duration) -> Option<f64> {
        (self.secs > 0.0).then(|| wall.as_secs_f64() / self.secs)
    }
}

/// Pardot calls a day at one poll every five minutes, plus the daily list-name check.
pub fn calls_per_day(calls_per_poll: f64, daily_extra: f64) -> f64 {
    const POLLS_PER_DAY: f64 = 24.0 * 60.0 / 5.0;
    calls_per_poll * POLLS_PER_DAY + daily_extra
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slower_system_bounds_the_run() {
        let calls = Calls {
            pardot: 10_010,
            streamboxy: 30_001,
        };

        let bound = LowerBound::of(calls, Duration::from_millis(50));

        assert!((bound.pardot_secs - 100.1).abs() < 1e-9);
        assert!((bound.streamboxy_secs - 150.005).abs() < 1e-9);
        assert_eq!(bound.bound_by, "streamboxy");
        let ratio = bound.ratio(Duration::from_secs(180)).unwrap_or_default();
        assert!((ratio - 180.0 / 150.005).abs() < 1e-9);
    }

    #[test]
    fn no_latency_means_no_ratio() {
        let bound = LowerBound::of(Calls::default(), Duration::ZERO);

        assert_eq!(bound.ratio(Duration::from_secs(1)), None);
    }

    #[test]
    fn one_call_per_poll_is_288_a_day() {
        assert!((calls_per_day(1.0, 1.0) - 289.0).abs() < 1e-9);
    }
}
