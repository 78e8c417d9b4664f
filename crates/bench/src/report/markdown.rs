//! The results as a table (terminal and Markdown) and the docs/benchmarks.md section: the
//! table, the machine and command, the baseline comparison, what each case measured, and for
//! every missed target why and what the plan is.

use std::fmt::Write as _;

use super::targets as t;
use super::{Details, Results};
use crate::bounds::{PARDOT_ALLOWED_IN_FLIGHT, STREAMBOXY_ALLOWED_IN_FLIGHT};

/// One line of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub what: &'static str,
    pub target: String,
    pub measured: String,
    pub verdict: Verdict,
}

/// How a figure compares with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Missed,
    /// A figure the issue asks to report, without a number to meet.
    Reported,
    NotMeasured,
}

impl Verdict {
    fn of(value: Option<f64>, limit: f64) -> Self {
        match value {
            Some(v) if v <= limit => Self::Met,
            Some(_) => Self::Missed,
            None => Self::NotMeasured,
        }
    }

    fn reported(value: Option<f64>) -> Self {
        value.map_or(Self::NotMeasured, |_| Self::Reported)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Met => "met",
            Self::Missed => "**missed**",
            Self::Reported => "reported",
            Self::NotMeasured => "not measured",
        }
    }
}

fn num(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.decimals$}"))
}

/// The table's rows.
pub fn rows(r: &Results) -> Vec<Row> {
    let row = |what, target: String, measured: String, verdict| Row {
        what,
        target,
        measured,
        verdict,
    };
    vec![
        row(
            "Idle poll, 20 linked unchanged lists: Pardot calls per poll",
            format!("≤ {}", t::IDLE_CALLS_PER_POLL),
            num(r.idle_poll_pardot_calls_per_poll, 0),
            Verdict::of(r.idle_poll_pardot_calls_per_poll, t::IDLE_CALLS_PER_POLL),
        ),
        row(
            "Idle: Pardot calls per tenant-day at 5-minute polling",
            format!("≤ {}", t::IDLE_CALLS_PER_DAY),
            num(r.idle_poll_pardot_calls_per_day, 0),
            Verdict::of(r.idle_poll_pardot_calls_per_day, t::IDLE_CALLS_PER_DAY),
        ),
        row(
            "New members, direct path: Pardot calls per member",
            format!("≤ {}", t::CALLS_PER_NEW_MEMBER),
            num(r.pardot_calls_per_new_member, 4),
            Verdict::of(r.pardot_calls_per_new_member, t::CALLS_PER_NEW_MEMBER),
        ),
        row(
            "Bulk path (PARDOT_BULK_IMPORT=on): Pardot calls per member",
            format!("≤ {}", t::BULK_CALLS_PER_MEMBER),
            num(r.bulk_pardot_calls_per_member, 4),
            Verdict::of(r.bulk_pardot_calls_per_member, t::BULK_CALLS_PER_MEMBER),
        ),
        row(
            "Throughput, new members, bulk off: wall ÷ lower bound",
            format!("≤ {}", t::THROUGHPUT_RATIO),
            num(r.throughput_ratio_to_lower_bound, 2),
            Verdict::of(r.throughput_ratio_to_lower_bound, t::THROUGHPUT_RATIO),
        ),
        row(
            "Show/No Show write-back: wall ÷ lower bound",
            "report".to_owned(),
            num(r.show_noshow_ratio_to_lower_bound, 2),
            Verdict::reported(r.show_noshow_ratio_to_lower_bound),
        ),
        row(
            "STREAMBOXY calls per new member",
            "report".to_owned(),
            num(r.streamboxy_calls_per_member, 3),
            Verdict::reported(r.streamboxy_calls_per_member),
        ),
        row(
            "Worker peak RSS, 100,000-member list, no latency (MiB)",
            format!("≤ {}", t::PEAK_RSS_MIB),
            num(r.peak_rss_mib_100k, 1),
            Verdict::of(r.peak_rss_mib_100k, t::PEAK_RSS_MIB),
        ),
        row(
            "Largest Lambda binary, stripped (MiB)",
            format!("≤ {}", t::BINARY_MIB),
            num(r.max_binary_mib, 2),
            Verdict::of(r.max_binary_mib, t::BINARY_MIB),
        ),
        row(
            "Process start to first event handled, slowest Lambda (median ms)",
            format!("≤ {}", t::START_MS),
            num(r.max_start_ms, 1),
            Verdict::of(r.max_start_ms, t::START_MS),
        ),
        row(
            "Pardot calls, ours ÷ naive baseline (first sync)",
            "report".to_owned(),
            num(r.baseline_ratio, 3),
            Verdict::reported(r.baseline_ratio),
        ),
    ]
}

