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

/// Where a secret of the service comes from: a variable holding the value (local runs), or
/// a variable naming a Secrets Manager secret below `SECRET_PREFIX` (AWS).
#[derive(Clone)]
pub enum SecretSource {
    /// The value itself, e.g. `SALESFORCE_CLIENT_SECRET`.
    Value(sbxy_domain::Secret),
    /// The secret's name below the prefix, e.g. `SALESFORCE_CLIENT_SECRET_NAME`.
    SecretName(String),
}

/// Where the Salesforce client secret comes from.
pub type ClientSecretSource = SecretSource;

impl std::fmt::Debug for SecretSource {
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
    /// How many shard secrets hold the tenants' Pardot tokens (`TOKEN_SECRET_SHARDS`, 1 to
    /// 10,000, default 1,000). Fixed per deployment: a tenant's shard follows from it.
    pub token_secret_shards: u32,
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
    /// Writes a page's links through Pardot's Import API once it has at least this many
    /// (`PARDOT_BULK_IMPORT`, off by default: the API's paths are unverified; the threshold is
    /// `PARDOT_BULK_THRESHOLD`, default 100). `None` means every write is a PATCH.
    pub pardot_bulk_threshold: Option<usize>,
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
            token_secret_shards: env
                .number(
                    "TOKEN_SECRET_SHARDS",
                    u64::from(sbxy_storage::DEFAULT_TOKEN_SHARDS),
                    "a number of shard secrets from 1 to 10000",
                )?
                .clamp(1, 10_000) as u32,
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
            pardot_bulk_threshold: env
                .flag("PARDOT_BULK_IMPORT")?
                .then(|| env.number("PARDOT_BULK_THRESHOLD", 100, "a number of rows"))
                .transpose()?
                .map(|rows| rows.max(1) as usize),
        })
    }
}

/// Shortest accepted HMAC key: 256 bits, the strength of the SHA-256 they key.
pub const MIN_KEY_LEN: usize = 32;

/// What the admin API needs beyond [`ServiceConfig`]; only the admin API (its Lambda and the
/// runner's `serve`) reads it, so the poller and the worker start without these variables.
#[derive(Debug, Clone)]
pub struct AdminApiConfig {
    /// Where the API and the admin page are reachable (`PUBLIC_BASE_URL`): the OAuth
    /// redirect URI is `<it>/oauth/callback`, the admin page `<it>/admin`.
    pub public_base_url: Url,
    /// The HS256 key of the Backstage admin tokens (`ADMIN_JWT_SECRET`, or in AWS the secret
    /// named by `ADMIN_JWT_SECRET_NAME`).
    pub admin_jwt_secret: SecretSource,
    /// The key that signs the OAuth `state` and derives the PKCE verifier
    /// (`STATE_SIGNING_KEY`, or in AWS the secret named by `STATE_SIGNING_KEY_NAME`).
    pub state_signing_key: SecretSource,
}

impl AdminApiConfig {
    /// Reads the admin API's variables from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the admin API's variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env(&lookup);

        let raw = env.required(
            "PUBLIC_BASE_URL",
            "set it to the https:// address the admin API is reachable at",
        )?;
        let public_base_url = Url::parse(raw.trim().trim_end_matches('/'))
            .ok()
            .filter(|url| matches!(url.scheme(), "https" | "http") && url.has_host())
            .ok_or(ConfigError::Invalid {
                name: "PUBLIC_BASE_URL",
                value: raw,
                expected: "an absolute http(s) URL such as https://pardot.example.com",
            })?;

