//! The cost model's inputs: prices, sizes and the measured per-run work. They come from
//! docs/cost-inputs.json (every value with its unit and source), then the load simulation's
//! target/loadsim/results.json replaces the `measured_*` ones, then `--set name=value` wins.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use crate::error::LoadSimError;
use crate::results::LoadResults;

macro_rules! inputs {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// Every input of the model, by the name it has in docs/cost-inputs.json.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct Inputs {
            $($(#[$doc])* pub $name: f64,)*
        }

        impl Inputs {
            /// The names, in file order.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];

            /// Builds the inputs from a complete name → value map.
            pub fn from_values(values: &BTreeMap<String, f64>) -> Result<Self, LoadSimError> {
                Ok(Self { $($name: required(values, stringify!($name))?,)* })
            }
        }
    };
}

inputs! {
    /// Tenants sharing the fixed costs.
    tenants,
    /// Minutes between two syncs of a tenant.
    poll_interval_minutes,
    /// Hours in a month (AWS bills with 730).
    hours_per_month,
    /// Lambda: USD per million requests.
    lambda_request_usd_per_million,
    /// Lambda arm64: USD per GB-second.
    lambda_gb_second_usd,
    /// The worker's memory, MB.
    worker_memory_mb,
    /// The poller's memory, MB.
    poller_memory_mb,
    /// Lambda's own START/END/REPORT lines per invocation, bytes.
    lambda_platform_log_bytes,
    /// Wall time of an idle run (nothing new), ms.
    measured_idle_run_ms,
    /// DynamoDB read units of an idle run.
    measured_idle_read_units,
    /// DynamoDB write units of an idle run.
    measured_idle_write_units,
    /// GetSecretValue requests of an idle run.
    measured_idle_get_secret_value,
    /// Log bytes of an idle run.
    measured_idle_log_bytes,
    /// AWS requests of an idle run (all services).
    measured_idle_aws_requests,
    /// Time an idle run waited on AWS (moto), ms; replaced by AWS's latency.
    measured_idle_aws_ms,
    /// Wall time one synced membership adds, ms.
    measured_membership_ms,
    /// Read units one synced membership adds.
    measured_membership_read_units,
    /// Write units one synced membership adds.
    measured_membership_write_units,
    /// Log bytes one synced membership adds.
    measured_membership_log_bytes,
    /// AWS requests one synced membership adds.
    measured_membership_aws_requests,
    /// Time waiting on AWS (moto) one synced membership adds, ms.
    measured_membership_aws_ms,
    /// Tenants on the index when the poller tick was measured.
    measured_poller_tenants,
    /// Wall time of one poller tick at that size, ms.
    measured_poller_tick_ms,
    /// Read units of one poller tick at that size.
    measured_poller_read_units,
    /// Log bytes of one poller tick.
    measured_poller_log_bytes,
    /// AWS requests of one poller tick.
    measured_poller_aws_requests,
    /// Time one poller tick waited on AWS (moto), ms.
    measured_poller_aws_ms,
    /// Latency of one DynamoDB, Secrets Manager or EventBridge request from Lambda, ms.
    aws_request_ms,
    /// Memberships synced per tenant and month (new list members).
    synced_memberships_per_tenant_month,
    /// Minutes an access token is reused before a refresh.
    token_refresh_minutes,
    /// Wall time a refresh adds to a run (one Salesforce round trip), ms.
    token_refresh_ms,
    /// Wall time of a run's STREAMBOXY event listing (the simulated latency), ms.
    streamboxy_listing_ms,
    /// DynamoDB on-demand: USD per million read request units.
    dynamodb_read_usd_per_million,
    /// DynamoDB on-demand: USD per million write request units.
    dynamodb_write_usd_per_million,
    /// DynamoDB Standard: USD per GB-month.
    dynamodb_storage_usd_per_gb_month,
    /// Registrations stored per tenant (events × members).
    stored_registrations_per_tenant,
    /// Stored bytes per registration (registrant + prospect item, with DynamoDB's overhead).
    stored_bytes_per_registration,
    /// EventBridge: USD per million custom events.
    eventbridge_usd_per_million_events,
    /// EventBridge Scheduler: USD per million invocations (the poller's schedule).
    scheduler_usd_per_million,
    /// Secrets Manager: USD per secret-month.
    secret_usd_per_month,
    /// Secrets Manager: USD per 10,000 API requests.
    secrets_api_usd_per_10k,
    /// Shard secrets holding the tenants' Pardot tokens (`TOKEN_SECRET_SHARDS`); a fleet
    /// smaller than that uses one per tenant.
    token_secret_shards,
    /// Service secrets shared by all tenants (STREAMBOXY key, Salesforce client secret).
    service_secrets,
    /// Minutes a service secret is cached in a warm Lambda.
    secret_cache_minutes,
    /// Warm worker instances re-reading the service secrets.
    warm_worker_instances,
    /// CloudWatch Logs: USD per GB ingested.
    logs_ingest_usd_per_gb,
    /// CloudWatch Logs: USD per GB-month stored (compressed).
    logs_storage_usd_per_gb_month,
    /// Days logs are kept.
    log_retention_days,
    /// Stored size over ingested size.
    log_compression_ratio,
    /// The embedded-metric-format line of a run, bytes (ingested as a log).
    emf_bytes_per_run,
    /// Custom metrics the service publishes (name × dimension set; tenant id a property).
    custom_metrics,
    /// CloudWatch: USD per metric-month (first 10,000 metrics).
    metric_usd_per_month,
    /// CloudWatch: USD per metric-month (metrics 10,001 to 250,000).
    metric_usd_per_month_next_tier,
    /// CloudWatch: USD per metric-month (metrics 250,001 to 1,000,000).
    metric_usd_per_month_third_tier,
    /// KMS: USD per key-month (for the proposal that replaces per-tenant secrets).
    kms_key_usd_per_month,
    /// KMS: USD per 10,000 requests.
    kms_usd_per_10k,
    /// The goal, USD per tenant-month.
    goal_usd_per_tenant_month,
}