/// The table for a terminal.
pub fn terminal(r: &Results) -> String {
    let rows = rows(r);
    let width = rows
        .iter()
        .map(|row| row.what.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for row in rows {
        let _ = writeln!(
            out,
            "{:width$}  {:>8}  {:>10}  {}",
            row.what,
            row.target,
            row.measured,
            row.verdict.label().trim_matches('*'),
        );
    }
    out
}

/// The Markdown section.
pub fn section(r: &Results) -> String {
    let d = &r.details;
    let mut out = String::new();
    let _ = writeln!(out, "## Benchmark (issue 7)\n");
    let _ = writeln!(
        out,
        "Generated by `{}` on {}; do not edit between the markers.\n",
        d.command, d.started_at
    );
    let _ = writeln!(out, "| What | Target | Measured | Verdict |");
    let _ = writeln!(out, "| --- | --- | --- | --- |");
    for row in rows(r) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.what,
            row.target,
            row.measured,
            row.verdict.label()
        );
    }
    let _ = writeln!(out);
    machine(&mut out, d);
    cases(&mut out, d);
    super::notes::write(&mut out, r);
    out
}

fn machine(out: &mut String, d: &Details) {
    let m = &d.machine;
    let _ = writeln!(out, "### Setup\n");
    let _ = writeln!(
        out,
        "- Machine: {} ({} cores, {} GiB, {} {}); total run {:.0} s.",
        m.cpu, m.cores, m.memory_gib, m.os, m.arch, d.total_secs
    );
    let _ = writeln!(
        out,
        "- Command: `{}`; results in `target/bench/results.json`.",
        d.command
    );
    let _ = writeln!(
        out,
        "- Latency L = {} ms per call on Pardot and STREAMBOXY (simulators), \
         `SYNC_CONCURRENCY={}`, `PARDOT_MAX_IN_FLIGHT` at its default (4). AWS is moto on the \
         same machine.",
        d.latency_ms, d.sync_concurrency
    );
    if let Some(cost) = d.idle.as_ref().map(|i| i.dynamodb) {
        let _ = writeln!(
            out,
            "- moto on this machine: {:.1} ms per DynamoDB write alone, {:.0} writes/s with ten \
             at once. The worker makes three writes per new member (registrant, registration, \
             link), which the lower bound does not count.",
            cost.write_ms, cost.writes_per_sec_at_10
        );
    }
    let _ = writeln!(
        out,
        "- Lower bound of a run: max(Pardot calls × L ÷ {PARDOT_ALLOWED_IN_FLIGHT}, STREAMBOXY \
         calls × L ÷ {STREAMBOXY_ALLOWED_IN_FLIGHT}) (Pardot's cap per business unit; the \
         STREAMBOXY simulator's documented limit per tenant).\n"
    );
}

