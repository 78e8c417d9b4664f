//! The service's configuration, read from environment variables. Every variable has a
//! production default or a startup error that names it (docs/configuration.md holds the table),
//! so the same binaries run against the simulators, a test tenant or production.

use std::time::Duration;

use url::Url;

/// A variable that is missing or unusable. The message names the variable and the fix.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable without a default is not set.
    #[error("environment variable {name} is not set; {hint}")]
    Missing {
        /// The variable.
        name: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A variable is set to something unusable.
    #[error("environment variable {name} is invalid ({value:?}): expected {expected}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it holds (never used for secret variables).
        value: String,
        /// What it should hold.
        expected: &'static str,
    },
}

/// Where the Salesforce client secret comes from.
#[derive(Clone)]
pub enum ClientSecretSource {
    /// `SALESFORCE_CLIENT_SECRET`, for local runs.
    Value(sbxy_domain::Secret),
    /// `SALESFORCE_CLIENT_SECRET_NAME`, a Secrets Manager secret, in AWS.
    SecretName(String),
}

impl std::fmt::Debug for ClientSecretSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Value(_) => f.write_str("Value(***)"),
            Self::SecretName(name) => write!(f, "SecretName({name})"),
        }
    }
}

/// Everything the poller and the worker need to know about their surroundings.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    /// Pardot API base for production business units (`PARDOT_API_URL`).
    pub pardot_api_url: Url,
    /// Pardot API base for developer and sandbox business units (`PARDOT_DEMO_API_URL`).
    pub pardot_demo_api_url: Url,
    /// Salesforce login host for production and developer orgs (`SALESFORCE_LOGIN_URL`).
    pub salesforce_login_url: Url,
    /// Salesforce login host for sandboxes (`SALESFORCE_SANDBOX_LOGIN_URL`).
    pub salesforce_sandbox_login_url: Url,
    /// The connected app's consumer key (`SALESFORCE_CLIENT_ID`).
    pub salesforce_client_id: String,
    /// The connected app's consumer secret.
    pub salesforce_client_secret: ClientSecretSource,
    /// STREAMBOXY Public API base (`STREAMBOXY_API_URL`).
    pub streamboxy_api_url: Url,
    /// Header that carries the STREAMBOXY credential (`STREAMBOXY_AUTH_HEADER`).
    pub streamboxy_auth_header: String,
    /// Scheme before the credential, empty for a raw key (`STREAMBOXY_AUTH_SCHEME`).
    pub streamboxy_auth_scheme: Option<String>,
    /// Secret name suffix of the STREAMBOXY credential (`STREAMBOXY_API_KEY_SECRET`).
    pub streamboxy_api_key_secret: String,
    /// The DynamoDB table (`TABLE_NAME`).
    pub table_name: String,
    /// The EventBridge bus of the fan-out (`EVENT_BUS_NAME`).
    pub event_bus_name: String,
    /// Prefix of every Secrets Manager name (`SECRET_PREFIX`).
    pub secret_prefix: String,
    /// Pardot requests in flight per business unit (`PARDOT_MAX_IN_FLIGHT`, ≤ 5).
    pub pardot_max_in_flight: usize,
    /// Retries of one Pardot request after 66, 5xx or a lost answer (`PARDOT_MAX_RETRIES`).
    /// Code 66 means other integrations of the business unit are busy too, so the default
    /// is patient.
    pub pardot_max_retries: u32,
    /// Timeout of one HTTP request (`HTTP_TIMEOUT_SECS`).
    pub http_timeout: Duration,
    /// Membership page size (`PARDOT_PAGE_SIZE`, ≤ 1000).
    pub pardot_page_size: u32,
    /// How far each incremental query reaches back before the cursor (`SYNC_LOOK_BACK_SECS`).
    pub look_back: chrono::Duration,
    /// Lifetime of a worker's business-unit lease (`LEASE_TTL_SECS`).
    pub lease_ttl: chrono::Duration,
    /// Memberships worked on at once (`SYNC_CONCURRENCY`).
    pub sync_concurrency: usize,
}

