//! Small statistics over the simulation's samples: distributions of durations and call counts,
//! and the mean AWS usage of a class of runs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::meter::Usage;

/// Count, mean and a few quantiles of a sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Values in the sample.
    pub count: usize,
    /// Their mean (0 for an empty sample).
    pub mean: f64,
    /// The median.
    pub p50: f64,
    /// The 95th percentile (nearest rank).
    pub p95: f64,
    /// The largest value.
    pub max: f64,
}

impl Distribution {
    /// The distribution of `values`.
    pub fn of(values: &[f64]) -> Self {
        if values.is_empty() {
            return Self::default();
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |q: f64| {
            let index = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted[index]
        };
        Self {
            count: sorted.len(),
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            p50: rank(0.5),
            p95: rank(0.95),
            max: sorted[sorted.len() - 1],
        }
    }
}

/// The mean of several scopes' usage: per run, what a run asks of AWS on average.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeanUsage {
    /// Requests by `Service.Operation`.
    pub calls: BTreeMap<String, f64>,
    /// DynamoDB requests of any operation.
    pub dynamodb_calls: f64,
    /// Estimated DynamoDB read request units.
    pub read_units: f64,
    /// Estimated DynamoDB write request units.
    pub write_units: f64,
    /// EventBridge entries put.
    pub events: f64,
    /// Log bytes written.
    pub log_bytes: f64,
    /// AWS requests of any service.
    #[serde(default)]
    pub aws_calls: f64,
    /// Time spent waiting on AWS, ms.
    #[serde(default)]
    pub aws_ms: f64,
}

impl MeanUsage {
    /// The mean over `usages` (all zero when there are none).
    pub fn of<'a>(usages: impl IntoIterator<Item = &'a Usage>) -> Self {
        let mut total = Usage::default();
        let mut n = 0_usize;
        for usage in usages {
            total.add(usage);
            n += 1;
        }
        let n = n.max(1) as f64;
        Self {
            calls: total
                .calls
                .iter()
                .map(|(name, count)| (name.clone(), *count as f64 / n))
                .collect(),
            dynamodb_calls: total.calls_to("DynamoDB") as f64 / n,
            read_units: total.read_units / n,
            write_units: total.write_units / n,
            events: total.events as f64 / n,
            log_bytes: total.log_bytes as f64 / n,
            aws_calls: total.calls.values().sum::<u64>() as f64 / n,
            aws_ms: total.aws_ms / n,
        }
    }

    /// Requests of one operation per run.
    pub fn call(&self, name: &str) -> f64 {
        self.calls.get(name).copied().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();

        let d = Distribution::of(&values);

        assert_eq!(d.count, 20);
        assert_eq!(d.mean, 10.5);
        assert_eq!(d.p50, 10.0);
        assert_eq!(d.p95, 19.0);
        assert_eq!(d.max, 20.0);
        assert_eq!(Distribution::of(&[]), Distribution::default());
    }

    #[test]
    fn mean_usage_divides_by_the_runs() {
        let mut one = Usage::default();
        one.calls.insert("DynamoDB.GetItem".into(), 3);
        one.write_units = 2.0;
        let two = Usage::default();

        let mean = MeanUsage::of([&one, &two]);

        assert_eq!(mean.call("DynamoDB.GetItem"), 1.5);
        assert_eq!(mean.dynamodb_calls, 1.5);
        assert_eq!(mean.write_units, 1.0);
    }
}
