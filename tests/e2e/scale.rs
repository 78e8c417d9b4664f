//! The load simulation, small enough for `make test`: 20 tenants, each its own business unit,
//! through a warm-up cycle (every list backfilled) and one steady cycle with churn, then the
//! poller alone at 100 tenants. The full run (`make loadsim`, 1,000 tenants) is documented in
//! docs/benchmarks.md; this test keeps its properties from regressing.

use sbxy_loadsim::LoadOptions;
use sbxy_loadsim::fleet::FleetShape;
use sbxy_simulators::Latency;

#[tokio::test]
async fn twenty_tenants_sync_within_the_pardot_cap_without_a_scan() {
    let options = LoadOptions {
        shape: FleetShape {
            tenants: 20,
            events_per_tenant: 1,
            members_per_list: 2,
        },
        churn_fraction: 0.25,
        churn_members: 8,
        concurrency: 8,
        // More memberships at once than Pardot allows requests: the limiter must hold the cap.
        sync_concurrency: 10,
        cycles: 1,
        // A little latency so that one business unit's requests overlap.
        latency: Latency {
            oauth_ms: 0,
            pardot_ms: 20,
            streamboxy_ms: 5,
        },
        poller_scale_tenants: 100,
    };

    let results = sbxy_loadsim::run(&options)
        .await
        .expect("the simulation runs");

    assert!(
        results.checks.failures().is_empty(),
        "failed checks: {:?}",
        results.checks.failures()
    );
    assert!(results.pardot.max_in_flight <= 5, "{:?}", results.pardot);
    assert_eq!(results.pardot.cap_violations, 0);
    assert_eq!(results.pardot.business_units, 20);

    // Each cycle's five ticks sync every tenant exactly once.
    for cycle in ["warm-up", "steady 1"] {
        let ticks: Vec<_> = results.ticks.iter().filter(|t| t.cycle == cycle).collect();
        assert_eq!(ticks.len(), 5, "{cycle}");
        assert_eq!(
            ticks.iter().map(|t| t.tenants).sum::<usize>(),
            20,
            "{cycle}"
        );
    }
    let backfilled: u64 = results
        .ticks
        .iter()
        .filter(|t| t.cycle == "warm-up")
        .map(|t| t.registered)
        .sum();
    assert_eq!(backfilled, 20 * 2, "every seeded member registered once");

    // Churn: 5 of 20 tenants got 8 new members each, all registered in the next tick.
    let steady: Vec<_> = results
        .ticks
        .iter()
        .filter(|t| t.cycle == "steady 1")
        .collect();
    let added: u64 = steady.iter().map(|t| t.memberships_added).sum();
    let synced: u64 = steady.iter().map(|t| t.synced).sum();
    assert_eq!(added, 5 * 8);
    assert_eq!(synced, added);

    // An idle run: one Pardot request, a handful of DynamoDB requests, no Scan.
    let idle = &results.steady.idle;
    assert_eq!(idle.runs, 15);
    assert_eq!(idle.pardot_calls.max, 1.0);
    assert!(idle.usage.dynamodb_calls > 0.0, "the meter counted the run");
    assert_eq!(idle.usage.call("DynamoDB.Scan"), 0.0);
    assert!(results.steady.per_membership.write_units > 0.0);

    // The poller alone: every tenant fanned out once, from index queries only.
    let scale = results.poller_at_scale.expect("the poller ran at scale");
    assert_eq!(scale.ticks.iter().map(|t| t.jobs).sum::<usize>(), 100);
    for tick in &scale.ticks {
        assert_eq!(tick.usage.call("DynamoDB.Scan"), 0);
        assert!(
            tick.usage.call("DynamoDB.Query") >= 2,
            "one query per bucket"
        );
        assert_eq!(
            tick.usage.call("EventBridge.PutEvents"),
            (tick.jobs as u64).div_ceil(10),
            "PutEvents batches of 10"
        );
    }
}
