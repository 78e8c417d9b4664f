//! The size of an idle run's metric lines. The sync core prints them in CloudWatch's embedded
//! metric format only when `METRICS_NAMESPACE` is set, to stdout, where the load simulation
//! cannot attribute them to a run; so they are rendered here by the product's own code for an
//! idle run (one Pardot and one STREAMBOXY request, completed), and measured.

use chrono::Utc;
use sbxy_pardot_client::CallStatsSnapshot;
use sbxy_streamboxy_client::CallStats;
use sbxy_sync::metrics::RunMetrics;

/// Bytes of the EMF lines of an idle run (each line with its newline).
pub fn idle_run_emf_bytes(tenant: &str, business_unit: &str) -> u64 {
    let metrics = RunMetrics {
        tenant_id: tenant.to_owned(),
        business_unit_id: business_unit.to_owned(),
        outcome: "completed",
        pardot: CallStatsSnapshot {
            requests: 1,
            ok: 1,
            ..CallStatsSnapshot::default()
        },
        streamboxy: CallStats {
            calls: 1,
            success: 1,
            ..CallStats::default()
        },
        sync_lag_seconds: Some(0),
        trace_id: Some("1-6750a1b2-0123456789abcdef01234567".to_owned()),
        ..RunMetrics::default()
    };
    metrics
        .documents("sbxy-pardot", Utc::now())
        .iter()
        .map(|line| line.to_string().len() as u64 + 1)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_run_prints_a_few_hundred_bytes_of_metrics() {
        let bytes =
            idle_run_emf_bytes("10ad0000-0000-4000-8000-000000000001", "0Uv000000000000001");

        assert!((300..5_000).contains(&bytes), "{bytes}");
    }
}
