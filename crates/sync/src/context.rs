//! The long-lived parts a process builds once and every invocation reuses: AWS clients, the
//! HTTP client, the Pardot in-flight limiter, and credentials cached for a few minutes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sbxy_domain::Secret;
use sbxy_pardot_client::{
    ClientSettings, InFlightLimiter, LoginEndpoints, OAuthClient, PardotEndpoints,
};
use sbxy_storage::{EventBus, SecretStore, Store};
use sbxy_streamboxy_client::{StreamboxyClient, StreamboxyConfig};
use tokio::sync::Mutex;

use crate::config::{ClientSecretSource, ServiceConfig};
use crate::error::SyncError;

/// How long a credential read from Secrets Manager is reused within a warm process. Short, so
/// a rotated webhook or API secret takes effect within minutes, long enough that a busy worker
/// reads it a few times an hour at most.
pub const SECRET_CACHE_TTL: Duration = Duration::from_secs(300);

/// A value read from Secrets Manager, with the time it was read.
type Cached = Option<(Secret, Instant)>;

/// Everything a handler needs, built once per process.
#[derive(Clone)]
pub struct AppContext {
    /// The configuration read at start-up.
    pub config: Arc<ServiceConfig>,
    /// The DynamoDB table.
    pub store: Store,
    /// Secrets Manager.
    pub secrets: SecretStore,
    /// The fan-out bus.
    pub bus: EventBus,
    /// One HTTP client (connection pool) for Salesforce, Pardot and STREAMBOXY.
    pub http: reqwest::Client,
    /// Shared by every Pardot client in the process: the per-business-unit cap.
    pub limiter: InFlightLimiter,
    client_secret: Arc<Mutex<Cached>>,
    streamboxy_key: Arc<Mutex<Cached>>,
}

impl AppContext {
    /// Builds the context from the configuration and the standard AWS configuration.
    pub async fn new(config: ServiceConfig) -> Result<Self, SyncError> {
        let aws = sbxy_storage::aws_config().await;
        Self::with_aws(config, &aws)
    }

    /// Builds the context with an explicit AWS configuration: the harness gives each test its
    /// own moto endpoint without touching the process environment.
    pub fn with_aws(config: ServiceConfig, aws: &aws_config::SdkConfig) -> Result<Self, SyncError> {
        let http = reqwest::Client::builder()
            .timeout(config.http_timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| SyncError::Setup(format!("HTTP client: {e}")))?;

        Ok(Self {
            store: Store::new(aws_sdk_dynamodb(aws), &config.table_name),
            secrets: SecretStore::new(aws_sdk_secretsmanager(aws), &config.secret_prefix)
                .with_token_shards(config.token_secret_shards),
            bus: EventBus::new(aws_sdk_eventbridge(aws), &config.event_bus_name),
            limiter: InFlightLimiter::new(config.pardot_max_in_flight),
            http,
            config: Arc::new(config),
            client_secret: Arc::default(),
            streamboxy_key: Arc::default(),
        })
    }

    /// The Pardot API hosts.
    pub fn pardot_endpoints(&self) -> PardotEndpoints {
        PardotEndpoints {
            production: self.config.pardot_api_url.clone(),
            demo: self.config.pardot_demo_api_url.clone(),
        }
    }

    /// Pardot client settings from the configuration.
    pub fn pardot_settings(&self) -> ClientSettings {
        ClientSettings {
            max_in_flight: self.config.pardot_max_in_flight,
            request_timeout: self.config.http_timeout,
            max_retries: self.config.pardot_max_retries,
            ..ClientSettings::default()
        }
    }

    /// The Salesforce OAuth client, with the client secret from its source.
    pub async fn oauth(&self) -> Result<OAuthClient, SyncError> {
        let secret = match &self.config.salesforce_client_secret {
            ClientSecretSource::Value(value) => value.clone(),
            ClientSecretSource::SecretName(name) => {
                self.cached_secret(&self.client_secret, name).await?
            }
        };
        let endpoints = LoginEndpoints {
            production: self.config.salesforce_login_url.clone(),
            sandbox: self.config.salesforce_sandbox_login_url.clone(),
        };
        Ok(OAuthClient::new(
            self.http.clone(),
            endpoints,
            self.config.salesforce_client_id.clone(),
            secret,
        ))
    }

    /// The STREAMBOXY client with the service's credential.
    pub async fn streamboxy(&self) -> Result<StreamboxyClient, SyncError> {
        let key = self
            .cached_secret(&self.streamboxy_key, &self.config.streamboxy_api_key_secret)
            .await?;
        let mut config = StreamboxyConfig::new(self.config.streamboxy_api_url.clone());
        config
            .auth_header
            .clone_from(&self.config.streamboxy_auth_header);
        config
            .auth_scheme
            .clone_from(&self.config.streamboxy_auth_scheme);
        config.request_timeout = self.config.http_timeout;

        StreamboxyClient::new(self.http.clone(), config, &key)
            .map_err(|e| SyncError::Setup(format!("STREAMBOXY client: {e}")))
    }

    async fn cached_secret(
        &self,
        cache: &Mutex<Cached>,
        suffix: &str,
    ) -> Result<Secret, SyncError> {
        let mut cached = cache.lock().await;
        if let Some((value, read_at)) = cached.as_ref()
            && read_at.elapsed() < SECRET_CACHE_TTL
        {
            return Ok(value.clone());
        }

        let name = self.secrets.name(suffix);
        let value = self
            .secrets
            .get(&name)
            .await?
            .ok_or(sbxy_storage::StorageError::SecretMissing { name })?;
        *cached = Some((value.clone(), Instant::now()));
        Ok(value)
    }
}

fn aws_sdk_dynamodb(aws: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(aws)
}

fn aws_sdk_secretsmanager(aws: &aws_config::SdkConfig) -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(aws)
}

fn aws_sdk_eventbridge(aws: &aws_config::SdkConfig) -> aws_sdk_eventbridge::Client {
    aws_sdk_eventbridge::Client::new(aws)
}
