//! The load simulation's section of docs/benchmarks.md, rendered from its results.

use std::fmt::Write as _;

use crate::results::{LoadResults, RunClass};
use crate::run::{LoadOptions, PARDOT_CAP};

/// A row of the per-run table: its label and how a class of runs fills its cell.
type Row = (&'static str, fn(&RunClass) -> String);

/// What one AWS request costs a Lambda in time, for the "in AWS" estimates (ms); the same
/// figure as the cost model's `aws_request_ms`.
const AWS_MS: f64 = 10.0;

/// The section's markers; the benchmark (issue 7) owns the rest of the file.
pub const BEGIN: &str = "<!-- loadsim:begin -->";
/// See [`BEGIN`].
pub const END: &str = "<!-- loadsim:end -->";

/// Renders the section (without the markers).
pub fn render(results: &LoadResults, options: &LoadOptions) -> String {
    let mut out = String::new();
    let s = &results.steady;
    let shape = options.shape;
    let _ = writeln!(out, "## Load simulation (`make loadsim`)\n");
    let _ = writeln!(
        out,
        "Measured by `sbxy-loadsim` on {date}: the list poller and the sync workers in one \
         process against moto and the simulators. {tenants} tenants, each its own STREAMBOXY \
         tenant and Pardot business unit, {events} linked events per tenant over lists of \
         {members} members, plus one unlinked event. Before each steady tick about {churn:.0} % \
         of the slot's tenants get {churn_members} new list members; the others are idle. \
         Worker concurrency {concurrency} (the worker Lambda's), `SYNC_CONCURRENCY` \
         {sync_concurrency}; simulated latency per request: Pardot {pardot} ms, STREAMBOXY \
         {sbxy} ms, Salesforce OAuth {oauth} ms; moto answers AWS on loopback. Debug build on a \
         2-core machine shared with other builds: wall times are upper bounds. AWS requests are \
         counted by an interceptor on the product's own SDK clients, per attempt, and \
         attributed to their run or tick (crates/loadsim/src/meter.rs); DynamoDB request units \
         are estimated from the items' sizes. Raw figures: `target/loadsim/results.json`.\n",
        date = results
            .generated_at
            .get(..10)
            .unwrap_or(&results.generated_at),
        tenants = shape.tenants,
        events = shape.events_per_tenant,
        members = shape.members_per_list,
        churn = options.churn_fraction * 100.0,
        churn_members = options.churn_members,
        concurrency = options.concurrency,
        sync_concurrency = options.sync_concurrency,
        pardot = options.latency.pardot_ms,
        sbxy = options.latency.streamboxy_ms,
        oauth = options.latency.oauth_ms,
    );

    let _ = writeln!(out, "### A tick\n");
    let _ = writeln!(
        out,
        "A tick is one scheduler invocation: the poller queries the sparse index for one of \
         the five one-minute slots (about a fifth of the tenants), puts one job per tenant in \
         PutEvents batches of 10, and every job's worker runs.\n"
    );
    let _ = writeln!(
        out,
        "| steady ticks | mean | p95 | max |\n| --- | --: | --: | --: |"
    );
    for (name, d) in [
        ("wall time, poller + all workers (ms)", s.tick_wall_ms),
        ("poller: index queries + PutEvents (ms)", s.poller_ms),
        ("workers (ms)", s.workers_ms),
        ("DynamoDB requests", s.dynamodb_calls_per_tick),
    ] {
        let _ = writeln!(
            out,
            "| {name} | {:.0} | {:.0} | {:.0} |",
            d.mean, d.p95, d.max
        );
    }

    let _ = writeln!(out, "\n### Per run and per synced membership\n");
    let _ = writeln!(
        out,
        "| per run | idle | with new members |\n| --- | --: | --: |"
    );
    let (i, c) = (&s.idle, &s.churned);
    let rows: [Row; 12] = [
        ("runs", |r| r.runs.to_string()),
        ("wall time mean / p95 (ms)", |r| {
            format!("{:.0} / {:.0}", r.duration_ms.mean, r.duration_ms.p95)
        }),
        ("Pardot requests mean / max", |r| {
            format!("{:.2} / {:.0}", r.pardot_calls.mean, r.pardot_calls.max)
        }),
        ("STREAMBOXY requests", |r| {
            format!("{:.2}", r.streamboxy_calls)
        }),
        ("memberships newly synced", |r| format!("{:.2}", r.synced)),
        ("DynamoDB requests", |r| {
            format!("{:.2}", r.usage.dynamodb_calls)
        }),
        ("DynamoDB read / write units (est.)", |r| {
            format!("{:.2} / {:.2}", r.usage.read_units, r.usage.write_units)
        }),
        ("Secrets Manager GetSecretValue", |r| {
            format!("{:.2}", r.usage.call("SecretsManager.GetSecretValue"))
        }),
        ("Secrets Manager PutSecretValue", |r| {
            format!("{:.2}", r.usage.call("SecretsManager.PutSecretValue"))
        }),
        ("log bytes (tracing lines)", |r| {
            format!("{:.0}", r.usage.log_bytes)
        }),
        ("AWS requests, all services", |r| {
            format!("{:.2}", r.usage.aws_calls)
        }),
        ("of the wall time, waiting on moto (ms)", |r| {
            format!("{:.0}", r.usage.aws_ms)
        }),
    ];
    for (name, cell) in rows {
        let _ = writeln!(out, "| {name} | {} | {} |", cell(i), cell(c));
    }
    let ops: Vec<String> = i
        .usage
        .calls
        .iter()
        .filter(|(name, _)| name.starts_with("DynamoDB."))
        .map(|(name, n)| format!("{} {n:.2}", name.trim_start_matches("DynamoDB.")))
        .collect();
    let m = &s.per_membership;
    let _ = writeln!(
        out,
        "\nAn idle run's DynamoDB requests: {}. Each synced membership adds about {:.0} ms, \
         {:.2} Pardot and {:.2} STREAMBOXY requests, {:.2} DynamoDB requests ({:.2} read and \
         {:.2} write units) and {:.0} log bytes (from {} memberships).\n",
        ops.join(", "),
        m.duration_ms,
        m.pardot_calls,
        m.streamboxy_calls,
        m.dynamodb_calls,
        m.read_units,
        m.write_units,
        m.log_bytes,
        m.memberships,
    );

    let moto_ms = i.usage.aws_ms / i.usage.aws_calls.max(1.0);
    let idle_in_aws = (i.duration_ms.mean - i.usage.aws_ms).max(0.0) + i.usage.aws_calls * AWS_MS;
    let _ = writeln!(
        out,
        "moto, sharing the machine, answered in {moto_ms:.0} ms per request on average; \
         DynamoDB, Secrets Manager and EventBridge answer a Lambda in about {AWS_MS:.0} ms. With \
         that latency an idle run takes about {idle_in_aws:.0} ms, and a tick of the 2,000 \
         tenants one slot holds at 10,000 tenants needs about {:.0} s of workers at \
         concurrency {}: the tick's wall time here is bounded by moto's throughput, not by the \
         design.\n",
        2_000.0 * idle_in_aws / 1000.0 / options.concurrency.max(1) as f64,
        options.concurrency,
    );

    let p = &results.pardot;
    let _ = writeln!(out, "### Pardot requests in flight per business unit\n");
    let _ = writeln!(
        out,
        "The largest number of requests in flight for any one business unit, over the whole \
         simulation and all {} business units, was **{}** (cap {PARDOT_CAP}; counted by the \
         simulated Pardot as requests arrive); **{}** requests were refused with code 66. Pardot \
         requests per tenant over the whole simulation: {:.1}.\n",
        p.business_units, p.max_in_flight, p.cap_violations, p.calls_per_tenant,
    );

    if let Some(scale) = &results.poller_at_scale {
        let _ = writeln!(out, "### The poller alone at {} tenants\n", scale.tenants);
        let _ = writeln!(
            out,
            "| slot | jobs | wall time (ms) | index Query requests | PutEvents requests |\n\
             | --: | --: | --: | --: | --: |"
        );
        for t in &scale.ticks {
            let _ = writeln!(
                out,
                "| {} | {} | {:.0} | {} | {} |",
                t.slot,
                t.jobs,
                t.ms,
                t.usage.call("DynamoDB.Query"),
                t.usage.call("EventBridge.PutEvents"),
            );
        }
        let _ = writeln!(out);
    }

    let _ = writeln!(out, "### Every tick\n");
    let _ = writeln!(
        out,
        "The warm-up cycle ({:.1} s) backfills every list and refreshes every tenant's access \
         token; set-up (stack, {} tenants connected) took {:.1} s. *Synced* counts memberships \
         newly granted; a membership read again within the 90-second look-back costs nothing \
         and is not counted.\n",
        results.warmup_s, shape.tenants, results.setup_s,
    );
    let _ = writeln!(
        out,
        "| cycle | slot | tenants | churned | wall (ms) | poller (ms) | DynamoDB | Pardot | \
         synced | not completed |\n| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: |"
    );
    for t in &results.ticks {
        let not_completed: u64 = t
            .outcomes
            .iter()
            .filter(|(outcome, _)| *outcome != "completed")
            .map(|(_, n)| n)
            .sum();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.0} | {:.0} | {} | {} | {} | {not_completed} |",
            t.cycle,
            t.slot,
            t.tenants,
            t.churned_tenants,
            t.wall_ms,
            t.poller_ms,
            t.dynamodb_calls,
            t.pardot_calls,
            t.synced,
        );
    }

    let c = &results.checks;
    let m = &results.memberships;
    let mark = |ok: bool| if ok { "x" } else { " " };
    let _ = writeln!(out, "\n### Checks\n");
    let _ = writeln!(out, "- [{}] no DynamoDB Scan was sent", mark(c.no_scan));
    let _ = writeln!(
        out,
        "- [{}] no business unit had more than {PARDOT_CAP} Pardot requests in flight",
        mark(c.in_flight_within_cap)
    );
    let _ = writeln!(
        out,
        "- [{}] every membership was synced: {} seeded + {} added = {} synced; {} runs did not \
         complete (a transient problem) and the tenant's next run finished their work",
        mark(c.all_synced),
        m.seeded,
        m.added,
        m.synced,
        m.runs_not_completed,
    );
    let _ = writeln!(
        out,
        "- [{}] every idle run cost exactly one Pardot request",
        mark(c.idle_run_one_pardot_call)
    );
    out
}
