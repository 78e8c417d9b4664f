//! The demo flow (connect through the API and the consent page, save settings, two polls with
//! their sync runs, a token refresh with rotation, the status page) with every log line of the
//! process captured at TRACE level, then searched for each token, code, verifier, client
//! secret, API key, signing key and admin token value the flow used. None may appear.

use std::io::Write;
use std::sync::{Arc, Mutex};

use sbxy_domain::Secret;
use sbxy_domain::connect_state::ConnectState;
use sbxy_e2e::tenant;
use sbxy_harness::{Stack, StackOptions};
use sbxy_sync::Deadline;
use tracing_subscriber::fmt::MakeWriter;

use crate::admin_common::{demo_settings, query, refresh_tokens, status};

/// Every byte the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut bytes) = self.0.lock() {
            bytes.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Everything runs on this one thread (the API server, the simulators, the sync), so the
/// thread's subscriber sees every line.
#[tokio::test(flavor = "current_thread")]
async fn no_secret_value_appears_in_any_log_line_of_the_demo_flow() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Other tests of this binary register log call sites on their own threads meanwhile.
    // While only one subscriber exists, tracing-core asks just the registering thread's
    // subscriber (none there) and caches "never"; a second, silent subscriber makes it ask
    // every live one. The rebuild covers call sites registered before this point.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    tracing::callsite::rebuild_interest_cache();

    let mut seed = sbxy_harness::demo_seed().expect("seed");
    seed.salesforce.rotate_refresh_tokens = true;
    let mut options = StackOptions::default();
    options.sim.pardot.nest_deleted_prospects = true;
    let stack = Stack::start(seed, options).await.expect("stack");
    let mut secrets = flow(&stack).await;

    // Every refresh token Salesforce issued, and the service's own credentials.
    secrets.extend(refresh_tokens(&stack).into_iter().map(|(token, _)| token));
    for name in [
        "SALESFORCE_CLIENT_SECRET",
        "ADMIN_JWT_SECRET",
        "STATE_SIGNING_KEY",
    ] {
        secrets.push(stack.env[name].clone());
    }
    let key_name = stack
        .ctx
        .secrets
        .name(&stack.ctx.config.streamboxy_api_key_secret);
    let api_key = stack
        .ctx
        .secrets
        .get(&key_name)
        .await
        .expect("read")
        .expect("key");
    secrets.push(api_key.expose().to_owned());
    stack.stop().await;

    let lines = captured.lines();
    assert!(
        lines.len() > 100,
        "the capture works: {} lines",
        lines.len()
    );
    for expected in [
        "tenant connected",
        "settings saved",
        "access token refreshed",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(expected)),
            "the product's own line {expected:?} was captured"
        );
    }
    assert!(secrets.len() >= 12, "{} secret values", secrets.len());
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        let leaks: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains(secret.as_str()))
            .collect();
        assert!(
            leaks.is_empty(),
            "a secret value ({} characters, starting {:?}) appears in {} log line(s), e.g. {:?}",
            secret.len(),
            secret.chars().take(4).collect::<String>(),
            leaks.len(),
            leaks[0].chars().take(160).collect::<String>()
        );
    }
}

/// The demo flow plus a forced refresh; returns the secret values it saw on the way.
async fn flow(stack: &Stack) -> Vec<String> {
    let tenant = tenant();
    let trace = stack
        .connect_tenant(&tenant, demo_settings())
        .await
        .expect("connect");
    let state_key = Secret::new(stack.env["STATE_SIGNING_KEY"].clone());
    let state = query(&trace.authorize_url, "state").expect("state");
    let opened = ConnectState::open(&state, &state_key, chrono::Utc::now().timestamp())
        .expect("our own state opens");
    let mut secrets = vec![
        trace.admin_token.clone(),
        trace.code.clone(),
        opened.pkce_verifier(&state_key).expose().to_owned(),
    ];
    secrets.extend(access_token(stack).await);

    for _ in 0..2 {
        sbxy_sync::poller::poll_in_process(&stack.ctx, Deadline::none())
            .await
            .expect("poll");
    }

    // A refresh with rotation, then one more poll with the new tokens.
    let mut tokens = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant)
        .await
        .expect("read")
        .expect("tokens");
    tokens.access_token = None;
    stack
        .ctx
        .secrets
        .save_tenant_tokens(&tenant, &tokens)
        .await
        .expect("write");
    sbxy_sync::poller::poll_in_process(&stack.ctx, Deadline::none())
        .await
        .expect("poll");
    secrets.extend(access_token(stack).await);
    status(stack).await;
    secrets
}

async fn access_token(stack: &Stack) -> Option<String> {
    let tokens = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant())
        .await
        .expect("read")?;
    Some(tokens.access_token?.expose().to_owned())
}
