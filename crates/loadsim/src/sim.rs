//! The simulated deployment: moto and the simulators seeded with the fleet, the product's AWS
//! clients metered, every tenant connected; and one scheduler tick, the poller for one slot
//! followed by the workers it fanned out, run with bounded concurrency like Lambda would.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use chrono::Utc;
use futures::StreamExt;
use sbxy_domain::Secret;
use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::{SettingsInput, TenantSettings};
use sbxy_harness::{Stack, StackOptions};
use sbxy_simulators::SimConfig;
use sbxy_storage::{
    Connection, ConnectionState, EventBus, PardotTokens, SecretStore, Store, SyncJob,
};
use sbxy_sync::poller::{buckets_of_slot, poll_tick};
use sbxy_sync::{AppContext, Deadline};

use crate::error::LoadSimError;
use crate::fleet::{Fleet, FleetTenant, LINK_FIELD};
use crate::meter::{Meter, scoped};
use crate::results::{RunSample, TickResult};
use crate::run::LoadOptions;

/// Tenants connected at once while setting up (setup is not measured).
const SETUP_CONCURRENCY: usize = 16;

/// The running simulation.
pub struct Simulation {
    /// moto, the simulators, and the product's context (with metered clients).
    pub stack: Stack,
    /// Counts what the product asks of AWS.
    pub meter: Meter,
    /// The AWS configuration pointing at moto.
    pub aws: aws_config::SdkConfig,
    /// A metered DynamoDB client, for contexts on other tables.
    pub metered_dynamodb: aws_sdk_dynamodb::Client,
    /// Worker runs at once.
    concurrency: usize,
}

impl Simulation {
    /// Starts moto and the simulators with the fleet and meters the product's clients.
    pub async fn start(fleet: &Fleet, options: &LoadOptions) -> Result<Self, LoadSimError> {
        let mut stack_options = StackOptions {
            sim: SimConfig {
                latency: options.latency,
                ..SimConfig::default()
            },
            ..StackOptions::default()
        };
        stack_options.env.insert(
            "SYNC_CONCURRENCY".to_owned(),
            options.sync_concurrency.to_string(),
        );
        // The product's default; the harness's 5 s is too short for a machine this loaded.
        stack_options
            .env
            .insert("HTTP_TIMEOUT_SECS".to_owned(), "30".to_owned());
        let mut stack = Stack::start(fleet.seed()?, stack_options)
            .await
            .map_err(|e| LoadSimError::Stack(format!("{e:#}")))?;

        let aws = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(&stack.moto.endpoint)
            .region(aws_config::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "testing", "testing", None, None, "moto",
            ))
            .load()
            .await;
        let meter = Meter::default();
        let metered_dynamodb = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&aws)
                .interceptor(meter.interceptor("DynamoDB"))
                .build(),
        );
        let secrets = aws_sdk_secretsmanager::Client::from_conf(
            aws_sdk_secretsmanager::config::Builder::from(&aws)
                .interceptor(meter.interceptor("SecretsManager"))
                .build(),
        );
        let events = aws_sdk_eventbridge::Client::from_conf(
            aws_sdk_eventbridge::config::Builder::from(&aws)
                .interceptor(meter.interceptor("EventBridge"))
                .build(),
        );

        // Same tables, secrets and bus as the harness made; only the clients are metered.
        let config = stack.ctx.config.clone();
        stack.ctx.store = Store::new(metered_dynamodb.clone(), &config.table_name);
        stack.ctx.secrets = SecretStore::new(secrets, &config.secret_prefix)
            .with_token_shards(config.token_secret_shards);
        stack.ctx.bus = EventBus::new(events, &config.event_bus_name);
        Ok(Self {
            stack,
            meter,
            aws,
            metered_dynamodb,
            concurrency: options.concurrency.max(1),
        })
    }

    /// The product's context.
    pub fn ctx(&self) -> &AppContext {
        &self.stack.ctx
    }

    /// Connects every tenant as an admin would have: tokens in Secrets Manager, settings with
    /// checkbox 1, the business unit and the link field, and a connected state.
    pub async fn connect_all(&self, fleet: &Fleet) -> Result<(), LoadSimError> {
        let mut connecting = futures::stream::iter(fleet.tenants.iter().cloned())
            .map(|tenant| {
                let ctx = self.stack.ctx.clone();
                tokio::spawn(async move { connect(&ctx, &tenant).await })
            })
            .buffer_unordered(SETUP_CONCURRENCY);
        while let Some(joined) = connecting.next().await {
            joined.map_err(|e| LoadSimError::Check(format!("connecting panicked: {e}")))??;
        }
        Ok(())
    }

    /// One scheduler tick for `slot`: the poller's index queries and fan-out, then a worker per
    /// job. `churned` names the tenants given new members before the tick.
    pub async fn tick(
        &self,
        cycle: &str,
        slot: u32,
        churned: &HashSet<String>,
        memberships_added: u64,
    ) -> Result<(TickResult, Vec<RunSample>), LoadSimError> {
        let aws_before = self.meter.snapshot();
        let sim_before = self.stack.sim.stats();
        let started = Instant::now();

        let (polled, _) = scoped(poll_tick(&self.stack.ctx, &buckets_of_slot(slot))).await;
        let jobs = polled?.jobs;
        let poller_ms = millis(started);

        let workers = Instant::now();
        let samples = self.run_workers(&jobs, churned).await?;
        let workers_ms = millis(workers);
        let wall_ms = millis(started);

        let usage = self.meter.snapshot().since(&aws_before);
        let sim_after = self.stack.sim.stats();
        let mut outcomes = BTreeMap::new();
        for sample in &samples {
            *outcomes.entry(sample.outcome.clone()).or_default() += 1;
        }
        let tick = TickResult {
            cycle: cycle.to_owned(),
            slot,
            tenants: jobs.len(),
            churned_tenants: churned.len(),
            memberships_added,
            poller_ms,
            workers_ms,
            wall_ms,
            dynamodb_calls: usage.calls_to("DynamoDB"),
            usage,
            pardot_calls: sim_after.pardot.calls.total - sim_before.pardot.calls.total,
            streamboxy_calls: sim_after.streamboxy.calls.total - sim_before.streamboxy.calls.total,
            oauth_calls: sim_after.oauth.total - sim_before.oauth.total,
            registered: samples.iter().map(|s| s.registered).sum(),
            synced: samples.iter().map(|s| s.synced).sum(),
            failed: samples.iter().map(|s| s.failed).sum(),
            outcomes,
        };
        Ok((tick, samples))
    }

    /// Runs one worker per job, at most `concurrency` at once, each on its own task (as each
    /// Lambda invocation has its own process) and in its own usage scope.
    async fn run_workers(
        &self,
        jobs: &[SyncJob],
        churned: &HashSet<String>,
    ) -> Result<Vec<RunSample>, LoadSimError> {
        let mut tenants = Vec::with_capacity(jobs.len());
        for job in jobs {
            let tenant = TenantId::parse(&job.tenant_id)
                .map_err(|e| LoadSimError::Fleet(format!("job for {}: {e}", job.tenant_id)))?;
            tenants.push((churned.contains(tenant.as_str()), tenant));
        }

        let mut running = futures::stream::iter(tenants)
            .map(|(churned, tenant)| {
                let ctx = self.stack.ctx.clone();
                tokio::spawn(async move { work(ctx, tenant, churned).await })
            })
            .buffer_unordered(self.concurrency);
        let mut samples = Vec::with_capacity(jobs.len());
        while let Some(joined) = running.next().await {
            samples.push(joined.map_err(|e| LoadSimError::Check(format!("a run panicked: {e}")))?);
        }
        Ok(samples)
    }

    /// Stops the simulators and moto.
    pub async fn stop(self) {
        self.stack.stop().await;
    }
}

