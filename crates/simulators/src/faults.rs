//! Fault injection: per-system random faults drawn from a seeded generator (so a failing test
//! can be replayed), plus one-shot knobs for exact scenarios ("the next 3 Pardot calls get 66").

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// The system a request was sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum System {
    OAuth,
    Pardot,
    Streamboxy,
}

impl System {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::OAuth => "oauth",
            Self::Pardot => "pardot",
            Self::Streamboxy => "streamboxy",
        }
    }
}

/// What an injected fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FaultKind {
    /// HTTP 500 in the system's error format, request not processed.
    #[serde(rename = "http_500")]
    Http500,
    /// Sleep `slow_ms` (past the client's timeout), then handle normally.
    #[serde(rename = "slow")]
    Slow,
    /// Close the connection without any response, request not processed.
    #[serde(rename = "drop")]
    Drop,
    /// Process the request, then close the connection without a response: the write
    /// happened but the client cannot know (tests idempotent retries of creates).
    #[serde(rename = "drop_after")]
    DropAfter,
    /// Pardot code 66 (too many concurrent requests), HTTP 429.
    #[serde(rename = "pardot_66")]
    Pardot66,
    /// Invalidate every live access token, answer code 184 with HTTP 400.
    #[serde(rename = "pardot_184")]
    Pardot184,
    /// STREAMBOXY 409 problem (no `existingId`).
    #[serde(rename = "streamboxy_409")]
    Streamboxy409,
    /// STREAMBOXY 500 problem.
    #[serde(rename = "streamboxy_500")]
    Streamboxy500,
}

impl FaultKind {
    /// The name used in the JSON config and in stats.
    pub fn name(self) -> &'static str {
        match self {
            Self::Http500 => "http_500",
            Self::Slow => "slow",
            Self::Drop => "drop",
            Self::DropAfter => "drop_after",
            Self::Pardot66 => "pardot_66",
            Self::Pardot184 => "pardot_184",
            Self::Streamboxy409 => "streamboxy_409",
            Self::Streamboxy500 => "streamboxy_500",
        }
    }

    /// Kinds that only make sense for one system are skipped for the others.
    fn applies_to(self, system: System) -> bool {
        match self {
            Self::Pardot66 | Self::Pardot184 => system == System::Pardot,
            Self::Streamboxy409 | Self::Streamboxy500 => system == System::Streamboxy,
            Self::Http500 | Self::Slow | Self::Drop | Self::DropAfter => true,
        }
    }
}

/// Random faults for one system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRate {
    /// Probability 0..1 that a request gets a fault.
    pub rate: f64,
    /// Seed of the generator; the same seed gives the same fault sequence.
    #[serde(default)]
    pub seed: u64,
    /// Kinds to pick from, uniformly.
    pub kinds: Vec<FaultKind>,
}

/// Latency overrides per system (milliseconds); absent keeps the start-up latency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyOverride {
    #[serde(default)]
    pub oauth: Option<u64>,
    #[serde(default)]
    pub pardot: Option<u64>,
    #[serde(default)]
    pub streamboxy: Option<u64>,
}

/// The body of `POST /_sim/faults`. Posting replaces the whole fault configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    #[serde(default)]
    pub oauth: Option<FaultRate>,
    #[serde(default)]
    pub pardot: Option<FaultRate>,
    #[serde(default)]
    pub streamboxy: Option<FaultRate>,
    /// Sleep of the `slow` kind; the Pardot option's default when absent.
    #[serde(default)]
    pub slow_ms: Option<u64>,
    /// The next N Pardot calls get code 66.
    #[serde(default)]
    pub pardot_66_burst: Option<u64>,
    /// The Nth next Pardot call has its access token invalidated and gets 184 as HTTP 400.
    #[serde(default)]
    pub pardot_184_after: Option<u64>,
    #[serde(default)]
    pub latency_ms: Option<LatencyOverride>,
}

/// A fault decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    Random(FaultKind),
    /// From `pardot_66_burst`.
    Burst66,
    /// From `pardot_184_after`: invalidate this request's token only.
    TokenKilled,
}

/// The active fault configuration and its generators.
#[derive(Debug)]
pub(crate) struct FaultState {
    config: FaultConfig,
    rngs: [StdRng; 3],
    burst_66: u64,
    countdown_184: Option<u64>,
}

