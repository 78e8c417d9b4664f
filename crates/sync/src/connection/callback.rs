//! The OAuth callback: redeem the `state`, exchange the code with the PKCE verifier, keep the
//! refresh token in Secrets Manager, record the Salesforce user, check the connection with one
//! cheap Pardot call, and mark the tenant connected. Anything an admin or Salesforce caused
//! (a denial, a stale link, a refused exchange) ends as a [`ConnectOutcome`] with the tenant
//! left as it was.

use chrono::{DateTime, Utc};
use sbxy_domain::Secret;
use sbxy_domain::connect_state::{ConnectOutcome, ConnectState};
use sbxy_domain::ids::TenantId;
use sbxy_domain::status::SyncProblem;
use sbxy_pardot_client::{Identity, TokenGrant};
use sbxy_storage::{Connection, ConnectionState, PardotTokens, TenantRecord};
use serde::Deserialize;
use tracing::Instrument;

use super::{ConnectSetup, ConnectionError, pardot_client, salesforce_environment};
use crate::context::AppContext;
use crate::error::{Failure, pardot_failure};

/// The query string Salesforce sends the browser back with.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackParams {
    /// The authorization code (single use, short-lived).
    #[serde(default)]
    pub code: Option<Secret>,
    /// Our signed `state`, echoed back.
    #[serde(default)]
    pub state: Option<String>,
    /// Set instead of `code` when the admin denied or Salesforce refused.
    #[serde(default)]
    pub error: Option<String>,
    /// Salesforce's words for `error`.
    #[serde(default)]
    pub error_description: Option<String>,
}

/// How the callback ended, and for which tenant (known once the `state` is genuine).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackResult {
    /// What the admin page shows.
    pub outcome: ConnectOutcome,
    /// The tenant of a genuine `state`.
    pub tenant: Option<TenantId>,
}

/// Finishes a connect attempt. `now` decides the `state`'s expiry.
pub async fn finish_connect(
    ctx: &AppContext,
    setup: &ConnectSetup,
    params: CallbackParams,
    now: DateTime<Utc>,
) -> Result<CallbackResult, ConnectionError> {
    let (state, tenant) = match redeem(ctx, setup, params.state.as_deref(), now).await? {
        Ok(redeemed) => redeemed,
        Err(outcome) => {
            tracing::warn!(outcome = outcome.code(), "OAuth callback refused");
            return Ok(CallbackResult {
                outcome,
                tenant: None,
            });
        }
    };
    let span = tracing::info_span!("connect", tenant = %tenant);
    let outcome = connect(ctx, setup, params, &state, &tenant)
        .instrument(span)
        .await?;
    Ok(CallbackResult {
        outcome,
        tenant: Some(tenant),
    })
}

/// The steps after a genuine `state`: each early return leaves the tenant as it was.
async fn connect(
    ctx: &AppContext,
    setup: &ConnectSetup,
    params: CallbackParams,
    state: &ConnectState,
    tenant: &TenantId,
) -> Result<ConnectOutcome, ConnectionError> {
    // Salesforce sent an error instead of a code.
    if let Some(error) = params.error.as_deref() {
        let outcome = if error == "access_denied" {
            ConnectOutcome::Denied
        } else {
            ConnectOutcome::AuthorizeFailed
        };
        tracing::info!(
            error,
            description = params.error_description.as_deref().unwrap_or_default(),
            outcome = outcome.code(),
            "Salesforce did not authorize"
        );
        return Ok(outcome);
    }
    let Some(code) = params.code else {
        tracing::warn!("callback without code or error");
        return Ok(ConnectOutcome::AuthorizeFailed);
    };

    // The code and the verifier prove this is the browser that started the attempt.
    let environment = salesforce_environment(state.environment);
    let oauth = ctx.oauth().await?;
    let verifier = state.pkce_verifier(&setup.state_key);
    let grant = match oauth
        .exchange_code(environment, &code, &setup.redirect_uri, Some(&verifier))
        .await
    {
        Ok(grant) => grant,
        Err(err) => {
            tracing::warn!(error = %err, "code exchange failed; tenant not connected");
            return Ok(ConnectOutcome::ExchangeFailed);
        }
    };
    let Some(refresh_token) = grant
        .refresh_token
        .clone()
        .filter(|_| grant.has_pardot_scope())
    else {
        tracing::warn!(scope = ?grant.scope, "grant lacks pardot_api or a refresh token");
        return Ok(ConnectOutcome::ScopeMissing);
    };
    let identity = match oauth.identity(environment, &grant).await {
        Ok(identity) => Some(identity),
        Err(err) => {
            tracing::warn!(error = %err, "identity not readable; keeping the ids of the grant");
            None
        }
    };

    // Keep the tokens before the tenant reads "connected", so a worker never finds it
    // connected without them.
    let previous = ctx.secrets.tenant_tokens(tenant).await?;
    let tokens = PardotTokens {
        refresh_token: refresh_token.clone(),
        access_token: Some(grant.access_token.clone()),
        issued_at_ms: Some(Utc::now().timestamp_millis()),
    };
    ctx.secrets.save_tenant_tokens(tenant, &tokens).await?;
    let record = ctx
        .store
        .tenant(tenant)
        .await?
        .unwrap_or_else(|| TenantRecord::new(tenant.clone()));
    if let Some(old) = previous.filter(|old| old.refresh_token != refresh_token) {
        revoke_replaced(ctx, &record, &old.refresh_token).await;
    }

    let problem = verify(ctx, &record, tenant, state).await;
    let outcome = match problem {
        None => ConnectOutcome::Connected,
        Some(_) => ConnectOutcome::ConnectedUnverified,
    };
    let connection = connection_of(state, &grant, identity.as_ref());
    let user = connection.salesforce_user_id.clone().unwrap_or_default();
    ctx.store
        .update_tenant(tenant, |record| {
            record.connection = connection.clone();
            if let Some(settings) = record.settings.as_mut() {
                settings.environment = state.environment;
            }
            record.status.problem.clone_from(&problem);
        })
        .await?;
    tracing::info!(
        outcome = outcome.code(),
        environment = state.environment.as_str(),
        salesforce_user = %user,
        "tenant connected"
    );
    Ok(outcome)
}

