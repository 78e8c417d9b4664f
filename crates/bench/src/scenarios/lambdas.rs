//! Lambda size and local cold start: every `crates/lambda-*` binary's size, and for each one
//! with a known cheap event, the time from spawning it against the runtime API emulator to its
//! first answer. The events take the real code path (AWS clients built, the table read) but do
//! no sync work: a tick with no syncable tenant, a job for a tenant that is not set up, and
//! HTTP requests without credentials.

use std::path::Path;

use serde::Serialize;
use serde_json::{Value, json};

use crate::BenchOptions;
use crate::lambda::runtime::{Answer, Start, measure_start};
use crate::lambda::{BinarySize, sizes};
use crate::process::product_env;
use crate::seed::seed;
use crate::stack::BenchStack;

/// A tenant that exists but is not set up, so the worker answers "skipped" after one read.
const IDLE_TENANT: &str = "00000000-0000-4000-8000-00000000be9c";

/// One function's starts.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionStarts {
    pub function: String,
    pub runs: Vec<Start>,
    pub median_ms: f64,
    pub max_ms: f64,
    /// How the first invocation was answered (`response`, or `error` when the handler
    /// reported one, which still means it handled the event).
    pub answer: Answer,
}

/// Sizes and starts.
#[derive(Debug, Clone, Serialize)]
pub struct LambdaResult {
    pub sizes: Vec<BinarySize>,
    pub starts: Vec<FunctionStarts>,
    pub max_binary_mib: Option<f64>,
    /// The slowest function's median start.
    pub max_median_start_ms: Option<f64>,
}

pub async fn run(options: &BenchOptions, workspace: &Path) -> anyhow::Result<LambdaResult> {
    let target = workspace.join("target");
    let sizes = sizes(workspace, &target, options.bin_dir.as_deref());
    let max_binary_mib = sizes.iter().map(|s| s.mib).reduce(f64::max);

    let mut starts = Vec::new();
    let functions = crate::lambda::functions(workspace);
    let runnable: Vec<(String, std::path::PathBuf, Value)> = functions
        .iter()
        .filter_map(|f| {
            let binary = crate::process::binary(options.bin_dir.as_deref(), f)?;
            Some((f.clone(), binary, event_for(f)?))
        })
        .collect();
    if !runnable.is_empty() && options.lambda_starts > 0 {
        let stack = BenchStack::start(seed(&[])?, 0, &options.product_env(false), false).await?;
        let idle = sbxy_domain::ids::TenantId::parse(IDLE_TENANT)?;
        stack.stack.ctx.store.update_tenant(&idle, |_| {}).await?;
        let env = product_env(&stack.stack.env);
        for (function, binary, event) in &runnable {
            let mut runs = Vec::new();
            for _ in 0..options.lambda_starts {
                runs.push(measure_start(binary, function, event, &env).await?);
            }
            starts.push(summarize(function, runs));
        }
        stack.stop().await;
    }
    let max_median_start_ms = starts.iter().map(|s| s.median_ms).reduce(f64::max);
    Ok(LambdaResult {
        sizes,
        starts,
        max_binary_mib,
        max_median_start_ms,
    })
}

fn summarize(function: &str, runs: Vec<Start>) -> FunctionStarts {
    let mut millis: Vec<f64> = runs.iter().map(|r| r.millis).collect();
    millis.sort_by(f64::total_cmp);
    let median_ms = millis.get(millis.len() / 2).copied().unwrap_or_default();
    let max_ms = millis.last().copied().unwrap_or_default();
    let answer = runs.first().map_or(Answer::Error, |r| r.answer);
    FunctionStarts {
        function: function.to_owned(),
        runs,
        median_ms,
        max_ms,
        answer,
    }
}

/// A cheap event each known function handles end to end.
fn event_for(function: &str) -> Option<Value> {
    match function {
        "list-poller" => Some(json!({
            "version": "0", "id": "bench-tick", "detail-type": "Scheduled Event",
            "source": "aws.events", "account": "000000000000", "time": "2026-12-04T17:05:00Z",
            "region": "us-east-1", "resources": [], "detail": {},
        })),
        "sync-worker" => Some(json!({
            "version": "0", "id": "bench-job", "detail-type": "TenantSyncRequested",
            "source": "sbxy-pardot", "account": "000000000000", "time": "2026-12-04T17:05:00Z",
            "region": "us-east-1", "resources": [], "detail": {"tenantId": IDLE_TENANT},
        })),
        "admin-api" => Some(http_event(
            "GET",
            &format!("/tenants/{IDLE_TENANT}/pardot/status"),
        )),
        "event-ended" => Some(http_event("POST", "/webhooks/streamboxy/event-state")),
        _ => None,
    }
}

/// An API Gateway HTTP API (payload 2.0) request without credentials.
fn http_event(method: &str, path: &str) -> Value {
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": {"host": "bench.example", "content-type": "application/json"},
        "requestContext": {
            "accountId": "000000000000", "apiId": "bench", "domainName": "bench.example",
            "domainPrefix": "bench", "requestId": "bench-request", "routeKey": "$default",
            "stage": "$default", "time": "04/Dec/2026:17:05:00 +0000",
            "timeEpoch": 1_796_403_900_000_i64,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "sbxy-bench"},
        },
        "body": "{}", "isBase64Encoded": false,
    })
}
