//! The sync run's metrics in CloudWatch Embedded Metric Format (EMF): JSON lines on stdout that
//! CloudWatch Logs turns into metrics without an API call (no `PutMetricData`, no extra IAM).
//!
//! Dimensions are only ever low-cardinality names (`System`, `Outcome`, `Code`); the tenant and
//! business unit ride along as properties, so the number of custom metrics stays the same
//! whether there are 5 tenants or 5,000, and Logs Insights can still break any metric down by
//! tenant. Emission is on only when `METRICS_NAMESPACE` is set (the template sets it), so the
//! local runner, the demo and the tests print no EMF lines.

use std::io::Write;

use chrono::{DateTime, Utc};
use sbxy_domain::status::{SyncCounts, SyncProblem};
use sbxy_pardot_client::CallStatsSnapshot;
use serde_json::{Map, Value, json};

use crate::worker::TenantRun;

/// The variable naming the CloudWatch namespace; unset turns emission off.
pub const NAMESPACE_VARIABLE: &str = "METRICS_NAMESPACE";

/// Everything one run reports as metrics, gathered before any formatting so the documents are a
/// pure function of it.
#[derive(Debug, Clone, Default)]
pub struct RunMetrics {
    /// The tenant (a property, never a dimension).
    pub tenant_id: String,
    /// The business unit (a property).
    pub business_unit_id: String,
    /// `completed`, `partial` or `stopped`.
    pub outcome: &'static str,
    /// The problem that stopped or limited the run, by its kind (`reconnect_needed`, …).
    pub problem: Option<String>,
    /// What the run did, summed over the linked events.
    pub counts: SyncCounts,
    /// Pardot attempts by outcome and error code; every attempt spends daily budget.
    pub pardot: CallStatsSnapshot,
    /// STREAMBOXY attempts by outcome.
    pub streamboxy: sbxy_streamboxy_client::CallStats,
    /// How far behind Pardot's changes the business unit is after the run: zero when the run
    /// caught up, the cursor's age when it left work behind, unknown when it never got a cursor.
    pub sync_lag_seconds: Option<i64>,
    /// The X-Ray trace id of the invocation, so a metric spike leads to its trace.
    pub trace_id: Option<String>,
}

impl RunMetrics {
    /// The EMF documents of this run, one JSON object per log line: the run totals, then API
    /// calls per system and outcome, then errors per code. Zero-count breakdowns are left out.
    pub fn documents(&self, namespace: &str, at: DateTime<Utc>) -> Vec<Value> {
        let mut docs = vec![self.totals(namespace, at)];

        for (system, outcome, calls) in self.calls_by_outcome() {
            let mut doc = self.document(
                namespace,
                at,
                &["System", "Outcome"],
                &[("ApiCalls", "Count")],
            );
            doc.insert("System".into(), system.into());
            doc.insert("Outcome".into(), outcome.into());
            doc.insert("ApiCalls".into(), calls.into());
            docs.push(Value::Object(doc));
        }
        for (code, errors) in self.errors_by_code() {
            let mut doc = self.document(namespace, at, &["Code"], &[("Errors", "Count")]);
            doc.insert("Code".into(), code.into());
            doc.insert("Errors".into(), errors.into());
            docs.push(Value::Object(doc));
        }
        docs
    }

    /// Run totals without dimensions; the alarms on reconnects and lag read these.
    fn totals(&self, namespace: &str, at: DateTime<Utc>) -> Value {
        let mut names = vec![
            ("SyncRuns", "Count"),
            ("MembershipsSeen", "Count"),
            ("MembersSynced", "Count"),
            ("MembersSkipped", "Count"),
            ("MembershipsFailed", "Count"),
            ("UsersCreated", "Count"),
            ("LinksWritten", "Count"),
            ("PardotBudgetUsed", "Count"),
            ("TenantsNeedingReconnect", "Count"),
        ];
        if self.sync_lag_seconds.is_some() {
            names.push(("SyncLag", "Seconds"));
        }
        let mut doc = self.document(namespace, at, &[], &names);

        let reconnect = self.problem.as_deref() == Some("reconnect_needed");
        let values = [
            ("SyncRuns", 1),
            ("MembershipsSeen", self.counts.memberships),
            ("MembersSynced", self.counts.registered),
            ("MembersSkipped", self.counts.skipped_total()),
            ("MembershipsFailed", self.counts.failed),
            ("UsersCreated", self.counts.users_created),
            ("LinksWritten", self.counts.links_written),
            ("PardotBudgetUsed", self.pardot.requests),
            ("TenantsNeedingReconnect", u64::from(reconnect)),
        ];
        for (name, value) in values {
            doc.insert(name.into(), value.into());
        }
        if let Some(lag) = self.sync_lag_seconds {
            doc.insert("SyncLag".into(), lag.max(0).into());
        }
        Value::Object(doc)
    }

