//! Connecting a tenant the way an admin does: the Salesforce authorize page, "Allow", the code
//! exchange with PKCE, then saving settings. Until the admin API exists (issue 3), the harness
//! plays the browser and the callback with the product's own OAuth client and storage.

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use rand::RngCore;
use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::{PardotEnvironment, SettingsInput, TenantSettings};
use sbxy_pardot_client::SalesforceEnvironment;
use sbxy_storage::{Connection, ConnectionState, PardotTokens};
use sha2::{Digest, Sha256};

use crate::Stack;

/// The simulated Salesforce user of the demo seed.
pub const DEMO_USERNAME: &str = "marketing.admin@acme.example";
/// Its password in the simulator.
pub const DEMO_PASSWORD: &str = "demo-password";
/// Where Salesforce sends the browser back; never fetched here, only read from `Location`.
const REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

impl Stack {
    /// Connects `tenant` through the authorize page and saves `settings`.
    pub async fn connect_tenant(
        &self,
        tenant: &TenantId,
        settings: SettingsInput,
    ) -> anyhow::Result<()> {
        let settings = TenantSettings::from_input(settings)
            .map_err(|problems| anyhow::anyhow!("invalid settings: {problems:?}"))?;
        let environment = match settings.environment {
            PardotEnvironment::Production => SalesforceEnvironment::Production,
            PardotEnvironment::Developer => SalesforceEnvironment::Developer,
            PardotEnvironment::Sandbox => SalesforceEnvironment::Sandbox,
        };
        let oauth = self.ctx.oauth().await?;

        // PKCE: the verifier stays here, its S256 challenge goes to the authorize page.
        let mut bytes = [0_u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let verifier = Secret::new(URL_SAFE_NO_PAD.encode(bytes));
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()));
        let authorize = oauth.authorize_url(environment, REDIRECT_URI, "harness", Some(&challenge));

        // The admin signs in and presses "Allow".
        let code = approve(&authorize).await?;
        let grant = oauth
            .exchange_code(environment, &code, REDIRECT_URI, Some(&verifier))
            .await?;
        let refresh_token = grant
            .refresh_token
            .clone()
            .context("the code exchange returned no refresh token")?;
        let identity = oauth.identity(environment, &grant).await?;

        let tokens = PardotTokens {
            refresh_token,
            access_token: Some(grant.access_token.clone()),
            issued_at_ms: Some(grant.issued_at.timestamp_millis()),
        };
        self.ctx.secrets.save_tenant_tokens(tenant, &tokens).await?;
        self.ctx
            .store
            .update_tenant(tenant, |record| {
                record.settings = Some(settings.clone());
                record.connection = Connection {
                    state: ConnectionState::Connected,
                    environment: settings.environment,
                    salesforce_user_id: Some(identity.user_id.clone()),
                    salesforce_username: identity.username.clone(),
                    connected_at: Some(Utc::now()),
                };
            })
            .await?;
        Ok(())
    }
}

/// Submits the authorize page's form with the demo user and "Allow"; returns the code from
/// the redirect.
async fn approve(authorize: &url::Url) -> anyhow::Result<Secret> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("username".into(), DEMO_USERNAME.into()));
    form.push(("password".into(), DEMO_PASSWORD.into()));
    form.push(("decision".into(), "allow".into()));

    let mut action = authorize.clone();
    action.set_query(None);
    let response = http.post(action).form(&form).send().await?;
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("the authorize page did not redirect")?;
    let redirect = url::Url::parse(location)?;

    match redirect.query_pairs().find(|(k, _)| k == "code") {
        Some((_, code)) => Ok(Secret::new(code.into_owned())),
        None => bail!("the authorize page redirected without a code"),
    }
}
