//! The first step of connecting: remember the attempt and build the Salesforce consent URL.

use chrono::{DateTime, Duration, Utc};
use sbxy_domain::connect_state::{ConnectState, STATE_LIFETIME_SECS, pkce_challenge};
use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::PardotEnvironment;
use url::Url;

use super::{ConnectSetup, ConnectionError, salesforce_environment};
use crate::context::AppContext;

/// Starts a connect attempt of `admin` for `tenant` (created when seen for the first time) and
/// returns the URL of the Salesforce consent page: PKCE S256, scope `pardot_api
/// refresh_token`, and a signed `state` that can be redeemed once within ten minutes.
pub async fn start_connect(
    ctx: &AppContext,
    setup: &ConnectSetup,
    tenant: &TenantId,
    admin: &str,
    environment: PardotEnvironment,
    now: DateTime<Utc>,
) -> Result<Url, ConnectionError> {
    if ctx.store.tenant(tenant).await?.is_none() {
        ctx.store.update_tenant(tenant, |_| {}).await?;
        tracing::info!(tenant = %tenant, "tenant seen for the first time; created");
    }

    // The marker makes the state single-use; it expires with the state.
    let expires_at = now + Duration::seconds(STATE_LIFETIME_SECS);
    let state = ConnectState {
        tenant_id: tenant.to_string(),
        admin: admin.to_owned(),
        environment,
        nonce: uuid::Uuid::new_v4().simple().to_string(),
        expires_at: expires_at.timestamp(),
    };
    ctx.store
        .put_connect_state(&state.nonce, tenant, expires_at)
        .await?;

    let challenge = pkce_challenge(&state.pkce_verifier(&setup.state_key));
    let url = ctx.oauth().await?.authorize_url(
        salesforce_environment(environment),
        &setup.redirect_uri,
        &state.seal(&setup.state_key),
        Some(&challenge),
    );
    tracing::info!(
        tenant = %tenant,
        environment = environment.as_str(),
        "connect attempt started"
    );
    Ok(url)
}
