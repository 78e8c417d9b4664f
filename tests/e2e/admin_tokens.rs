//! The token lifecycle against the Salesforce simulator: a cached access token saves a refresh,
//! a rotated refresh token is persisted before use and the old one dies after one use,
//! refreshes of one tenant are serialized across processes, "already being processed" gets a
//! short retry, and `invalid_grant` marks the tenant "reconnect needed" with no further calls.

use std::time::Duration;

use sbxy_domain::settings::PardotEnvironment;
use sbxy_domain::status::SyncProblem;
use sbxy_e2e::{sync, tenant};
use sbxy_harness::{Stack, StackOptions};
use sbxy_pardot_client::{AccessTokens, OAuthError, SalesforceEnvironment};
use sbxy_storage::ConnectionState;
use sbxy_sync::connection::TenantTokens;
use sbxy_sync::{Deadline, SyncOutcome};

use crate::admin_common::{demo_settings, refresh_tokens, status, token_calls};

/// A connected demo stack; `rotate` turns on refresh token rotation, `busy_ms` makes the
/// simulator refuse overlapping refreshes of one token for that long.
async fn connected(rotate: bool, busy_ms: Option<u64>) -> Stack {
    let mut seed = sbxy_harness::demo_seed().expect("seed");
    seed.salesforce.rotate_refresh_tokens = rotate;
    let mut options = StackOptions::default();
    if let Some(ms) = busy_ms {
        options.sim.oauth.reject_concurrent_refresh = true;
        options.sim.oauth.refresh_processing_ms = ms;
    }
    let stack = Stack::start(seed, options).await.expect("stack");
    stack
        .connect_tenant(&tenant(), demo_settings())
        .await
        .expect("connect");
    stack
}

/// Drops the cached access token, so the next Pardot caller must refresh.
async fn forget_access_token(stack: &Stack) {
    let secrets = &stack.ctx.secrets;
    let mut tokens = secrets
        .tenant_tokens(&tenant())
        .await
        .expect("read")
        .expect("tokens");
    tokens.access_token = None;
    tokens.issued_at_ms = None;
    secrets
        .save_tenant_tokens(&tenant(), &tokens)
        .await
        .expect("write");
}

async fn stored_refresh_token(stack: &Stack) -> sbxy_domain::Secret {
    stack
        .ctx
        .secrets
        .tenant_tokens(&tenant())
        .await
        .expect("read")
        .expect("tokens")
        .refresh_token
}

fn status_at_salesforce(stack: &Stack, token: &sbxy_domain::Secret) -> String {
    refresh_tokens(stack)
        .into_iter()
        .find(|(t, _)| t == token.expose())
        .map(|(_, status)| status)
        .unwrap_or_default()
}

#[tokio::test]
async fn the_cached_access_token_saves_a_refresh() {
    let stack = connected(false, None).await;
    let calls = token_calls(&stack);

    let report = sync(&stack).await.expect("run");
    let tokens = TenantTokens::load(&stack.ctx, &tenant(), PardotEnvironment::Production)
        .await
        .expect("tokens");
    tokens.current().await.expect("token");

    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    assert_eq!(
        token_calls(&stack),
        calls,
        "no refresh while the cached token is fresh"
    );
    stack.stop().await;
}

#[tokio::test]
async fn a_rotated_refresh_token_is_persisted_and_the_old_one_dies_after_one_use() {
    let stack = connected(true, None).await;
    let first = stored_refresh_token(&stack).await;
    forget_access_token(&stack).await;

    // The worker refreshes (with rotation) and keeps syncing with the new grant.
    let report = sync(&stack).await.expect("run");
    let second = stored_refresh_token(&stack).await;
    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    assert_ne!(first, second, "the rotated token was persisted");
    assert_eq!(status_at_salesforce(&stack, &first), "rotated");
    assert_eq!(status_at_salesforce(&stack, &second), "live");

    // The admin side refreshes the same way: the newest token is used and replaced.
    forget_access_token(&stack).await;
    let tokens = TenantTokens::load(&stack.ctx, &tenant(), PardotEnvironment::Production)
        .await
        .expect("tokens");
    tokens
        .current()
        .await
        .expect("refreshed with the persisted token");
    let third = stored_refresh_token(&stack).await;
    assert_ne!(third, second);
    assert_eq!(status_at_salesforce(&stack, &second), "rotated");

    // The first token was used once; presenting it again is refused.
    let oauth = stack.ctx.oauth().await.expect("oauth");
    let reused = oauth
        .refresh(SalesforceEnvironment::Production, &first)
        .await
        .expect_err("a rotated token is dead");
    assert!(
        matches!(reused, OAuthError::InvalidGrant { .. }),
        "{reused}"
    );
    stack.stop().await;
}

