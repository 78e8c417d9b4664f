//! The local stack of sbxy-pardot for the demo and the end-to-end tests: a real `moto_server`
//! for AWS, the simulators for Salesforce, Pardot and STREAMBOXY, and the product's own
//! context pointed at them, with fresh names per stack so stacks never share state.

mod connect;
mod moto;
pub mod summary;

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use sbxy_domain::Secret;
use sbxy_simulators::{Seed, SimConfig, SimHandle};
use sbxy_sync::{AppContext, ServiceConfig};

pub use connect::{DEMO_PASSWORD, DEMO_USERNAME};
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

        let run = uuid::Uuid::new_v4().simple().to_string();
        let mut env = HashMap::from([
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

        let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&moto.endpoint)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await;
        let ctx = AppContext::with_aws(config, &aws)?;

        ctx.store.create_table().await?;
        ctx.bus.create().await?;
        let key_name = ctx.secrets.name(&ctx.config.streamboxy_api_key_secret);
        ctx.secrets
            .put(&key_name, &Secret::new(DEMO_STREAMBOXY_KEY))
            .await?;
        Ok(Self {
            moto,
            sim,
            ctx,
            env,
        })
    }

    /// Stops the simulators and moto.
    pub async fn stop(self) {
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
