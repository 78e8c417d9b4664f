//! The cost model: per tenant and month at the configured polling interval, line by line, from
//! the inputs; which line dominates; what showing the tenant id as a metric dimension would
//! cost; and the proposals that bring the total under the goal when it is missed.

use serde::Serialize;

use super::inputs::Inputs;

/// Bytes in a GB as AWS bills storage and logs.
const GB: f64 = 1_073_741_824.0;
/// Metrics billed at the first tier's price.
const FIRST_METRIC_TIER: f64 = 10_000.0;
/// Metrics billed at the second tier's price (10,001 to 250,000).
const SECOND_METRIC_TIER: f64 = 240_000.0;
/// Metrics billed at the third tier's price (250,001 to 1,000,000).
const THIRD_METRIC_TIER: f64 = 750_000.0;

/// One line of the bill, per tenant-month.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// The AWS service.
    pub service: &'static str,
    /// What is paid for.
    pub item: &'static str,
    /// USD per tenant-month.
    pub usd: f64,
    /// The quantity behind it, in words.
    pub basis: String,
}

/// A change that lowers the bill, with its effect.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// What to change.
    pub change: &'static str,
    /// USD per tenant-month it removes.
    pub saves_usd: f64,
    /// USD per tenant-month it adds elsewhere.
    pub adds_usd: f64,
}

/// The whole computation.
#[derive(Debug, Clone, Serialize)]
pub struct CostReport {
    /// The total, USD per tenant-month.
    pub usd_per_tenant_month: f64,
    /// The goal.
    pub goal_usd_per_tenant_month: f64,
    /// Whether the total is within the goal.
    pub meets_goal: bool,
    /// The largest line, `service: item`.
    pub dominant_line: String,
    /// Its share of the total.
    pub dominant_share: f64,
    /// The fleet's bill, USD per month.
    pub fleet_usd_per_month: f64,
    /// Sync runs per tenant and month.
    pub runs_per_tenant_month: f64,
    /// Every line.
    pub lines: Vec<Line>,
    /// What the custom metrics would cost per tenant-month with the tenant id as a dimension.
    pub metrics_with_tenant_dimension_usd: f64,
    /// Changes that lower the bill.
    pub proposals: Vec<Proposal>,
    /// The total with every proposal applied.
    pub usd_per_tenant_month_with_proposals: f64,
    /// The inputs used.
    pub inputs: Inputs,
}

