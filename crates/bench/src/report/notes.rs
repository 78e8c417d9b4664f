//! The prose under the table: the assumptions behind some figures, and for every missed
//! target why it was missed and what the plan is. It is written from the measured figures, so
//! it stays true when the numbers move.

use std::fmt::Write as _;

use super::targets as t;
use super::{Details, Results};

pub(super) fn write(out: &mut String, r: &Results) {
    let d = &r.details;
    let _ = writeln!(out, "### Notes, misses and plans\n");
    idle(out, d);
    bulk(out, d);
    streamboxy(out, d);
    throughput(out, d);
    attendance(out, d);
    memory(out, d);
    lambdas(out, d);
}

fn idle(out: &mut String, d: &Details) {
    let Some(i) = &d.idle else { return };
    let verdict = if i.pardot_calls_per_poll <= t::IDLE_CALLS_PER_POLL {
        "meets the target"
    } else {
        "**misses the target**: an idle tick should only run the business unit's one \
         incremental query; look for a list-name lookup or a repeated page in the worker log"
    };
    let _ = writeln!(
        out,
        "- **Idle polling** {verdict}. One query per business unit covers every linked list, \
         whatever their number; the list names are looked up again once a day. Each tick also \
         lists the tenant's STREAMBOXY events once, which is not Pardot budget."
    );
}

fn bulk(out: &mut String, d: &Details) {
    let _ = writeln!(
        out,
        "- **The bulk path is an assumption.** The Import API's paths and shapes are unverified \
         (../shared/reference/pardot-api.md §4.9), so `PARDOT_BULK_IMPORT` is off by default \
         and the threshold (`PARDOT_BULK_THRESHOLD`, 100 link writes in one page) keeps small \
         changes on the verified PATCH. The simulator implements the reference's description \
         (multipart `input` + CSV `file`, `status: Ready`, status reads); every failure of the \
         real API (an unknown path, a refused CSV, errors in the result) falls back to one \
         PATCH per link, so switching it on cannot lose a write. Each import is 1 create plus \
         status reads (0.5 s, doubling, at most 15 s apart); a real import that takes minutes \
         costs about 10 reads, which still stays under 0.01 calls per member for pages of \
         1,000. Plan: try it on a developer business unit, then turn it on."
    );
    if let Some(b) = &d.bulk
        && b.pardot_calls_per_member > t::BULK_CALLS_PER_MEMBER
    {
        let _ = writeln!(
            out,
            "  **Missed** with {:.4} calls per member: {} imports and {} PATCHes for {} members; \
             pages below the threshold go the direct way.",
            b.pardot_calls_per_member, b.imports, b.prospect_patches, b.members
        );
    }
}

fn streamboxy(out: &mut String, d: &Details) {
    let Some(m) = &d.throughput else { return };
    let _ = writeln!(
        out,
        "- **STREAMBOXY calls per member: {:.3}.** Create the user (a 409 carries the existing \
         id, so no lookup first), grant the event, fetch the access link; plus one event listing \
         per run. STREAMBOXY's contract v0 (../shared/reference/streamboxy-api.md §7) has no \
         batch form of any of the three, so this is the floor today. Plan: when STREAMBOXY \
         offers a bulk grant or user import, use it the way the Pardot bulk path does; an access \
         link that could be derived from the user id would save the third call.",
        m.streamboxy_calls_per_member
    );
}

fn throughput(out: &mut String, d: &Details) {
    let Some(m) = &d.throughput else { return };
    let Some(ratio) = m.ratio_to_lower_bound else {
        return;
    };
    if ratio <= t::THROUGHPUT_RATIO {
        let _ = writeln!(
            out,
            "- **Throughput** meets the target at {ratio:.2} × the lower bound."
        );
        return;
    }
    let chain_ms = 4 * m.latency_ms;
    let best = 4.0 / 3.0;
    let _ = writeln!(
        out,
        "- **Throughput missed: {ratio:.2} × the lower bound** ({:.0} s against {:.0} s, bound \
         by {}). Why: each member is one chain of four calls in a row (create user, grant, \
         access link on STREAMBOXY, then the PATCH on Pardot: {chain_ms} ms at L = {} ms) plus \
         three DynamoDB writes. `SYNC_CONCURRENCY={}` runs that many chains at once; more would \
         put more than 10 requests in flight on STREAMBOXY and draw 429s with `Retry-After: 1`. \
         With 10 chains STREAMBOXY averages at most 7.5 requests in flight, so even free \
         DynamoDB gives {best:.2} × its bound; moto (Python, sharing the two cores with the \
         worker and the simulators) adds the rest. Plan: (1) a per-tenant STREAMBOXY in-flight \
         limiter of 10 in the STREAMBOXY client, so `SYNC_CONCURRENCY` can rise to about 16 \
         and keep STREAMBOXY saturated without 429s; (2) take the Pardot write off the member's \
         chain (the page's writes go to a writer task, or the bulk path); (3) write a page's \
         registrations and links with BatchWriteItem (25 items a call) instead of three \
         writes per member. Together they bring the run to STREAMBOXY's bound plus the first \
         and last chain, about 1.05 ×.",
        m.wall_secs, m.lower_bound.secs, m.lower_bound.bound_by, m.latency_ms, m.sync_concurrency,
    );
}

fn attendance(out: &mut String, d: &Details) {
    let Some(a) = &d.attendance else {
        let _ = writeln!(
            out,
            "- **Show/No Show** was not measured in this run (see the failures above, or run \
             the full benchmark)."
        );
        return;
    };
    let _ = writeln!(
        out,
        "- **Show/No Show** (issue 4's write-back, direct path): {:.3} Pardot calls per \
         registrant, {} × the lower bound. Each membership is one POST, at most 4 in flight. \
         Plan: put the memberships into the Import API job as well once the bulk path is \
         verified (the reference allows up to 20 lists per row), which takes the write-back to \
         a few calls per thousand registrants.",
        a.pardot_calls_per_registrant,
        a.ratio_to_lower_bound
            .map_or_else(|| "–".to_owned(), |x| format!("{x:.2}"))
    );
}

fn memory(out: &mut String, d: &Details) {
    let Some(m) = &d.memory else { return };
    let verdict = if m.peak_rss_mib <= t::PEAK_RSS_MIB {
        "within the target"
    } else {
        "**over the target**"
    };
    let _ = writeln!(
        out,
        "- **Memory** {verdict}: {:.1} MiB peak for a {}-member list. Pages of 1,000 memberships \
         stream through; what grows with the list is the run's set of finished membership ids \
         and its e-mail → user cache (a few MiB per 100,000).",
        m.peak_rss_mib, m.members
    );
}

fn lambdas(out: &mut String, d: &Details) {
    let Some(l) = &d.lambdas else { return };
    if l.max_binary_mib.is_some_and(|x| x > t::BINARY_MIB) {
        let _ = writeln!(
            out,
            "- **Binary size missed**: the AWS SDK crates dominate. Plan: drop unused SDK \
             features and share one binary per architecture with a handler switch."
        );
    }
    if l.max_median_start_ms.is_some_and(|x| x > t::START_MS) {
        let _ = writeln!(
            out,
            "- **Start time missed**: the start includes building the AWS clients and the first \
             DynamoDB request to moto on this machine. Plan: build clients lazily and keep the \
             first request off the init path."
        );
    }
}