fn cases(out: &mut String, d: &Details) {
    let _ = writeln!(out, "### Cases\n");
    if let Some(i) = &d.idle {
        let _ = writeln!(
            out,
            "- **Idle poll**: {} linked lists × {} members; the first tick backfilled them with \
             {} Pardot calls; then {} ticks with nothing changed cost at most {} Pardot call(s) \
             and {:.1} STREAMBOXY call(s) each (the event listing). A day: 288 ticks + 1 \
             list-name check = {:.0} Pardot calls.",
            i.lists,
            i.members_per_list,
            i.first_poll_pardot_calls,
            i.idle_polls,
            i.pardot_calls_per_poll,
            i.streamboxy_calls_per_poll,
            i.pardot_calls_per_day
        );
    }
    for (name, run) in [
        ("Throughput (direct path)", &d.throughput),
        ("Bulk path", &d.bulk),
    ] {
        if let Some(m) = run {
            let _ = writeln!(
                out,
                "- **{name}**: {} new members on a linked list, one run{}: {:.1} s; Pardot {} \
                 calls ({} PATCH, {} imports, {} import reads), STREAMBOXY {} calls; lower \
                 bound {:.1} s (Pardot {:.1} s, STREAMBOXY {:.1} s) → ratio {}; at most {} \
                 Pardot requests in flight, {} refused by the cap, {} STREAMBOXY 429s{}.",
                m.members,
                if m.own_process {
                    " in its own process"
                } else {
                    " in the bench process"
                },
                m.wall_secs,
                m.pardot_calls,
                m.prospect_patches,
                m.imports,
                m.import_reads,
                m.streamboxy_calls,
                m.lower_bound.secs,
                m.lower_bound.pardot_secs,
                m.lower_bound.streamboxy_secs,
                num(m.ratio_to_lower_bound, 2),
                m.max_pardot_in_flight,
                m.pardot_cap_violations,
                m.streamboxy_throttled,
                m.peak_rss_mib
                    .map(|p| format!("; worker peak RSS {p:.1} MiB"))
                    .unwrap_or_default()
            );
        }
    }
    if let Some(b) = &d.baseline {
        let _ = writeln!(
            out,
            "- **Naive baseline** ({} members; one prospect read and one write per member, no \
             cursor): first sync {} Pardot / {} STREAMBOXY calls in {:.1} s, then {} Pardot calls \
             for a pass with nothing changed. Ours: {} Pardot / {} STREAMBOXY calls in {:.1} s, \
             then {} Pardot call(s). Ratios ours ÷ baseline: Pardot calls {:.3}, wall time {:.2}, \
             idle pass {:.4}.",
            b.members,
            b.baseline.calls.pardot,
            b.baseline.calls.streamboxy,
            b.baseline.wall_secs,
            b.baseline.idle_calls.pardot,
            b.ours.calls.pardot,
            b.ours.calls.streamboxy,
            b.ours.wall_secs,
            b.ours.idle_calls.pardot,
            b.pardot_calls_ratio,
            b.wall_ratio,
            b.idle_pardot_calls_ratio
        );
    }
    if let Some(a) = &d.attendance {
        let _ = writeln!(out, "- **Show/No Show**: {}", a.summary());
    }
    if let Some(m) = &d.memory {
        let _ = writeln!(
            out,
            "- **Memory**: a newly linked list of {} members backfilled by one `sbxy-pardot sync` \
             process, no latency: {} registered, {} skipped (opted out, to keep moto's writes \
             to {}), outcome {}, {:.0} s, {} Pardot / {} STREAMBOXY calls; peak RSS (VmHWM) \
             {:.1} MiB.",
            m.members,
            m.registered,
            m.skipped,
            m.registrable,
            m.outcome,
            m.wall_secs,
            m.pardot_calls,
            m.streamboxy_calls,
            m.peak_rss_mib
        );
    }
    if let Some(l) = &d.lambdas {
        for size in &l.sizes {
            let _ = writeln!(
                out,
                "- **{}**: {:.2} MiB ({}){}, from `{}`.",
                size.function,
                size.mib,
                size.arch,
                size.zip_bytes
                    .map(|z| format!(", zip {:.2} MiB", z as f64 / 1_048_576.0))
                    .unwrap_or_default(),
                size.source
            );
        }
        for start in &l.starts {
            let _ = writeln!(
                out,
                "- **{} start**: median {:.1} ms, max {:.1} ms over {} starts (answer: {:?}).",
                start.function,
                start.median_ms,
                start.max_ms,
                start.runs.len(),
                start.answer
            );
        }
    }
    for note in &d.not_measured {
        let _ = writeln!(out, "- Not measured: {note}");
    }
    for failure in &d.failures {
        let _ = writeln!(out, "- **Failed**: {failure}");
    }
    let _ = writeln!(out);
}