    /// The `_aws` metadata and the properties every document of the run carries.
    fn document(
        &self,
        namespace: &str,
        at: DateTime<Utc>,
        dimensions: &[&str],
        metrics: &[(&str, &str)],
    ) -> Map<String, Value> {
        let metrics: Vec<Value> = metrics
            .iter()
            .map(|(name, unit)| json!({ "Name": name, "Unit": unit }))
            .collect();
        let mut doc = Map::new();
        doc.insert(
            "_aws".into(),
            json!({
                "Timestamp": at.timestamp_millis(),
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [dimensions],
                    "Metrics": metrics,
                }],
            }),
        );
        doc.insert("tenantId".into(), self.tenant_id.clone().into());
        doc.insert(
            "businessUnitId".into(),
            self.business_unit_id.clone().into(),
        );
        doc.insert("outcome".into(), self.outcome.into());
        if let Some(problem) = &self.problem {
            doc.insert("problem".into(), problem.clone().into());
        }
        if let Some(trace) = &self.trace_id {
            doc.insert("traceId".into(), trace.clone().into());
        }
        doc
    }

    fn calls_by_outcome(&self) -> Vec<(&'static str, &'static str, u64)> {
        let p = &self.pardot;
        let pardot_errors = p.errors_by_code.values().sum::<u64>() + p.undecodable_errors;
        let s = &self.streamboxy;
        let calls = [
            ("pardot", "success", p.ok),
            ("pardot", "error", pardot_errors),
            ("pardot", "transport_error", p.transport_errors),
            ("streamboxy", "success", s.success),
            ("streamboxy", "not_found", s.not_found),
            ("streamboxy", "conflict", s.conflict),
            ("streamboxy", "unauthorized", s.unauthorized),
            ("streamboxy", "rate_limited", s.rate_limited),
            ("streamboxy", "client_error", s.client_errors),
            ("streamboxy", "server_error", s.server_errors),
            ("streamboxy", "transport_error", s.transport_errors),
        ];
        calls.into_iter().filter(|(_, _, n)| *n > 0).collect()
    }

    /// Error codes: Pardot's numeric codes, STREAMBOXY's failing outcomes, and the run's
    /// problem. A 404 or 409 from STREAMBOXY is normal flow (lookup, existing user), not an error.
    fn errors_by_code(&self) -> Vec<(String, u64)> {
        let mut errors: Vec<(String, u64)> = self
            .pardot
            .errors_by_code
            .iter()
            .map(|(code, n)| (format!("pardot_{code}"), *n))
            .collect();
        let s = &self.streamboxy;
        let others = [
            ("pardot_undecodable", self.pardot.undecodable_errors),
            ("pardot_transport", self.pardot.transport_errors),
            ("streamboxy_unauthorized", s.unauthorized),
            ("streamboxy_rate_limited", s.rate_limited),
            ("streamboxy_client_error", s.client_errors),
            ("streamboxy_server_error", s.server_errors),
            ("streamboxy_transport", s.transport_errors),
        ];
        errors.extend(others.into_iter().map(|(code, n)| (code.to_owned(), n)));
        if let Some(problem) = &self.problem {
            errors.push((format!("problem_{problem}"), 1));
        }
        errors.retain(|(_, n)| *n > 0);
        errors
    }
}

