//! Where the client is pointed and how it authenticates, retries and pages: every guess about
//! the wire that a tenant's real OpenAPI document may overturn lives here as a setting.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};
use sbxy_domain::Secret;
use url::Url;

/// The largest page the contract lets a client ask for (`take` ≤ 100).
pub const MAX_PAGE_SIZE: u32 = 100;

/// How to reach one STREAMBOXY deployment.
///
/// The credential is deliberately not part of this struct: the caller loads it from Secrets
/// Manager and hands it to [`crate::StreamboxyClient::new`], so this value can be logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamboxyConfig {
    /// The API root; tenant paths (`tenant/{id}/…`) are appended to whatever path it has.
    pub base_url: Url,

    /// The header that carries the API key. The real header name is not public.
    pub auth_header: String,

    /// Prefix before the key (`Bearer <key>`); `None` sends the raw key, as an
    /// `X-Api-Key`-style header expects.
    pub auth_scheme: Option<String>,

    /// Upper bound for one HTTP attempt, including reading the body.
    pub request_timeout: Duration,

    /// How many times one call is repeated after a 429, a 5xx, a timeout or a reset.
    pub max_retries: u32,

    /// `take` for paged lists; values above [`MAX_PAGE_SIZE`] are clamped.
    pub page_size: u32,

    /// First backoff step; each retry doubles it, and full jitter picks a point below it.
    pub backoff_base: Duration,

    /// Ceiling for one backoff step.
    pub backoff_max: Duration,

    /// Longest `Retry-After` we honour; a longer one is shortened to this, so a confused
    /// server cannot park a sync run for an hour.
    pub retry_after_cap: Duration,
}

impl StreamboxyConfig {
    /// The contract-v0 defaults for a deployment at `base_url`.
    pub fn new(base_url: Url) -> Self {
        Self {
            base_url,
            auth_header: "Authorization".to_owned(),
            auth_scheme: Some("Bearer".to_owned()),
            request_timeout: Duration::from_secs(15),
            max_retries: 3,
            page_size: MAX_PAGE_SIZE,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(5),
            retry_after_cap: Duration::from_secs(30),
        }
    }

    /// `page_size` clamped to what the contract allows.
    pub(crate) fn take(&self) -> u32 {
        self.page_size.clamp(1, MAX_PAGE_SIZE)
    }

    /// Builds the authentication header once, marked sensitive so `http`'s own `Debug`
    /// prints it as `Sensitive`.
    pub(crate) fn auth_header(
        &self,
        credential: &Secret,
    ) -> Result<(HeaderName, HeaderValue), ConfigError> {
        let name = HeaderName::from_bytes(self.auth_header.as_bytes())
            .map_err(|_| ConfigError::HeaderName(self.auth_header.clone()))?;

        if credential.is_empty() {
            return Err(ConfigError::EmptyCredential);
        }

        let raw = match &self.auth_scheme {
            Some(scheme) => format!("{scheme} {}", credential.expose()),
            None => credential.expose().to_owned(),
        };
        let mut value = HeaderValue::from_str(&raw).map_err(|_| ConfigError::CredentialBytes)?;
        value.set_sensitive(true);

        Ok((name, value))
    }

    /// Rejects a base URL the client could not append paths to, or one that would send the
    /// key over plain HTTP to anything but the local machine.
    pub(crate) fn check_base_url(&self) -> Result<(), ConfigError> {
        let url = &self.base_url;

        if url.cannot_be_a_base() {
            return Err(ConfigError::BaseUrl(url.to_string()));
        }

        let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        match url.scheme() {
            "https" => Ok(()),
            "http" if local => Ok(()),
            _ => Err(ConfigError::BaseUrl(url.to_string())),
        }
    }
}

/// A configuration that cannot work; found when the client is built, before any call.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "the STREAMBOXY base URL {0} is unusable: use an https URL \
         (plain http only for 127.0.0.1 or localhost)"
    )]
    BaseUrl(String),

    #[error("the STREAMBOXY auth header name {0:?} is not a valid HTTP header name: fix it")]
    HeaderName(String),

    #[error("the STREAMBOXY API key is empty: store the tenant's key in the secret")]
    EmptyCredential,

    #[error(
        "the STREAMBOXY API key or auth scheme contains bytes an HTTP header cannot carry: \
         check the stored secret for line breaks"
    )]
    CredentialBytes,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str) -> StreamboxyConfig {
        StreamboxyConfig::new(Url::parse(base).expect("test URL is valid"))
    }

    #[test]
    fn bearer_by_default_and_raw_when_scheme_is_none() {
        let key = Secret::new("k-123");
        let mut config = config("https://api.example.com");

        let (name, value) = config.auth_header(&key).expect("valid header");
        assert_eq!(name.as_str(), "authorization");
        assert_eq!(value.to_str().expect("ascii"), "Bearer k-123");
        assert!(value.is_sensitive());

        config.auth_header = "X-Api-Key".to_owned();
        config.auth_scheme = None;
        let (name, value) = config.auth_header(&key).expect("valid header");
        assert_eq!(name.as_str(), "x-api-key");
        assert_eq!(value.to_str().expect("ascii"), "k-123");
    }

    #[test]
    fn bad_header_inputs_are_refused_without_echoing_the_key() {
        let config = config("https://api.example.com");

        let err = config
            .auth_header(&Secret::new("k3y-9\nzq"))
            .expect_err("newline");
        let text = format!("{err} {err:?}");
        assert!(
            !text.contains("k3y-9") && !text.contains("zq"),
            "key echoed: {text}"
        );
        assert!(matches!(
            config.auth_header(&Secret::new("")),
            Err(ConfigError::EmptyCredential)
        ));
    }

    #[test]
    fn plain_http_only_for_the_local_machine() {
        assert!(config("http://127.0.0.1:8080").check_base_url().is_ok());
        assert!(
            config("https://api.example.com/v0/")
                .check_base_url()
                .is_ok()
        );
        assert!(config("http://api.example.com").check_base_url().is_err());
        assert!(config("mailto:ops@example.com").check_base_url().is_err());
    }

    #[test]
    fn page_size_is_clamped_to_the_contract() {
        let mut config = config("https://api.example.com");
        config.page_size = 500;
        assert_eq!(config.take(), 100);
        config.page_size = 0;
        assert_eq!(config.take(), 1);
    }
}