        Ok(Self {
            public_base_url,
            admin_jwt_secret: env.key_source(
                "ADMIN_JWT_SECRET",
                "ADMIN_JWT_SECRET_NAME",
                "set it to the Backstage's HS256 key (or ADMIN_JWT_SECRET_NAME to its secret)",
            )?,
            state_signing_key: env.key_source(
                "STATE_SIGNING_KEY",
                "STATE_SIGNING_KEY_NAME",
                "set it to 32 or more random characters (or STATE_SIGNING_KEY_NAME to a secret)",
            )?,
        })
    }

    /// Where Salesforce sends the admin's browser back.
    pub fn redirect_uri(&self) -> String {
        format!("{}/oauth/callback", self.base())
    }

    /// The admin page (issue 8) that shows the outcome of a connect attempt.
    pub fn admin_page(&self) -> Url {
        let mut url = self.public_base_url.clone();
        url.set_path(&format!("{}/admin", url.path().trim_end_matches('/')));
        url
    }

    fn base(&self) -> &str {
        self.public_base_url.as_str().trim_end_matches('/')
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

    /// A key given as a value (`value_name`, checked for length) or as a secret's name.
    fn key_source(
        &self,
        value_name: &'static str,
        secret_name: &'static str,
        hint: &'static str,
    ) -> Result<SecretSource, ConfigError> {
        match (self.get(value_name), self.get(secret_name)) {
            (Some(value), _) if value.len() < MIN_KEY_LEN => Err(ConfigError::Invalid {
                name: value_name,
                value: format!("<hidden, {} characters>", value.len()),
                expected: "at least 32 characters",
            }),
            (Some(value), _) => Ok(SecretSource::Value(sbxy_domain::Secret::new(value))),
            (None, Some(name)) => Ok(SecretSource::SecretName(name)),
            (None, None) => Err(ConfigError::Missing {
                name: value_name,
                hint,
            }),
        }
    }

    /// An on/off switch, off when unset.
    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self
            .get(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("0" | "false" | "off" | "no") => Ok(false),
            Some("1" | "true" | "on" | "yes") => Ok(true),
            Some(other) => Err(ConfigError::Invalid {
                name,
                value: other.to_owned(),
                expected: "on or off (true/false, 1/0)",
            }),
        }
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
        for missing in REQUIRED.map(|(name, _)| name) {
            let others: Vec<_> = REQUIRED
                .iter()
                .copied()
                .filter(|(n, _)| *n != missing)
                .collect();

            let err = ServiceConfig::from_lookup(lookup(&others)).expect_err("missing");

            assert!(err.to_string().contains(missing), "{missing}: {err}");
        }
    }

    #[test]
    fn more_than_five_in_flight_is_refused() {
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("PARDOT_MAX_IN_FLIGHT", "6"));

        let err = ServiceConfig::from_lookup(lookup(&pairs)).expect_err("too many");

        assert!(err.to_string().contains("PARDOT_MAX_IN_FLIGHT"));
    }

    const ADMIN: [(&str, &str); 3] = [
        ("PUBLIC_BASE_URL", "https://pardot.example.com/"),
        ("ADMIN_JWT_SECRET", "an-admin-jwt-secret-of-32-characters"),
        ("STATE_SIGNING_KEY", "a-state-signing-key-of-32-characters"),
    ];

    #[test]
    fn the_admin_api_derives_its_addresses_from_the_public_base_url() {
        let config = AdminApiConfig::from_lookup(lookup(&ADMIN)).expect("valid");

        assert_eq!(
            config.redirect_uri(),
            "https://pardot.example.com/oauth/callback"
        );
        assert_eq!(
            config.admin_page().as_str(),
            "https://pardot.example.com/admin"
        );
    }

    #[test]
    fn each_missing_admin_variable_is_named() {
        for missing in ["PUBLIC_BASE_URL", "ADMIN_JWT_SECRET", "STATE_SIGNING_KEY"] {
            let pairs: Vec<_> = ADMIN.into_iter().filter(|(k, _)| *k != missing).collect();

            let err = AdminApiConfig::from_lookup(lookup(&pairs)).expect_err("missing");

            assert!(err.to_string().contains(missing), "{err}");
        }
    }

    #[test]
    fn a_short_key_is_refused_without_printing_it() {
        let mut pairs = ADMIN.to_vec();
        pairs[2] = ("STATE_SIGNING_KEY", "short-key-value");

        let err = AdminApiConfig::from_lookup(lookup(&pairs)).expect_err("too short");

        assert!(err.to_string().contains("STATE_SIGNING_KEY"));
        assert!(!err.to_string().contains("short-key-value"));
    }

    #[test]
    fn keys_can_come_from_secrets_manager_in_aws() {
        let pairs = [
            ("PUBLIC_BASE_URL", "https://pardot.example.com"),
            ("ADMIN_JWT_SECRET_NAME", "admin/jwt"),
            ("STATE_SIGNING_KEY_NAME", "oauth/state-key"),
        ];

        let config = AdminApiConfig::from_lookup(lookup(&pairs)).expect("valid");

        assert!(
            matches!(config.state_signing_key, SecretSource::SecretName(ref n) if n == "oauth/state-key")
        );
    }

    #[test]
    fn bulk_import_is_off_unless_switched_on() {
        let config = ServiceConfig::from_lookup(lookup(&REQUIRED)).expect("valid");
        assert_eq!(config.pardot_bulk_threshold, None);

        let mut pairs = REQUIRED.to_vec();
        pairs.push(("PARDOT_BULK_IMPORT", "on"));
        let config = ServiceConfig::from_lookup(lookup(&pairs)).expect("valid");
        assert_eq!(config.pardot_bulk_threshold, Some(100));

        pairs.push(("PARDOT_BULK_THRESHOLD", "250"));
        let config = ServiceConfig::from_lookup(lookup(&pairs)).expect("valid");
        assert_eq!(config.pardot_bulk_threshold, Some(250));

        pairs[3] = ("PARDOT_BULK_IMPORT", "maybe");
        let err = ServiceConfig::from_lookup(lookup(&pairs)).expect_err("not a switch");
        assert!(err.to_string().contains("PARDOT_BULK_IMPORT"));
    }

    #[test]
    fn the_client_secret_value_is_never_printed() {
        let mut pairs = REQUIRED.to_vec();
        pairs.push(("SALESFORCE_CLIENT_SECRET", "s3cr3t-value"));

        let config = ServiceConfig::from_lookup(lookup(&pairs)).expect("valid");

        assert!(!format!("{config:?}").contains("s3cr3t-value"));
    }
}
