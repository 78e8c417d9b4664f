//! The local stack of sbxy-pardot for the demo and the end-to-end tests: a real `moto_server`
//! for AWS, the simulators for Salesforce, Pardot and STREAMBOXY, the product's own context
//! pointed at them, and its HTTP API served in-process on a loopback port, with fresh names
//! and keys per stack so stacks never share state.

mod attendance;
mod connect;
mod moto;
pub mod summary;

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use rand::Rng;
use rand::distr::Alphanumeric;
use sbxy_domain::Secret;
use sbxy_http_api::{ApiState, WebhookConfig};
use sbxy_simulators::{Seed, SimConfig, SimHandle};
use sbxy_sync::attendance::LocalWorker;
use sbxy_sync::config::AdminApiConfig;
use sbxy_sync::connection::Clock;
use sbxy_sync::{AppContext, ServiceConfig};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use attendance::{AttendanceLists, WebhookAnswer, attendance_settings};
pub use connect::{ConnectTrace, Consent, DEMO_PASSWORD, DEMO_USERNAME};
pub use moto::{Moto, free_port};

/// The demo tenant of data/demo-seed.json.
pub const DEMO_TENANT: &str = "a7c3e1f0-5b2d-4c8e-9f10-2d3e4f5a6b7c";
/// The demo business unit.
pub const DEMO_BUSINESS_UNIT: &str = "0Uv5e000000DEMOCAA";
/// The demo's custom prospect field for the access link.
pub const DEMO_LINK_FIELD: &str = "streamboxyLink__c";
/// The demo connected app.
pub const DEMO_CLIENT_ID: &str = "3MVGdemoClientId";
const DEMO_CLIENT_SECRET: &str = "demo-client-secret";
const DEMO_STREAMBOXY_KEY: &str = "sbxy-demo-api-key";

/// Loads the shipped demo dataset.
pub fn demo_seed() -> anyhow::Result<Seed> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo-seed.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading the demo seed {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("decoding {}", path.display()))
}

/// Knobs of a stack.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// Extra or overriding configuration variables for the product.
    pub env: HashMap<String, String>,
    /// The simulators' configuration apart from the seed.
    pub sim: SimConfig,
}

impl Default for StackOptions {
    fn default() -> Self {
        let env = HashMap::from([("HTTP_TIMEOUT_SECS".to_owned(), "5".to_owned())]);
        Self {
            env,
            sim: SimConfig::default(),
        }
    }
}

/// A running stack. Dropping it stops moto; call [`Stack::stop`] to stop the simulators too.
pub struct Stack {
    /// The AWS emulator.
    pub moto: Moto,
    /// The simulators.
    pub sim: SimHandle,
    /// The product's context, configured like a Lambda would be.
    pub ctx: AppContext,
    /// The configuration variables the product was given.
    pub env: HashMap<String, String>,
    /// The HTTP API (`sbxy-pardot serve`'s router), e.g. `http://127.0.0.1:41000`.
    pub api_url: String,
    /// The API's clock; tests move it to let a connect `state` expire.
    pub api_clock: Clock,
    /// A browser-like client that does not follow redirects, for the API and consent page.
    pub http: reqwest::Client,
    /// Runs the Show / No Show write-back jobs put on the bus, as the sync-worker does in AWS.
    pub attendance: LocalWorker,
    /// The key the STREAMBOXY webhook is signed with (fresh per stack).
    pub webhook_secret: Secret,
    api: Option<(oneshot::Sender<()>, JoinHandle<()>)>,
}

