//! Salesforce OAuth for the Pardot API: build the consent URL, exchange the code, refresh,
//! revoke, and read who connected. Tokens travel only in request bodies and headers, never
//! in errors or logs.

mod error;
mod grant;

use std::time::Duration;

use reqwest::header::ACCEPT;
use sbxy_domain::Secret;
use tracing::{debug, instrument};
use url::Url;

pub use error::OAuthError;
pub use grant::{Identity, TokenGrant};

use crate::config::{LoginEndpoints, SalesforceEnvironment, endpoint};

/// Scopes the product asks for: Pardot API access plus a refresh token for unattended syncs.
pub const DEFAULT_SCOPE: &str = "pardot_api refresh_token";

/// How long one call to the login host may take before it counts as a transport failure.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Talks to the Salesforce login hosts on behalf of one connected app.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    http: reqwest::Client,
    endpoints: LoginEndpoints,
    client_id: String,
    client_secret: Secret,
    timeout: Duration,
}

impl OAuthClient {
    pub fn new(
        http: reqwest::Client,
        endpoints: LoginEndpoints,
        client_id: String,
        client_secret: Secret,
    ) -> Self {
        Self {
            http,
            endpoints,
            client_id,
            client_secret,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Replaces the per-call timeout (default [`DEFAULT_TIMEOUT`]), so a hanging login host
    /// can't hold a token refresh, and with it every Pardot call of the BU, forever.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The browser URL that asks an admin for consent. `code_challenge` is the base64url
    /// SHA-256 of the PKCE verifier, required when the connected app enforces PKCE.
    pub fn authorize_url(
        &self,
        environment: SalesforceEnvironment,
        redirect_uri: &str,
        state: &str,
        code_challenge: Option<&str>,
    ) -> Url {
        let mut url = endpoint(
            self.endpoints.base(environment),
            "services/oauth2/authorize",
        );
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", DEFAULT_SCOPE)
                .append_pair("state", state);
            if let Some(challenge) = code_challenge {
                query
                    .append_pair("code_challenge", challenge)
                    .append_pair("code_challenge_method", "S256");
            }
        }
        url
    }

    /// Trades a refresh token for a new access token (and, with rotation on, a new refresh
    /// token that replaces the one passed in).
    #[instrument(skip_all, fields(environment = ?environment))]
    pub async fn refresh(
        &self,
        environment: SalesforceEnvironment,
        refresh_token: &Secret,
    ) -> Result<TokenGrant, OAuthError> {
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
            ("client_id", &self.client_id),
            ("client_secret", self.client_secret.expose()),
        ];
        self.token_request(environment, &form).await
    }

    /// Trades the authorization code from the consent redirect for the first grant.
    #[instrument(skip_all, fields(environment = ?environment))]
    pub async fn exchange_code(
        &self,
        environment: SalesforceEnvironment,
        code: &Secret,
        redirect_uri: &str,
        code_verifier: Option<&Secret>,
    ) -> Result<TokenGrant, OAuthError> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code.expose()),
            ("client_id", &self.client_id),
            ("client_secret", self.client_secret.expose()),
            ("redirect_uri", redirect_uri),
        ];
        if let Some(verifier) = code_verifier {
            form.push(("code_verifier", verifier.expose()));
        }
        self.token_request(environment, &form).await
    }

    /// Revokes an access or refresh token; revoking the refresh token ends the whole grant.
    /// An already-dead token comes back as `Other { error: "invalid_token", .. }`, which a
    /// disconnect may treat as done.
    #[instrument(skip_all, fields(environment = ?environment))]
    pub async fn revoke(
        &self,
        environment: SalesforceEnvironment,
        token: &Secret,
    ) -> Result<(), OAuthError> {
        let url = endpoint(self.endpoints.base(environment), "services/oauth2/revoke");

        let response = self
            .http
            .post(url)
            .header(ACCEPT, "application/json")
            .timeout(self.timeout)
            .form(&[("token", token.expose())])
            .send()
            .await
            .map_err(OAuthError::transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(OAuthError::transport)?;

        if status.is_success() {
            debug!("token revoked");
            return Ok(());
        }
        Err(OAuthError::from_response(status.as_u16(), &body))
    }

    /// Reads the authorizing user from the grant's identity URL. The access token is sent only
    /// if that URL is on the configured login host of `environment`.
    #[instrument(skip_all, fields(environment = ?environment))]
    pub async fn identity(
        &self,
        environment: SalesforceEnvironment,
        grant: &TokenGrant,
    ) -> Result<Identity, OAuthError> {
        let allowed = self.endpoints.base(environment).origin();
        if grant.id.origin() != allowed {
            return Err(OAuthError::HostNotAllowed {
                origin: grant.id.origin().ascii_serialization(),
            });
        }

        let response = self
            .http
            .get(grant.id.clone())
            .header(ACCEPT, "application/json")
            .timeout(self.timeout)
            .bearer_auth(grant.access_token.expose())
            .send()
            .await
            .map_err(OAuthError::transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(OAuthError::transport)?;

        if !status.is_success() {
            return Err(OAuthError::from_response(status.as_u16(), &body));
        }
        serde_json::from_slice(&body).map_err(|err| OAuthError::Decode {
            status: status.as_u16(),
            detail: crate::json::describe_error(&err),
        })
    }

    /// POSTs a form to the token endpoint and decodes either outcome.
    async fn token_request(
        &self,
        environment: SalesforceEnvironment,
        form: &[(&str, &str)],
    ) -> Result<TokenGrant, OAuthError> {
        let url = endpoint(self.endpoints.base(environment), "services/oauth2/token");

        let response = self
            .http
            .post(url)
            .header(ACCEPT, "application/json")
            .timeout(self.timeout)
            .form(form)
            .send()
            .await
            .map_err(OAuthError::transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(OAuthError::transport)?;

        if status.is_success() {
            let grant = TokenGrant::decode(status.as_u16(), &body)?;
            debug!(rotated = grant.refresh_token.is_some(), "token granted");
            return Ok(grant);
        }
        let err = OAuthError::from_response(status.as_u16(), &body);
        debug!(status = status.as_u16(), error = %err, "token request failed");
        Err(err)
    }
}