fn required(values: &BTreeMap<String, f64>, name: &str) -> Result<f64, LoadSimError> {
    values
        .get(name)
        .copied()
        .ok_or_else(|| LoadSimError::Inputs(format!("{name} is missing; add it to the file")))
}

/// Reads the inputs file: `{ "<name>": { "value": <number>, "unit": …, "source": … } }`;
/// keys starting with `_` are comments.
pub fn read_file(path: &Path) -> Result<BTreeMap<String, f64>, LoadSimError> {
    let text = std::fs::read_to_string(path).map_err(|e| LoadSimError::file(path, e))?;
    let document: BTreeMap<String, Value> = serde_json::from_str(&text)
        .map_err(|e| LoadSimError::Inputs(format!("{}: {e}", path.display())))?;

    let mut values = BTreeMap::new();
    for (name, entry) in document.iter().filter(|(name, _)| !name.starts_with('_')) {
        let value = entry
            .get("value")
            .and_then(Value::as_f64)
            .ok_or_else(|| LoadSimError::Inputs(format!("{name} needs a numeric \"value\"")))?;
        set(&mut values, name, value)?;
    }
    Ok(values)
}

/// Sets one input, refusing names the model does not know (a typo would otherwise be ignored).
pub fn set(values: &mut BTreeMap<String, f64>, name: &str, value: f64) -> Result<(), LoadSimError> {
    if !Inputs::NAMES.contains(&name) {
        return Err(LoadSimError::Inputs(format!(
            "unknown input {name}; known: {}",
            Inputs::NAMES.join(", ")
        )));
    }
    if !value.is_finite() || value < 0.0 {
        return Err(LoadSimError::Inputs(format!("{name} must be a number ≥ 0")));
    }
    values.insert(name.to_owned(), value);
    Ok(())
}