#[tokio::test]
async fn refreshes_of_one_tenant_are_serialized_across_processes() {
    let stack = connected(true, Some(300)).await;
    forget_access_token(&stack).await;
    let calls = token_calls(&stack);
    let original = stored_refresh_token(&stack).await;

    // Two providers stand for two Lambdas working on the tenant at once.
    let a = TenantTokens::load(&stack.ctx, &tenant(), PardotEnvironment::Production)
        .await
        .expect("tokens");
    let b = TenantTokens::load(&stack.ctx, &tenant(), PardotEnvironment::Production)
        .await
        .expect("tokens");
    let (token_a, token_b) = tokio::join!(a.current(), b.current());

    assert_eq!(
        token_a.expect("a got a token"),
        token_b.expect("b got a token"),
        "the second provider reused the first one's refresh"
    );
    assert_eq!(token_calls(&stack) - calls, 1, "one refresh at Salesforce");
    assert_eq!(status_at_salesforce(&stack, &original), "rotated");
    assert_eq!(
        status_at_salesforce(&stack, &stored_refresh_token(&stack).await),
        "live",
        "the grant survived"
    );
    stack.stop().await;
}

#[tokio::test]
async fn a_refresh_already_in_progress_elsewhere_gets_a_short_retry() {
    let stack = connected(false, Some(800)).await;
    forget_access_token(&stack).await;
    let refresh = stored_refresh_token(&stack).await;
    let oauth = stack.ctx.oauth().await.expect("oauth");

    // A refresh with the same token that does not take our lock (a tool, an old version).
    let outside = tokio::spawn(async move {
        oauth
            .refresh(SalesforceEnvironment::Production, &refresh)
            .await
            .map(|_| ())
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let tokens = TenantTokens::load(&stack.ctx, &tenant(), PardotEnvironment::Production)
        .await
        .expect("tokens");
    let ours = tokens.current().await;

    assert!(ours.is_ok(), "{ours:?}");
    outside
        .await
        .expect("task")
        .expect("the outside refresh worked");
    let refused = stack
        .sim
        .stats()
        .oauth
        .calls_with_status("POST /services/oauth2/token", "400");
    assert!(
        refused >= 1,
        "Salesforce said 'already being processed' at least once"
    );
    stack.stop().await;
}

#[tokio::test]
async fn invalid_grant_needs_a_reconnect_and_stops_all_calls_for_the_tenant() {
    let stack = connected(false, None).await;
    let oauth = stack.ctx.oauth().await.expect("oauth");
    // Someone revokes the integration in Salesforce (Connected Apps OAuth Usage).
    oauth
        .revoke(
            SalesforceEnvironment::Production,
            &stored_refresh_token(&stack).await,
        )
        .await
        .expect("revoke");
    let calls = token_calls(&stack);

    let report = sync(&stack).await.expect("run");

    assert_eq!(report.outcome, SyncOutcome::Stopped);
    assert_eq!(report.problem, Some(SyncProblem::ReconnectNeeded));
    assert_eq!(
        token_calls(&stack) - calls,
        1,
        "one refresh attempt, no retry loop"
    );
    let record = stack
        .ctx
        .store
        .tenant(&tenant())
        .await
        .expect("read")
        .expect("tenant");
    assert_eq!(record.connection.state, ConnectionState::ReconnectNeeded);
    let status = status(&stack).await;
    assert_eq!(status["connection"]["state"], "reconnect_needed");
    assert_eq!(status["next_action"]["code"], "reconnect");

    // The scheduler no longer picks the tenant: no call to Salesforce or Pardot at all.
    let (pardot, oauth_calls) = (stack.pardot_calls(), token_calls(&stack));
    for _ in 0..3 {
        let (tick, runs) = sbxy_sync::poller::poll_in_process(&stack.ctx, Deadline::none())
            .await
            .expect("tick");
        assert!(tick.jobs.is_empty() && runs.is_empty());
    }
    assert_eq!(stack.pardot_calls(), pardot);
    assert_eq!(token_calls(&stack), oauth_calls);
    stack.stop().await;
}

#[tokio::test]
async fn invalid_grant_on_the_admin_side_marks_reconnect_needed_too() {
    let stack = connected(false, None).await;
    let oauth = stack.ctx.oauth().await.expect("oauth");
    oauth
        .revoke(
            SalesforceEnvironment::Production,
            &stored_refresh_token(&stack).await,
        )
        .await
        .expect("revoke");
    forget_access_token(&stack).await;

    let tokens = TenantTokens::load(&stack.ctx, &tenant(), PardotEnvironment::Production)
        .await
        .expect("tokens");
    let refused = tokens.current().await.expect_err("grant is gone");

    assert!(refused.needs_reconnect(), "{refused}");
    assert!(
        stack
            .ctx
            .store
            .syncable_tenants()
            .await
            .expect("index")
            .is_empty()
    );
    assert_eq!(
        status(&stack).await["connection"]["state"],
        "reconnect_needed"
    );
    stack.stop().await;
}