impl ServiceConfig {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);

        let salesforce_client_secret = match (
            env.get("SALESFORCE_CLIENT_SECRET"),
            env.get("SALESFORCE_CLIENT_SECRET_NAME"),
        ) {
            (Some(value), _) => ClientSecretSource::Value(sbxy_domain::Secret::new(value)),
            (None, Some(name)) => ClientSecretSource::SecretName(name),
            (None, None) => ClientSecretSource::SecretName("salesforce/client-secret".into()),
        };
        let scheme = env
            .get("STREAMBOXY_AUTH_SCHEME")
            .unwrap_or_else(|| "Bearer".into());
        let max_in_flight = env.number("PARDOT_MAX_IN_FLIGHT", 4, "a number from 1 to 5")?;
        if !(1..=5).contains(&max_in_flight) {
            return Err(ConfigError::Invalid {
                name: "PARDOT_MAX_IN_FLIGHT",
                value: max_in_flight.to_string(),
                expected: "a number from 1 to 5 (Pardot allows 5 per business unit)",
            });
        }

        Ok(Self {
            pardot_api_url: env.url("PARDOT_API_URL", "https://pi.pardot.com")?,
            pardot_demo_api_url: env.url("PARDOT_DEMO_API_URL", "https://pi.demo.pardot.com")?,
            salesforce_login_url: env
                .url("SALESFORCE_LOGIN_URL", "https://login.salesforce.com")?,
            salesforce_sandbox_login_url: env.url(
                "SALESFORCE_SANDBOX_LOGIN_URL",
                "https://test.salesforce.com",
            )?,
            salesforce_client_id: env.required(
                "SALESFORCE_CLIENT_ID",
                "set it to the connected app's consumer key",
            )?,
            salesforce_client_secret,
            streamboxy_api_url: env.url("STREAMBOXY_API_URL", "https://api.streamboxy.com")?,
            streamboxy_auth_header: env
                .get("STREAMBOXY_AUTH_HEADER")
                .unwrap_or_else(|| "Authorization".into()),
            streamboxy_auth_scheme: (!scheme.trim().is_empty()).then(|| scheme.trim().to_owned()),
            streamboxy_api_key_secret: env
                .get("STREAMBOXY_API_KEY_SECRET")
                .unwrap_or_else(|| "streamboxy/api-key".into()),
            table_name: env.required("TABLE_NAME", "set it to the DynamoDB table's name")?,
            event_bus_name: env.required(
                "EVENT_BUS_NAME",
                "set it to the EventBridge bus of the fan-out",
            )?,
            secret_prefix: env
                .get("SECRET_PREFIX")
                .unwrap_or_else(|| "sbxy-pardot/".into()),
            pardot_max_in_flight: max_in_flight as usize,
            pardot_max_retries: env.number("PARDOT_MAX_RETRIES", 8, "a number")?.min(20) as u32,
            http_timeout: Duration::from_secs(env.number("HTTP_TIMEOUT_SECS", 30, "seconds")?),
            pardot_page_size: env
                .number("PARDOT_PAGE_SIZE", 1000, "a number up to 1000")?
                .clamp(1, 1000) as u32,
            look_back: chrono::Duration::seconds(
                env.number("SYNC_LOOK_BACK_SECS", 90, "seconds")? as i64
            ),
            lease_ttl: chrono::Duration::seconds(
                env.number("LEASE_TTL_SECS", 900, "seconds")? as i64
            ),
            sync_concurrency: env.number("SYNC_CONCURRENCY", 4, "a number")?.max(1) as usize,
        })
    }
}

struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn required(&self, name: &'static str, hint: &'static str) -> Result<String, ConfigError> {
        self.get(name).ok_or(ConfigError::Missing { name, hint })
    }

    fn url(&self, name: &'static str, default: &str) -> Result<Url, ConfigError> {
        let value = self.get(name).unwrap_or_else(|| default.to_owned());
        Url::parse(value.trim()).map_err(|_| ConfigError::Invalid {
            name,
            value,
            expected: "an absolute URL such as https://host",
        })
    }

    fn number(
        &self,
        name: &'static str,
        default: u64,
        expected: &'static str,
    ) -> Result<u64, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(value) => value.trim().parse().map_err(|_| ConfigError::Invalid {
                name,
                value,
                expected,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const REQUIRED: [(&str, &str); 3] = [
        ("TABLE_NAME", "t"),
        ("EVENT_BUS_NAME", "b"),
        ("SALESFORCE_CLIENT_ID", "c"),
    ];

    #[test]
    fn production_defaults_apply() {
        let config = ServiceConfig::from_lookup(lookup(&REQUIRED)).expect("valid");

        assert_eq!(config.pardot_api_url.as_str(), "https://pi.pardot.com/");
        assert_eq!(
            config.pardot_demo_api_url.as_str(),
            "https://pi.demo.pardot.com/"
        );
        assert_eq!(
            config.salesforce_sandbox_login_url.as_str(),
            "https://test.salesforce.com/"
        );
        assert_eq!(config.pardot_max_in_flight, 4);
        assert_eq!(config.streamboxy_auth_scheme.as_deref(), Some("Bearer"));
    }

    #[test]
    fn a_missing_variable_is_named() {
        let err = ServiceConfig::from_lookup(lookup(&[("TABLE_NAME", "t")])).expect_err("missing");

        assert!(err.to_string().contains("EVENT_BUS_NAME"), "{err}");
    }

    #[test]
    fn more_than_five_in_flight_is_refused() {
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("PARDOT_MAX_IN_FLIGHT", "6"));

        let err = ServiceConfig::from_lookup(lookup(&pairs)).expect_err("too many");

        assert!(err.to_string().contains("PARDOT_MAX_IN_FLIGHT"));
    }

    #[test]
    fn the_client_secret_value_is_never_printed() {
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("SALESFORCE_CLIENT_SECRET", "s3cr3t-value"));

        let config = ServiceConfig::from_lookup(lookup(&pairs)).expect("valid");

        assert!(!format!("{config:?}").contains("s3cr3t-value"));
    }
}