/// Replaces the `measured_*` inputs with a simulation's figures; returns the names replaced.
pub fn apply_measured(
    values: &mut BTreeMap<String, f64>,
    results: &LoadResults,
) -> Result<Vec<&'static str>, LoadSimError> {
    let idle = &results.steady.idle;
    let per = &results.steady.per_membership;
    let mut measured: Vec<(&'static str, f64)> = Vec::new();
    if idle.runs > 0 {
        measured.extend([
            ("measured_idle_run_ms", idle.duration_ms.mean),
            ("measured_idle_read_units", idle.usage.read_units),
            ("measured_idle_write_units", idle.usage.write_units),
            (
                "measured_idle_get_secret_value",
                idle.usage.call("SecretsManager.GetSecretValue"),
            ),
            ("measured_idle_aws_requests", idle.usage.aws_calls),
            ("measured_idle_aws_ms", idle.usage.aws_ms),
        ]);
        if idle.usage.log_bytes > 0.0 {
            measured.push(("measured_idle_log_bytes", idle.usage.log_bytes));
        }
    }
    if per.memberships > 0 {
        measured.extend([
            ("measured_membership_ms", per.duration_ms),
            ("measured_membership_read_units", per.read_units),
            ("measured_membership_write_units", per.write_units),
            ("measured_membership_aws_requests", per.aws_calls),
            ("measured_membership_aws_ms", per.aws_ms),
        ]);
        if per.log_bytes > 0.0 {
            measured.push(("measured_membership_log_bytes", per.log_bytes));
        }
    }
    if let Some(scale) = results
        .poller_at_scale
        .as_ref()
        .filter(|s| !s.ticks.is_empty())
    {
        let n = scale.ticks.len() as f64;
        let mean =
            |f: fn(&crate::results::PollerTick) -> f64| scale.ticks.iter().map(f).sum::<f64>() / n;
        measured.extend([
            ("measured_poller_tenants", scale.tenants as f64),
            ("measured_poller_tick_ms", scale.wall_ms.mean),
            ("measured_poller_read_units", mean(|t| t.usage.read_units)),
            (
                "measured_poller_aws_requests",
                mean(|t| t.usage.calls.values().sum::<u64>() as f64),
            ),
            ("measured_poller_aws_ms", mean(|t| t.usage.aws_ms)),
        ]);
        let log_bytes = mean(|t| t.usage.log_bytes as f64);
        if log_bytes > 0.0 {
            measured.push(("measured_poller_log_bytes", log_bytes));
        }
    }

    if results.emf_bytes_per_idle_run > 0 {
        measured.push(("emf_bytes_per_run", results.emf_bytes_per_idle_run as f64));
    }
    if let Some(ms) = results
        .options
        .pointer("/latency/streamboxy_ms")
        .and_then(Value::as_f64)
    {
        measured.push(("streamboxy_listing_ms", ms));
    }

    for (name, value) in &measured {
        set(values, name, *value)?;
    }
    Ok(measured.into_iter().map(|(name, _)| name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_inputs_file_sets_every_input() {
        let path = crate::workspace_root().join("docs/cost-inputs.json");

        let values = read_file(&path).expect("docs/cost-inputs.json reads");

        let inputs = Inputs::from_values(&values).expect("every input is in the file");
        assert_eq!(values.len(), Inputs::NAMES.len());
        assert_eq!(inputs.poll_interval_minutes, 5.0);
    }

    #[test]
    fn unknown_and_negative_inputs_are_refused() {
        let mut values = BTreeMap::new();

        assert!(set(&mut values, "tennants", 1.0).is_err());
        assert!(set(&mut values, "tenants", -1.0).is_err());
        assert!(set(&mut values, "tenants", 5.0).is_ok());
        assert!(
            Inputs::from_values(&values).is_err(),
            "the others are missing"
        );
    }
}
