//! Scenario 4: the limits Pardot and Salesforce impose. The daily API budget runs out (code
//! 122): the business unit pauses, the tenant's status says so, and until the reset each poll
//! makes at most one call. The refresh token is revoked (`invalid_grant`): the tenant shows
//! "reconnect needed" and makes no further calls.

use sbxy_domain::status::SyncProblem;
use sbxy_e2e::{connected_stack, tenant};
use sbxy_harness::{DEMO_BUSINESS_UNIT, Stack, StackOptions};
use sbxy_simulators::PardotSeed;
use sbxy_storage::ConnectionState;
use sbxy_sync::SyncOutcome;
use serde_json::json;

use crate::results::{Figures, record};
use crate::state::{Snapshot, demo_links, run, run_until_completed};

/// Polls made while the business unit is paused.
const PAUSED_POLLS: usize = 3;

fn pardot_calls(stack: &Stack) -> u64 {
    stack.sim.stats().pardot.calls.total
}

fn set_daily_limit(stack: &Stack, limit: u64) {
    let seed: PardotSeed = serde_json::from_value(json!({"business_units": [{
        "id": DEMO_BUSINESS_UNIT, "daily_call_limit": limit,
    }]}))
    .expect("valid seed");
    stack.sim.seed_pardot(&seed).expect("seeded");
}

/// Moves the business unit's probe time into the past, as if the hour had passed.
async fn probe_now(stack: &Stack) {
    let bu = sbxy_domain::ids::BusinessUnitId::parse(DEMO_BUSINESS_UNIT).expect("bu id");
    let mut state = stack
        .ctx
        .store
        .business_unit_state(&bu)
        .await
        .expect("read");
    state.paused_until = Some(chrono::Utc::now() - chrono::Duration::seconds(1));
    stack
        .ctx
        .store
        .save_business_unit_state(&bu, &state)
        .await
        .expect("saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliability_daily_budget_pauses_with_one_call_per_poll_until_the_reset() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    let used = stack.sim.stats().pardot.daily_usage[DEMO_BUSINESS_UNIT].used;
    set_daily_limit(&stack, used + 60);

    let limited = run(&stack).await;
    println!("limited run: {:?} {:?}", limited.outcome, limited.problem);
    let paused = matches!(limited.problem, Some(SyncProblem::DailyLimitReached { .. }));
    let status = stack
        .ctx
        .store
        .tenant(&tenant())
        .await
        .expect("read")
        .expect("tenant");
    let status_says_so = matches!(
        status.status.problem,
        Some(SyncProblem::DailyLimitReached { .. })
    );

    // Polls while paused: none may call Pardot.
    let mut paused_calls = Vec::new();
    for _ in 0..PAUSED_POLLS {
        let before = pardot_calls(&stack);
        let report = run(&stack).await;
        paused_calls.push(pardot_calls(&stack) - before);
        assert!(
            matches!(report.problem, Some(SyncProblem::DailyLimitReached { .. })),
            "a paused poll does not say why: {:?}",
            report.problem
        );
    }

    // The probe time comes, the budget is still spent: one probe call, paused again.
    probe_now(&stack).await;
    let before = pardot_calls(&stack);
    let probe = run(&stack).await;
    let probe_calls = pardot_calls(&stack) - before;
    println!(
        "probe: {:?} {:?}, {probe_calls} Pardot calls",
        probe.outcome, probe.problem
    );

    // Pardot resets the budget; the next probe resumes and the sync completes.
    stack.sim.pardot_daily_reset();
    set_daily_limit(&stack, 100_000);
    probe_now(&stack).await;
    let resumed = run_until_completed(&stack, 4).await;
    let actual = Snapshot::read(&stack, &demo_links());
    stack.stop().await;

    let figures = Figures {
        runs: 1 + PAUSED_POLLS as u64 + 1 + resumed.len() as u64,
        members: actual.members(),
        lost: actual.lost(),
        duplicates: actual.duplicates(),
        retries: 0,
        extra_write_attempts: 0,
        extra: serde_json::from_value(json!({
            "daily_limit": used + 60,
            "paused_poll_calls": paused_calls,
            "probe_calls": probe_calls,
            "status_problem": status.status.problem,
        }))
        .expect("an object"),
    };
    record("limits_daily_budget", &figures);

    assert!(
        paused,
        "code 122 did not pause the run: {:?}",
        limited.problem
    );
    assert!(status_says_so, "the status does not say the budget ran out");
    assert!(
        paused_calls.iter().all(|n| *n == 0),
        "paused polls called: {paused_calls:?}"
    );
    assert!(probe_calls <= 1, "the probe made {probe_calls} calls");
    assert!(
        matches!(probe.problem, Some(SyncProblem::DailyLimitReached { .. })),
        "{:?}",
        probe.problem
    );
    assert_eq!(
        resumed.last().map(|r| r.outcome),
        Some(SyncOutcome::Completed)
    );
    assert_eq!(figures.lost, 0);
    assert_eq!(figures.duplicates, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reliability_a_revoked_grant_needs_a_reconnect_and_stops_calling() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");
    let tokens = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant())
        .await
        .expect("read")
        .expect("stored tokens");
    let revoked = stack
        .http
        .post(format!("{}/services/oauth2/revoke", stack.sim.oauth_url))
        .form(&[("token", tokens.refresh_token.expose())])
        .send()
        .await
        .expect("revoke sent");
    assert!(revoked.status().is_success(), "{}", revoked.status());

    let first = run(&stack).await;
    let record_after = stack
        .ctx
        .store
        .tenant(&tenant())
        .await
        .expect("read")
        .expect("tenant");
    println!("after revocation: {:?} {:?}", first.outcome, first.problem);

    let stats = stack.sim.stats();
    let before = (stats.pardot.calls.total, stats.oauth.total);
    let mut later = Vec::new();
    for _ in 0..3 {
        later.push(run(&stack).await.outcome);
    }
    let stats = stack.sim.stats();
    let after = (stats.pardot.calls.total, stats.oauth.total);
    stack.stop().await;

    let figures = Figures {
        runs: 4,
        members: 0,
        lost: 0,
        duplicates: 0,
        retries: 0,
        extra_write_attempts: 0,
        extra: serde_json::from_value(json!({
            "first_outcome": first.outcome,
            "connection_state": format!("{:?}", record_after.connection.state),
            "calls_after": [after.0 - before.0, after.1 - before.1],
        }))
        .expect("an object"),
    };
    record("limits_invalid_grant", &figures);

    assert_eq!(
        first.problem,
        Some(SyncProblem::ReconnectNeeded),
        "{:?}",
        first.outcome
    );
    assert_eq!(
        record_after.connection.state,
        ConnectionState::ReconnectNeeded
    );
    assert_eq!(
        record_after.status.problem,
        Some(SyncProblem::ReconnectNeeded)
    );
    assert_eq!(after, before, "calls after reconnect-needed: {later:?}");
}
