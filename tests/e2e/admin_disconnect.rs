//! Disconnecting: the grant is revoked at Salesforce (the simulator), the secret is deleted,
//! the tenant reads "not connected", leaves the sync index, and its sync stops.

use reqwest::{Method, StatusCode};
use sbxy_e2e::{sync, tenant};
use sbxy_sync::SyncOutcome;

use crate::admin_common::{assert_not_connected, demo_settings, refresh_tokens, stack, status};

#[tokio::test]
async fn disconnect_revokes_the_grant_deletes_the_secret_and_stops_the_sync() {
    let stack = stack().await;
    let tenant = tenant();
    stack
        .connect_tenant(&tenant, demo_settings())
        .await
        .expect("connect");
    let refresh = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant)
        .await
        .expect("read")
        .expect("tokens")
        .refresh_token;

    let (code, body) = stack
        .admin_call(
            Method::POST,
            &tenant,
            &format!("/tenants/{tenant}/pardot/disconnect"),
        )
        .await
        .expect("disconnect");

    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["revoked"], true);
    assert_eq!(body["connection"], "not_connected");
    let at_salesforce: Vec<_> = refresh_tokens(&stack)
        .into_iter()
        .filter(|(token, _)| token == refresh.expose())
        .map(|(_, state)| state)
        .collect();
    assert_eq!(at_salesforce, ["revoked"], "revoked at the simulator");
    assert_not_connected(&stack).await;
    assert!(
        stack
            .ctx
            .store
            .syncable_tenants()
            .await
            .expect("index")
            .is_empty()
    );
    assert_eq!(status(&stack).await["next_action"]["code"], "connect");

    let pardot_before = stack.pardot_calls();
    let report = sync(&stack).await.expect("run");
    assert_eq!(report.outcome, SyncOutcome::Skipped);
    assert_eq!(
        stack.pardot_calls(),
        pardot_before,
        "no Pardot call after disconnect"
    );

    // Disconnecting again finds nothing to revoke and still succeeds.
    let (code, body) = stack
        .admin_call(
            Method::POST,
            &tenant,
            &format!("/tenants/{tenant}/pardot/disconnect"),
        )
        .await
        .expect("disconnect");
    assert_eq!(code, StatusCode::OK);
    assert_eq!(body["revoked"], false);
    stack.stop().await;
}