impl Stack {
    /// Starts moto and the simulators on free loopback ports, creates the table, the bus and
    /// the STREAMBOXY credential secret.
    pub async fn start(seed: Seed, options: StackOptions) -> anyhow::Result<Self> {
        let moto = Moto::start().await?;
        let sim = sbxy_simulators::start(SimConfig {
            seed,
            ..options.sim
        })
        .await
        .context("starting the simulators")?;

        // The API listens before the configuration is built: its address is the public URL.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the HTTP API")?;
        let api_url = format!("http://{}", listener.local_addr()?);

        let run = uuid::Uuid::new_v4().simple().to_string();
        let mut env = HashMap::from([
            ("PUBLIC_BASE_URL".to_owned(), api_url.clone()),
            ("ADMIN_JWT_SECRET".to_owned(), random_key()),
            ("STATE_SIGNING_KEY".to_owned(), random_key()),
            ("PARDOT_API_URL".to_owned(), sim.pardot_url.clone()),
            (
                "PARDOT_DEMO_API_URL".to_owned(),
                sim.pardot_demo_url.clone(),
            ),
            ("SALESFORCE_LOGIN_URL".to_owned(), sim.oauth_url.clone()),
            (
                "SALESFORCE_SANDBOX_LOGIN_URL".to_owned(),
                sim.oauth_url.clone(),
            ),
            ("SALESFORCE_CLIENT_ID".to_owned(), DEMO_CLIENT_ID.to_owned()),
            (
                "SALESFORCE_CLIENT_SECRET".to_owned(),
                DEMO_CLIENT_SECRET.to_owned(),
            ),
            ("STREAMBOXY_API_URL".to_owned(), sim.streamboxy_url.clone()),
            ("TABLE_NAME".to_owned(), format!("sbxy-{run}")),
            ("EVENT_BUS_NAME".to_owned(), format!("sbxy-{run}")),
            ("SECRET_PREFIX".to_owned(), format!("sbxy-{run}/")),
            ("AWS_ENDPOINT_URL".to_owned(), moto.endpoint.clone()),
        ]);
        env.extend(options.env);
        let config = ServiceConfig::from_lookup(|name| env.get(name).cloned())?;
        let admin = AdminApiConfig::from_lookup(|name| env.get(name).cloned())?;

        let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&moto.endpoint)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await;
        let ctx = AppContext::with_aws(config, &aws)?;
        let attendance = LocalWorker::start(&ctx);
        let ctx = attendance.context().clone();

        ctx.store.create_table().await?;
        ctx.bus.create().await?;
        let key_name = ctx.secrets.name(&ctx.config.streamboxy_api_key_secret);
        ctx.secrets
            .put(&key_name, &Secret::new(DEMO_STREAMBOXY_KEY))
            .await?;
        let webhook_secret = Secret::new(random_key());
        let webhook_secret_name = ctx.secrets.name(&WebhookConfig::default().secret_name);
        ctx.secrets
            .put(&webhook_secret_name, &webhook_secret)
            .await?;

        let api_clock = Clock::system();
        let state = ApiState::from_config(ctx.clone(), &admin)
            .await?
            .with_clock(api_clock.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(err) = sbxy_http_api::serve(listener, state, shutdown).await {
                tracing::error!(error = %err, "the HTTP API stopped");
            }
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()?;
        Ok(Self {
            moto,
            sim,
            ctx,
            env,
            api_url,
            api_clock,
            http,
            attendance,
            webhook_secret,
            api: Some((stop, task)),
        })
    }

    /// Stops the HTTP API, the simulators and moto.
    pub async fn stop(mut self) {
        if let Some((stop, task)) = self.api.take() {
            let _ = stop.send(());
            let _ = task.await;
        }
        self.sim.shutdown().await;
        drop(self.moto);
    }

    /// Requests the simulated Pardot has answered so far.
    pub fn pardot_calls(&self) -> u64 {
        self.sim.stats().pardot.calls.total
    }

    /// Requests the simulated STREAMBOXY has answered so far.
    pub fn streamboxy_calls(&self) -> u64 {
        self.sim.stats().streamboxy.calls.total
    }
}

/// A fresh random key for a stack, so no two stacks (or runs) share one.
fn random_key() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(48)
        .map(char::from)
        .collect()
}