/// Computes the bill from the inputs.
pub fn compute(i: &Inputs) -> CostReport {
    let tenants = i.tenants.max(1.0);
    let minutes = i.hours_per_month * 60.0;
    let runs = minutes / i.poll_interval_minutes;
    let refreshes = minutes / i.token_refresh_minutes.max(1.0);
    let memberships = i.synced_memberships_per_tenant_month;
    let ticks = minutes; // the poller runs every minute, one slot per tick
    let gb_s = |ms: f64, mb: f64| ms / 1000.0 * mb / 1024.0 * i.lambda_gb_second_usd;
    let poller_scale = tenants / i.measured_poller_tenants.max(1.0);

    // moto answered far slower than AWS does: its share of the measured wall time is replaced
    // by AWS's latency per request.
    let in_aws = |measured: f64, waited: f64, requests: f64| {
        (measured - waited).max(0.0) + requests * i.aws_request_ms
    };
    let idle_ms = in_aws(
        i.measured_idle_run_ms,
        i.measured_idle_aws_ms,
        i.measured_idle_aws_requests,
    );
    let membership_ms = in_aws(
        i.measured_membership_ms,
        i.measured_membership_aws_ms,
        i.measured_membership_aws_requests,
    );
    let tick_ms = in_aws(
        i.measured_poller_tick_ms,
        i.measured_poller_aws_ms,
        i.measured_poller_aws_requests,
    );
    let worker_ms = runs * idle_ms + memberships * membership_ms + refreshes * i.token_refresh_ms;
    let poller_ms = ticks * tick_ms * poller_scale;
    let read_units = runs * i.measured_idle_read_units
        + memberships * i.measured_membership_read_units
        + ticks * i.measured_poller_read_units * poller_scale / tenants;
    let write_units =
        runs * i.measured_idle_write_units + memberships * i.measured_membership_write_units;
    let stored_gb = i.stored_registrations_per_tenant * i.stored_bytes_per_registration / GB;
    let service_secret_reads =
        i.service_secrets * i.warm_worker_instances * (minutes / i.secret_cache_minutes.max(1.0));
    let secret_requests =
        runs * i.measured_idle_get_secret_value + refreshes + service_secret_reads / tenants;
    let token_secrets_per_tenant = i.token_secret_shards.max(1.0).min(tenants) / tenants;
    let log_bytes = runs * (i.measured_idle_log_bytes + i.lambda_platform_log_bytes)
        + runs * i.emf_bytes_per_run
        + memberships * i.measured_membership_log_bytes
        + ticks * (i.measured_poller_log_bytes + i.lambda_platform_log_bytes) / tenants;
    let log_gb = log_bytes / GB;
    let stored_log_gb = log_gb * i.log_compression_ratio * i.log_retention_days / 30.4;

    let lines = vec![
        line(
            "Lambda",
            "worker requests",
            runs * i.lambda_request_usd_per_million / 1e6,
            format!("{runs:.0} runs"),
        ),
        line(
            "Lambda",
            "worker GB-seconds",
            gb_s(worker_ms, i.worker_memory_mb),
            format!(
                "{:.0} GB-s (idle run {idle_ms:.0} ms)",
                worker_ms / 1000.0 * i.worker_memory_mb / 1024.0
            ),
        ),
        line(
            "Lambda",
            "poller (shared)",
            (ticks * i.lambda_request_usd_per_million / 1e6 + gb_s(poller_ms, i.poller_memory_mb))
                / tenants,
            format!("{ticks:.0} ticks of {:.0} ms, shared", poller_ms / ticks),
        ),
        line(
            "DynamoDB",
            "read request units",
            read_units * i.dynamodb_read_usd_per_million / 1e6,
            format!("{read_units:.0} RRU"),
        ),
        line(
            "DynamoDB",
            "write request units",
            write_units * i.dynamodb_write_usd_per_million / 1e6,
            format!("{write_units:.0} WRU"),
        ),
        line(
            "DynamoDB",
            "storage",
            stored_gb * i.dynamodb_storage_usd_per_gb_month,
            format!("{stored_gb:.3} GB"),
        ),
        line(
            "EventBridge",
            "sync jobs + schedule",
            (runs + ticks / tenants) * i.eventbridge_usd_per_million_events / 1e6
                + ticks / tenants * i.scheduler_usd_per_million / 1e6,
            format!("{runs:.0} events"),
        ),
        line(
            "Secrets Manager",
            "secrets",
            (token_secrets_per_tenant + i.service_secrets / tenants) * i.secret_usd_per_month,
            format!(
                "{token_secrets_per_tenant:.3} per tenant ({} token shards) + {} shared",
                i.token_secret_shards, i.service_secrets
            ),
        ),
        line(
            "Secrets Manager",
            "API requests",
            secret_requests * i.secrets_api_usd_per_10k / 1e4,
            format!("{secret_requests:.0} requests"),
        ),
        line(
            "CloudWatch",
            "logs ingested + stored",
            log_gb * i.logs_ingest_usd_per_gb + stored_log_gb * i.logs_storage_usd_per_gb_month,
            format!("{:.1} MB", log_bytes / 1e6),
        ),
        line(
            "CloudWatch",
            "custom metrics (shared)",
            i.custom_metrics * i.metric_usd_per_month / tenants,
            format!("{} metrics, tenant id a property", i.custom_metrics),
        ),
    ];

    let total: f64 = lines.iter().map(|l| l.usd).sum();
    let dominant = lines
        .iter()
        .max_by(|a, b| a.usd.total_cmp(&b.usd))
        .map(|l| (format!("{}: {}", l.service, l.item), l.usd))
        .unwrap_or_default();
    let proposals = proposals(i, runs, refreshes, tenants);
    let net: f64 = proposals.iter().map(|p| p.saves_usd - p.adds_usd).sum();

    CostReport {
        usd_per_tenant_month: total,
        goal_usd_per_tenant_month: i.goal_usd_per_tenant_month,
        meets_goal: total <= i.goal_usd_per_tenant_month,
        dominant_share: if total > 0.0 { dominant.1 / total } else { 0.0 },
        dominant_line: dominant.0,
        fleet_usd_per_month: total * tenants,
        runs_per_tenant_month: runs,
        lines,
        metrics_with_tenant_dimension_usd: metrics_by_tenant(i, tenants),
        proposals,
        usd_per_tenant_month_with_proposals: total - net,
        inputs: i.clone(),
    }
}

fn line(service: &'static str, item: &'static str, usd: f64, basis: String) -> Line {
    Line {
        service,
        item,
        usd,
        basis,
    }
}

/// Custom metrics with the tenant id as a dimension: one metric per tenant and name, priced
/// by CloudWatch's tiers (beyond a million metrics the third tier's price is kept: on the safe
/// side, the fourth is lower).
fn metrics_by_tenant(i: &Inputs, tenants: f64) -> f64 {
    let metrics = i.custom_metrics * tenants;
    let first = metrics.min(FIRST_METRIC_TIER) * i.metric_usd_per_month;
    let rest = (metrics - FIRST_METRIC_TIER).max(0.0);
    let second = rest.min(SECOND_METRIC_TIER) * i.metric_usd_per_month_next_tier;
    let rest = (rest - SECOND_METRIC_TIER).max(0.0);
    let third = rest.min(THIRD_METRIC_TIER) * i.metric_usd_per_month_third_tier;
    let beyond = (rest - THIRD_METRIC_TIER).max(0.0) * i.metric_usd_per_month_third_tier;
    (first + second + third + beyond) / tenants
}