/// Checks the `state`'s signature and age, then takes its single-use marker.
async fn redeem(
    ctx: &AppContext,
    setup: &ConnectSetup,
    raw: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Result<(ConnectState, TenantId), ConnectOutcome>, ConnectionError> {
    let Some(raw) = raw.filter(|s| !s.is_empty()) else {
        return Ok(Err(ConnectOutcome::StateInvalid));
    };
    let state = match ConnectState::open(raw, &setup.state_key, now.timestamp()) {
        Ok(state) => state,
        Err(err) => return Ok(Err(err.into())),
    };
    let Ok(tenant) = TenantId::parse(&state.tenant_id) else {
        return Ok(Err(ConnectOutcome::StateInvalid));
    };

    if !ctx
        .store
        .take_connect_state(&state.nonce, &tenant, now)
        .await?
    {
        return Ok(Err(ConnectOutcome::StateReused));
    }
    Ok(Ok((state, tenant)))
}

/// One cheap Pardot call (the account) with the saved Business Unit ID, if there is one: it
/// proves token, business unit and host belong together. Returns the problem it found.
async fn verify(
    ctx: &AppContext,
    record: &TenantRecord,
    tenant: &TenantId,
    state: &ConnectState,
) -> Option<SyncProblem> {
    let settings = record.settings.as_ref()?;
    let business_unit = settings.business_unit_id.as_ref()?;

    let client = match pardot_client(ctx, tenant, state.environment, business_unit).await {
        Ok((client, _)) => client,
        Err(err) => {
            return Some(SyncProblem::Transient {
                detail: err.to_string(),
            });
        }
    };
    let Err(err) = client.account().await else {
        tracing::info!(business_unit = %business_unit, "Pardot accepted the connection");
        return None;
    };
    tracing::warn!(business_unit = %business_unit, error = %err, "Pardot refused the check call");
    let field = settings
        .link_field
        .as_ref()
        .map_or("", |field| field.as_str());
    // Anything that would not stop a sync run is a passing fault here too.
    Some(match pardot_failure(&err, field, Utc::now()) {
        Failure::Stop(problem) => problem,
        _ => SyncProblem::Transient {
            detail: err.to_string(),
        },
    })
}

/// Revokes the grant a reconnect replaced, so no forgotten grant stays live at Salesforce.
async fn revoke_replaced(ctx: &AppContext, record: &TenantRecord, old: &Secret) {
    let environment = salesforce_environment(record.connection.environment);
    let revoked = match ctx.oauth().await {
        Ok(oauth) => oauth
            .revoke(environment, old)
            .await
            .map_err(|e| e.to_string()),
        Err(err) => Err(err.to_string()),
    };
    if let Err(error) = revoked {
        tracing::warn!(%error, "the replaced grant could not be revoked");
    }
}

/// The connection record: who connected, as which Salesforce user, for which environment.
fn connection_of(
    state: &ConnectState,
    grant: &TokenGrant,
    identity: Option<&Identity>,
) -> Connection {
    // The grant's identity URL ends in `/id/<org id>/<user id>`.
    let user_from_grant = grant
        .id
        .path_segments()
        .and_then(|mut segments| segments.next_back().map(str::to_owned));

    Connection {
        state: ConnectionState::Connected,
        environment: state.environment,
        salesforce_user_id: identity.map(|i| i.user_id.clone()).or(user_from_grant),
        salesforce_username: identity.and_then(|i| i.username.clone()),
        connected_at: Some(Utc::now()),
        connected_by: Some(state.admin.clone()),
    }
}