/// The kind of a problem as the domain serialises it (`reconnect_needed`, `list_missing`, …).
pub fn problem_kind(problem: &SyncProblem) -> String {
    serde_json::to_value(problem)
        .ok()
        .and_then(|v| v.get("kind").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

/// Emits the metrics of a finished run, when emission is on. Called once at the end of each
/// run that held the business unit's lease; never fails the run (a metric is not worth a retry).
pub(crate) async fn emit_run(run: &TenantRun<'_>) {
    let Some(namespace) = std::env::var(NAMESPACE_VARIABLE)
        .ok()
        .filter(|n| !n.trim().is_empty())
    else {
        return;
    };

    let outcome = match (&run.problem, run.partial) {
        (Some(_), _) => "stopped",
        (None, true) => "partial",
        (None, false) => "completed",
    };
    let sync_lag_seconds = match outcome {
        "completed" => Some(0),
        // One read of the business unit's cursor; only runs that left work behind pay it.
        _ => match run.ctx.store.business_unit_state(&run.bu).await {
            Ok(state) => state
                .cursor
                .map(|c| (Utc::now() - c.updated_at).num_seconds()),
            Err(err) => {
                tracing::debug!(error = %err, "sync lag unknown: the cursor could not be read");
                None
            }
        },
    };
    let mut counts = SyncCounts::default();
    for event_counts in run.counts.values() {
        counts.add(event_counts);
    }
    let metrics = RunMetrics {
        tenant_id: run.tenant.to_string(),
        business_unit_id: run.bu.to_string(),
        outcome,
        problem: run.problem.as_ref().map(problem_kind),
        counts,
        pardot: run.pardot.stats().snapshot(),
        streamboxy: run.streamboxy.stats(),
        sync_lag_seconds,
        trace_id: std::env::var("_X_AMZN_TRACE_ID").ok(),
    };
    write_lines(&metrics.documents(&namespace, Utc::now()));
}

/// Writes each document as one line on stdout, where the Lambda runtime hands it to CloudWatch.
fn write_lines(docs: &[Value]) {
    let mut out = std::io::stdout().lock();
    for doc in docs {
        if let Err(err) = writeln!(out, "{doc}") {
            tracing::debug!(error = %err, "could not write a metrics line");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn busy_run() -> RunMetrics {
        RunMetrics {
            tenant_id: "t-1".into(),
            business_unit_id: "0Uv000000000001AAA".into(),
            outcome: "partial",
            problem: None,
            counts: SyncCounts {
                memberships: 10,
                registered: 8,
                skipped: BTreeMap::from([("opted_out".into(), 2)]),
                links_written: 7,
                ..SyncCounts::default()
            },
            pardot: CallStatsSnapshot {
                requests: 12,
                ok: 10,
                errors_by_code: BTreeMap::from([(66, 2)]),
                ..CallStatsSnapshot::default()
            },
            streamboxy: sbxy_streamboxy_client::CallStats {
                calls: 9,
                success: 8,
                conflict: 1,
                ..Default::default()
            },
            sync_lag_seconds: Some(42),
            trace_id: Some("Root=1-abc".into()),
        }
    }

    fn find<'a>(docs: &'a [Value], metric: &str, pairs: &[(&str, &str)]) -> &'a Value {
        docs.iter()
            .find(|d| d.get(metric).is_some() && pairs.iter().all(|(k, v)| d[*k] == *v))
            .unwrap_or_else(|| panic!("no document with {metric} {pairs:?}: {docs:#?}"))
    }

    #[test]
    fn totals_carry_counts_budget_and_lag() {
        let docs = busy_run().documents("sbxy-pardot/test", Utc::now());

        let totals = find(&docs, "SyncRuns", &[]);
        assert_eq!(totals["MembersSynced"], 8);
        assert_eq!(totals["MembersSkipped"], 2);
        assert_eq!(totals["PardotBudgetUsed"], 12);
        assert_eq!(totals["SyncLag"], 42);
        assert_eq!(totals["TenantsNeedingReconnect"], 0);
        assert_eq!(
            totals["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "sbxy-pardot/test"
        );
    }

    #[test]
    fn calls_are_broken_down_by_system_and_outcome() {
        let docs = busy_run().documents("ns", Utc::now());

        let pardot_ok = find(
            &docs,
            "ApiCalls",
            &[("System", "pardot"), ("Outcome", "success")],
        );
        assert_eq!(pardot_ok["ApiCalls"], 10);
        let pardot_err = find(
            &docs,
            "ApiCalls",
            &[("System", "pardot"), ("Outcome", "error")],
        );
        assert_eq!(pardot_err["ApiCalls"], 2);
        let conflicts = find(
            &docs,
            "ApiCalls",
            &[("System", "streamboxy"), ("Outcome", "conflict")],
        );
        assert_eq!(conflicts["ApiCalls"], 1);
        assert!(
            !docs.iter().any(|d| d["Outcome"] == "transport_error"),
            "zero counts are left out"
        );
    }

    #[test]
    fn errors_are_counted_by_code_and_a_reconnect_is_flagged() {
        let mut run = busy_run();
        run.problem = Some(problem_kind(&SyncProblem::ReconnectNeeded));
        run.outcome = "stopped";

        let docs = run.documents("ns", Utc::now());

        assert_eq!(find(&docs, "Errors", &[("Code", "pardot_66")])["Errors"], 2);
        assert_eq!(
            find(&docs, "Errors", &[("Code", "problem_reconnect_needed")])["Errors"],
            1
        );
        assert_eq!(find(&docs, "SyncRuns", &[])["TenantsNeedingReconnect"], 1);
    }

    #[test]
    fn the_tenant_is_a_property_never_a_dimension() {
        let docs = busy_run().documents("ns", Utc::now());

        for doc in &docs {
            assert_eq!(doc["tenantId"], "t-1");
            let dimensions = doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"].to_string();
            assert!(!dimensions.contains("tenant"), "{dimensions}");
            assert!(!dimensions.contains("businessUnit"), "{dimensions}");
        }
    }

    #[test]
    fn every_declared_metric_has_a_value_at_the_root() {
        for doc in busy_run().documents("ns", Utc::now()) {
            let directive = &doc["_aws"]["CloudWatchMetrics"][0];
            for metric in directive["Metrics"]
                .as_array()
                .expect("an array of metrics")
            {
                let name = metric["Name"].as_str().expect("a name");
                assert!(doc[name].is_number(), "{name} missing in {doc}");
            }
            for dimension in directive["Dimensions"][0]
                .as_array()
                .expect("one dimension set")
            {
                let key = dimension.as_str().expect("a dimension key");
                assert!(doc[key].is_string(), "{key} missing in {doc}");
            }
        }
    }

    #[test]
    fn problem_kinds_use_the_domain_names() {
        let kind = problem_kind(&SyncProblem::ListMissing {
            name: "Webinar".into(),
        });

        assert_eq!(kind, "list_missing");
    }
}
