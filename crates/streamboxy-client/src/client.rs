//! The STREAMBOXY client: configuration checked once, the credential turned into a header
//! once, and tenant-scoped URLs built safely. The operations live in `events`, `users` and
//! `access`; sending and retrying lives in `transport`.

use std::fmt;
use std::sync::Arc;

use reqwest::header::{HeaderName, HeaderValue};
use sbxy_domain::Secret;
use url::Url;

use crate::StreamboxyError;
use crate::config::{ConfigError, StreamboxyConfig};
use crate::retry::RetryPolicy;
use crate::stats::{CallStats, StatsRecorder};

/// A client of one STREAMBOXY deployment; cheap to clone (clones share counters).
///
/// Every operation takes the tenant id, because one API key may serve several tenants and
/// every contract path is `/tenant/{tenantId}/…`.
#[derive(Clone)]
pub struct StreamboxyClient {
    pub(crate) http: reqwest::Client,
    pub(crate) config: StreamboxyConfig,
    pub(crate) policy: RetryPolicy,
    pub(crate) auth: (HeaderName, HeaderValue),
    pub(crate) stats: Arc<StatsRecorder>,
}

impl StreamboxyClient {
    /// Checks `config` and prepares the auth header from `credential`.
    ///
    /// `http` is shared so connections are reused; its own timeout, if any, still applies,
    /// and `config.request_timeout` bounds every single attempt.
    pub fn new(
        http: reqwest::Client,
        config: StreamboxyConfig,
        credential: &Secret,
    ) -> Result<Self, ConfigError> {
        config.check_base_url()?;
        let auth = config.auth_header(credential)?;

        let policy = RetryPolicy {
            max_retries: config.max_retries,
            backoff_base: config.backoff_base,
            backoff_max: config.backoff_max,
            retry_after_cap: config.retry_after_cap,
        };

        Ok(Self {
            http,
            config,
            policy,
            auth,
            stats: Arc::default(),
        })
    }

    /// The configuration this client was built with (no credential in it).
    pub fn config(&self) -> &StreamboxyConfig {
        &self.config
    }

    /// Counters of every HTTP attempt made so far by this client and its clones.
    pub fn stats(&self) -> CallStats {
        self.stats.snapshot()
    }

    /// `{base}/tenant/{tenant}/{rest…}` with every id percent-encoded as one path segment.
    ///
    /// Ids come from configuration and from STREAMBOXY itself; an empty or dot-only id would
    /// silently address a different route, so it is refused instead.
    pub(crate) fn tenant_url(&self, tenant: &str, rest: &[&str]) -> Result<Url, StreamboxyError> {
        let mut url = self.config.base_url.clone();

        for id in std::iter::once(tenant).chain(rest.iter().copied()) {
            if matches!(id.trim(), "" | "." | "..") {
                return Err(StreamboxyError::InvalidId { id: id.to_owned() });
            }
        }

        url.path_segments_mut()
            .map_err(|()| StreamboxyError::InvalidId {
                id: tenant.to_owned(),
            })?
            .pop_if_empty()
            .push("tenant")
            .push(tenant)
            .extend(rest);
        url.set_query(None);

        Ok(url)
    }
}

impl fmt::Debug for StreamboxyClient {
    /// Shows where the client points; the auth header is left out entirely.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamboxyClient")
            .field("config", &self.config)
            .field("auth_header", &self.auth.0)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> StreamboxyClient {
        let config = StreamboxyConfig::new(Url::parse(base).expect("test URL is valid"));
        StreamboxyClient::new(reqwest::Client::new(), config, &Secret::new("key-42"))
            .expect("valid config")
    }

    #[test]
    fn builds_tenant_urls_under_the_base_path() {
        let url = client("https://api.example.com/v0/")
            .tenant_url("t-1", &["Event", "e/1?x"])
            .expect("valid ids");

        assert_eq!(
            url.as_str(),
            "https://api.example.com/v0/tenant/t-1/Event/e%2F1%3Fx"
        );
    }

    #[test]
    fn refuses_ids_that_would_change_the_route() {
        let client = client("https://api.example.com");

        for bad in ["", " ", ".", ".."] {
            let err = client
                .tenant_url("t", &["Event", bad])
                .expect_err("refused");
            assert!(matches!(err, StreamboxyError::InvalidId { .. }));
        }
    }

    #[test]
    fn debug_leaves_the_key_out() {
        let text = format!("{:?}", client("https://api.example.com"));

        assert!(text.contains("api.example.com"));
        assert!(!text.contains("key-42"));
    }
}
