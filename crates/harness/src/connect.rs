//! Connecting a tenant the way an admin does, through the HTTP API: `connect` answers the
//! Salesforce consent URL; the simulated admin opens that page, signs in and presses "Allow";
//! the browser follows the redirect to our `/oauth/callback`, which ends on the admin page;
//! then the settings are saved with `PUT …/settings`. Each step is public so tests can stop
//! or interfere at any of them.

use anyhow::{Context, bail};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT_LANGUAGE, AUTHORIZATION, LOCATION};
use sbxy_domain::admin_token::{AdminClaims, TENANT_ADMIN_ROLE, sign_hs256};
use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::{PardotEnvironment, SettingsInput};
use serde_json::{Value, json};
use url::Url;

use crate::Stack;

/// The simulated Salesforce user of the demo seed.
pub const DEMO_USERNAME: &str = "marketing.admin@acme.example";
/// Its password in the simulator.
pub const DEMO_PASSWORD: &str = "demo-password";

/// What the admin presses on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// "Allow".
    Allow,
    /// "Deny".
    Deny,
}

/// The values one connect passed around, for tests that look for them where they must not
/// appear (logs).
#[derive(Debug, Clone)]
pub struct ConnectTrace {
    /// The admin token used for the API calls.
    pub admin_token: String,
    /// The consent URL `connect` answered (holds the signed `state`).
    pub authorize_url: Url,
    /// The callback URL Salesforce redirected to (holds the authorization code).
    pub callback_url: Url,
    /// The authorization code.
    pub code: String,
    /// Where the callback sent the browser: the admin page with the outcome.
    pub admin_page: Url,
}

impl Stack {
    /// A Backstage admin token of `tenant`, valid for ten minutes.
    pub fn admin_token(&self, tenant: &TenantId) -> String {
        self.admin_token_valid_for(tenant, chrono::Duration::minutes(10))
    }

    /// An admin token of `tenant` that expires after `lifetime`.
    pub fn admin_token_valid_for(&self, tenant: &TenantId, lifetime: chrono::Duration) -> String {
        let claims = AdminClaims {
            tenant_id: tenant.to_string(),
            role: vec![TENANT_ADMIN_ROLE.to_owned()],
            exp: (chrono::Utc::now() + lifetime).timestamp(),
            nbf: None,
            sub: Some("demo-admin".to_owned()),
        };
        let key = self.env.get("ADMIN_JWT_SECRET").map_or("", String::as_str);
        sign_hs256(&claims, key.as_bytes())
    }

    /// An API URL from a path such as `/tenants/t/pardot/status`.
    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.api_url)
    }

    /// Connects `tenant` through the consent page and saves `settings` through the API.
    pub async fn connect_tenant(
        &self,
        tenant: &TenantId,
        settings: SettingsInput,
    ) -> anyhow::Result<ConnectTrace> {
        let admin_token = self.admin_token(tenant);

        let authorize_url = self.start_connect(tenant, settings.environment).await?;
        let callback_url = self.consent(&authorize_url, Consent::Allow).await?;
        let code = callback_url
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .context("the consent page redirected without a code")?;
        let admin_page = self.finish_connect(&callback_url).await?;
        let outcome = admin_page.query_pairs().find(|(k, _)| k == "outcome");
        if outcome.as_ref().is_none_or(|(_, v)| v != "connected") {
            bail!("connecting ended with {outcome:?} ({admin_page})");
        }

        let (status, body) = self.put_settings(tenant, &settings, "en").await?;
        if status != StatusCode::OK {
            bail!("saving the settings failed with {status}: {body}");
        }
        Ok(ConnectTrace {
            admin_token,
            authorize_url,
            callback_url,
            code,
            admin_page,
        })
    }

    /// `POST …/connect`: the consent URL.
    pub async fn start_connect(
        &self,
        tenant: &TenantId,
        environment: PardotEnvironment,
    ) -> anyhow::Result<Url> {
        let response = self
            .http
            .post(self.api(&format!("/tenants/{tenant}/pardot/connect")))
            .header(
                AUTHORIZATION,
                format!("Bearer {}", self.admin_token(tenant)),
            )
            .json(&json!({ "environment": environment }))
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        if status != StatusCode::OK {
            bail!("connect failed with {status}: {body}");
        }
        let url = body["authorize_url"]
            .as_str()
            .context("connect answered no authorize_url")?;
        Ok(Url::parse(url)?)
    }

    /// Opens the consent page, signs in as the demo user and presses `consent`; returns the
    /// URL Salesforce sends the browser back to.
    pub async fn consent(&self, authorize_url: &Url, consent: Consent) -> anyhow::Result<Url> {
        let page = self.http.get(authorize_url.clone()).send().await?;
        let status = page.status();
        let html = page.text().await?;
        if status != StatusCode::OK || !html.contains("id=\"allow\"") {
            bail!("the consent page did not show (HTTP {status})");
        }

        // The page's form carries the authorize URL's parameters as hidden fields.
        let mut form: Vec<(String, String)> = authorize_url.query_pairs().into_owned().collect();
        form.push(("username".into(), DEMO_USERNAME.into()));
        form.push(("password".into(), DEMO_PASSWORD.into()));
        let decision = match consent {
            Consent::Allow => "allow",
            Consent::Deny => "deny",
        };
        form.push(("decision".into(), decision.into()));
        let mut action = authorize_url.clone();
        action.set_query(None);

        let response = self.http.post(action).form(&form).send().await?;
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .context("the consent page did not redirect")?;
        Ok(Url::parse(location)?)
    }

    /// Follows Salesforce's redirect to our callback; returns where the callback sends the
    /// browser (the admin page with the outcome). A plain page instead is an error carrying
    /// its text.
    pub async fn finish_connect(&self, callback_url: &Url) -> anyhow::Result<Url> {
        let response = self.callback(callback_url, "en").await?;
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        match location {
            Some(location) if status == StatusCode::SEE_OTHER => Ok(Url::parse(&location)?),
            _ => bail!("the callback answered {status}: {}", response.text().await?),
        }
    }

    /// `GET` of a callback URL as the admin's browser sends it.
    pub async fn callback(
        &self,
        callback_url: &Url,
        language: &str,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .http
            .get(callback_url.clone())
            .header(ACCEPT_LANGUAGE, language)
            .send()
            .await?)
    }

    /// `PUT …/settings` in `language`; the status and the JSON body.
    pub async fn put_settings(
        &self,
        tenant: &TenantId,
        settings: &SettingsInput,
        language: &str,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let response = self
            .http
            .put(self.api(&format!("/tenants/{tenant}/pardot/settings")))
            .header(
                AUTHORIZATION,
                format!("Bearer {}", self.admin_token(tenant)),
            )
            .header(ACCEPT_LANGUAGE, language)
            .json(settings)
            .send()
            .await?;
        Ok((response.status(), response.json().await?))
    }

    /// An authenticated `GET`/`POST` of an API path without a body; status and JSON body.
    pub async fn admin_call(
        &self,
        method: reqwest::Method,
        tenant: &TenantId,
        path: &str,
    ) -> anyhow::Result<(StatusCode, Value)> {
        let response = self
            .http
            .request(method, self.api(path))
            .header(
                AUTHORIZATION,
                format!("Bearer {}", self.admin_token(tenant)),
            )
            .send()
            .await?;
        let status = response.status();
        Ok((status, response.json().await.unwrap_or(Value::Null)))
    }
}