impl FaultState {
    pub(crate) fn new(config: FaultConfig) -> Self {
        let seed_of = |rate: &Option<FaultRate>| rate.as_ref().map_or(0, |r| r.seed);
        let rngs = [
            StdRng::seed_from_u64(seed_of(&config.oauth)),
            StdRng::seed_from_u64(seed_of(&config.pardot)),
            StdRng::seed_from_u64(seed_of(&config.streamboxy)),
        ];
        Self {
            burst_66: config.pardot_66_burst.unwrap_or(0),
            countdown_184: config.pardot_184_after.filter(|n| *n > 0),
            rngs,
            config,
        }
    }

    pub(crate) fn config(&self) -> &FaultConfig {
        &self.config
    }

    /// Latency override for a system, if any.
    pub(crate) fn latency_override(&self, system: System) -> Option<u64> {
        let latency = self.config.latency_ms?;
        match system {
            System::OAuth => latency.oauth,
            System::Pardot => latency.pardot,
            System::Streamboxy => latency.streamboxy,
        }
    }

    pub(crate) fn slow_ms(&self) -> Option<u64> {
        self.config.slow_ms
    }

    /// Decides the fault (if any) for the next request to `system`. One-shot knobs come
    /// first, so a test that sets them gets exactly what it asked for.
    pub(crate) fn decide(&mut self, system: System) -> Option<Decision> {
        if system == System::Pardot {
            if self.burst_66 > 0 {
                self.burst_66 -= 1;
                return Some(Decision::Burst66);
            }
            if let Some(left) = self.countdown_184 {
                if left <= 1 {
                    self.countdown_184 = None;
                    return Some(Decision::TokenKilled);
                }
                self.countdown_184 = Some(left - 1);
            }
        }

        let (rate, rng) = match system {
            System::OAuth => (&self.config.oauth, &mut self.rngs[0]),
            System::Pardot => (&self.config.pardot, &mut self.rngs[1]),
            System::Streamboxy => (&self.config.streamboxy, &mut self.rngs[2]),
        };
        let rate = rate.as_ref()?;
        let kinds: Vec<FaultKind> = rate
            .kinds
            .iter()
            .copied()
            .filter(|k| k.applies_to(system))
            .collect();
        if kinds.is_empty() || rng.random::<f64>() >= rate.rate {
            return None;
        }
        let kind = kinds[rng.random_range(0..kinds.len())];
        Some(Decision::Random(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pardot_rate(rate: f64, seed: u64) -> FaultConfig {
        FaultConfig {
            pardot: Some(FaultRate {
                rate,
                seed,
                kinds: vec![FaultKind::Http500, FaultKind::Streamboxy409],
            }),
            ..FaultConfig::default()
        }
    }

    #[test]
    fn same_seed_gives_same_sequence() {
        let mut a = FaultState::new(pardot_rate(0.5, 7));
        let mut b = FaultState::new(pardot_rate(0.5, 7));
        let seq_a: Vec<_> = (0..50).map(|_| a.decide(System::Pardot)).collect();
        let seq_b: Vec<_> = (0..50).map(|_| b.decide(System::Pardot)).collect();

        assert_eq!(seq_a, seq_b);
        assert!(seq_a.iter().any(Option::is_some));
        assert!(seq_a.iter().any(Option::is_none));
    }

    #[test]
    fn kinds_of_other_systems_are_never_picked() {
        let mut state = FaultState::new(pardot_rate(1.0, 1));
        for _ in 0..20 {
            assert_eq!(
                state.decide(System::Pardot),
                Some(Decision::Random(FaultKind::Http500))
            );
        }
        assert_eq!(state.decide(System::Streamboxy), None);
    }

    #[test]
    fn one_shot_knobs_fire_exactly() {
        let mut state = FaultState::new(FaultConfig {
            pardot_66_burst: Some(2),
            pardot_184_after: Some(2),
            ..FaultConfig::default()
        });

        assert_eq!(state.decide(System::Pardot), Some(Decision::Burst66));
        assert_eq!(state.decide(System::Pardot), Some(Decision::Burst66));
        assert_eq!(state.decide(System::Pardot), None);
        assert_eq!(state.decide(System::Pardot), Some(Decision::TokenKilled));
        assert_eq!(state.decide(System::Pardot), None);
    }

    #[test]
    fn kind_names_match_the_config_names() {
        let json = serde_json::to_string(&FaultKind::Pardot184).unwrap();
        assert_eq!(json, "\"pardot_184\"");
        assert_eq!(FaultKind::Http500.name(), "http_500");
    }
}