/// One sync run, timed and metered. A run that fails its bookkeeping is recorded as `error`,
/// so one moto hiccup shows in the results instead of ending the simulation.
async fn work(ctx: AppContext, tenant: TenantId, churned: bool) -> RunSample {
    let started = Instant::now();
    let (report, usage) = scoped(sbxy_sync::sync_tenant(&ctx, &tenant, Deadline::none())).await;
    let ms = millis(started);

    match report {
        Ok(report) => RunSample {
            churned,
            ms,
            outcome: serde_json::to_value(report.outcome)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "unknown".to_owned()),
            pardot_calls: report.pardot_calls,
            streamboxy_calls: report.streamboxy_calls,
            registered: report.counts.registered,
            synced: report.counts.grants,
            failed: report.counts.failed,
            usage,
        },
        Err(err) => {
            eprintln!("sync run of {tenant} failed: {err}");
            RunSample {
                churned,
                ms,
                outcome: "error".to_owned(),
                pardot_calls: 0,
                streamboxy_calls: 0,
                registered: 0,
                synced: 0,
                failed: 0,
                usage,
            }
        }
    }
}

async fn connect(ctx: &AppContext, tenant: &FleetTenant) -> Result<(), LoadSimError> {
    let input = SettingsInput {
        sync_enabled: true,
        business_unit_id: Some(tenant.business_unit.clone()),
        link_field: Some(LINK_FIELD.to_owned()),
        ..SettingsInput::default()
    };
    let settings = TenantSettings::from_input(input)
        .map_err(|problems| LoadSimError::Fleet(format!("settings refused: {problems:?}")))?;
    let tokens = PardotTokens {
        refresh_token: Secret::new(tenant.refresh_token.clone()),
        access_token: None,
        issued_at_ms: None,
    };
    ctx.secrets
        .save_tenant_tokens(&tenant.tenant, &tokens)
        .await?;

    let now = Utc::now();
    ctx.store
        .update_tenant(&tenant.tenant, |record| {
            record.settings = Some(settings.clone());
            record.connection = Connection {
                state: ConnectionState::Connected,
                environment: settings.environment,
                salesforce_user_id: Some(tenant.user_id.clone()),
                salesforce_username: Some(format!("admin@t{}.example", tenant.index)),
                connected_at: Some(now),
                ..Connection::default()
            };
        })
        .await?;
    Ok(())
}

/// Milliseconds since `started`.
pub(crate) fn millis(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