fn proposals(i: &Inputs, runs: f64, refreshes: f64, tenants: f64) -> Vec<Proposal> {
    // 1. The token document moves from its shard secret into a table item encrypted under
    //    one KMS key: one Decrypt per run, one Encrypt and one write per refresh.
    let secret_reads = runs * i.measured_idle_get_secret_value + refreshes;
    let token_secrets_per_tenant = i.token_secret_shards.max(1.0).min(tenants) / tenants;
    let tokens_in_table = Proposal {
        change: "keep each tenant's Pardot tokens in its DynamoDB profile, encrypted with one \
                 KMS key, instead of in Secrets Manager shard secrets",
        saves_usd: token_secrets_per_tenant * i.secret_usd_per_month
            + secret_reads * i.secrets_api_usd_per_10k / 1e4,
        adds_usd: (runs + refreshes) * i.kms_usd_per_10k / 1e4
            + i.kms_key_usd_per_month / tenants
            + runs * i.dynamodb_read_usd_per_million / 1e6
            + refreshes * i.dynamodb_write_usd_per_million / 1e6,
    };

    // 2. The idle run's STREAMBOXY listing, every sixth run instead of every run.
    let skipped = runs * 5.0 / 6.0;
    let skip_listing = Proposal {
        change: "list an idle tenant's STREAMBOXY events every 30 minutes instead of every run",
        saves_usd: skipped * i.streamboxy_listing_ms / 1000.0 * i.worker_memory_mb / 1024.0
            * i.lambda_gb_second_usd,
        adds_usd: 0.0,
    };
    vec![tokens_in_table, skip_listing]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every input zero except the ones given, one tenant polled every 5 minutes.
    fn inputs(values: &[(&str, f64)]) -> Inputs {
        let mut map: BTreeMap<String, f64> = Inputs::NAMES
            .iter()
            .map(|n| ((*n).to_owned(), 0.0))
            .collect();
        for (name, value) in [("tenants", 1.0), ("poll_interval_minutes", 5.0)]
            .iter()
            .chain(values)
        {
            map.insert((*name).to_owned(), *value);
        }
        Inputs::from_values(&map).expect("every input is set")
    }

    #[test]
    fn runs_follow_the_polling_interval() {
        let report = compute(&inputs(&[
            ("hours_per_month", 730.0),
            ("lambda_request_usd_per_million", 1.0),
        ]));

        assert_eq!(report.runs_per_tenant_month, 8_760.0);
        let requests = &report.lines[0];
        assert_eq!(requests.item, "worker requests");
        // One tick a minute of the shared poller also counts, here for one tenant.
        assert!((report.usd_per_tenant_month - (8_760.0 + 43_800.0) / 1e6).abs() < 1e-12);
    }

    #[test]
    fn moto_waiting_time_is_replaced_by_the_aws_latency() {
        let i = inputs(&[
            ("hours_per_month", 730.0),
            ("lambda_gb_second_usd", 1.0),
            ("worker_memory_mb", 1024.0),
            ("measured_idle_run_ms", 5_000.0),
            ("measured_idle_aws_ms", 4_800.0),
            ("measured_idle_aws_requests", 10.0),
            ("aws_request_ms", 10.0),
        ]);

        let report = compute(&i);

        // (5,000 - 4,800 + 10 × 10) ms = 0.3 s per run at 1 GB and 1 USD per GB-s.
        let compute_line = &report.lines[1];
        assert!((compute_line.usd - 8_760.0 * 0.3).abs() < 1e-6);
    }

    #[test]
    fn the_largest_line_dominates_and_the_goal_is_judged() {
        let report = compute(&inputs(&[
            ("tenants", 1.0),
            ("token_secret_shards", 1.0),
            ("secret_usd_per_month", 0.4),
            ("goal_usd_per_tenant_month", 0.5),
        ]));

        assert_eq!(report.dominant_line, "Secrets Manager: secrets");
        assert!((report.dominant_share - 1.0).abs() < 1e-12);
        assert!(report.meets_goal);
    }

    #[test]
    fn a_tenant_dimension_multiplies_the_metrics_by_the_tenants() {
        let i = inputs(&[
            ("tenants", 10_000.0),
            ("custom_metrics", 40.0),
            ("metric_usd_per_month", 0.30),
            ("metric_usd_per_month_next_tier", 0.10),
            ("metric_usd_per_month_third_tier", 0.05),
        ]);

        let report = compute(&i);

        // 400,000 metrics: 10,000 × 0.30 + 240,000 × 0.10 + 150,000 × 0.05 = 34,500 USD.
        assert!((report.metrics_with_tenant_dimension_usd - 3.45).abs() < 1e-9);
        let shared = report.lines.last().expect("the metrics line");
        assert!((shared.usd - 40.0 * 0.30 / 10_000.0).abs() < 1e-12);
    }
}
