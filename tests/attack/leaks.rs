//! Secrets in logs, reports and stored status. The product's own log set-up is installed (JSON
//! lines, `RUST_LOG` decides the level) and runs go through token expiry, refreshes and faults.
//! Every secret value seen is written to `target/attack/secrets.txt` (never to the output), so
//! the captured output can be grepped for them afterwards with `grep -F -f`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sbxy_e2e::{connected_stack, options_with, tenant};
use sbxy_simulators::{FaultConfig, FaultKind, FaultRate};
use sbxy_sync::Deadline;

use crate::util::run;

fn secrets_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/attack/secrets.txt")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_no_secret_in_logs_reports_or_status() {
    sbxy_sync::telemetry::init(true);
    let stack = connected_stack(options_with(&[("HTTP_TIMEOUT_SECS", "1")]))
        .await
        .expect("stack");
    let mut secrets: BTreeSet<String> = [
        "5AepDEMOrefreshTOKEN",
        "demo-client-secret",
        "sbxy-demo-api-key",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    let mut texts = Vec::new();
    let remember = |secrets: &mut BTreeSet<String>, tokens: &sbxy_storage::PardotTokens| {
        secrets.insert(tokens.refresh_token.expose().to_owned());
        if let Some(access) = &tokens.access_token {
            secrets.insert(access.expose().to_owned());
        }
    };
    let tokens = stack
        .ctx
        .secrets
        .tenant_tokens(&tenant())
        .await
        .expect("read");
    remember(&mut secrets, tokens.as_ref().expect("tokens"));

    stack.sim.set_faults(FaultConfig {
        pardot: Some(FaultRate {
            rate: 0.15,
            seed: 5,
            kinds: vec![
                FaultKind::Http500,
                FaultKind::Drop,
                FaultKind::Slow,
                FaultKind::Pardot184,
                FaultKind::Pardot66,
            ],
        }),
        streamboxy: Some(FaultRate {
            rate: 0.15,
            seed: 6,
            kinds: vec![
                FaultKind::Streamboxy500,
                FaultKind::Drop,
                FaultKind::Streamboxy409,
            ],
        }),
        oauth: Some(FaultRate {
            rate: 0.3,
            seed: 8,
            kinds: vec![FaultKind::Http500, FaultKind::Drop],
        }),
        slow_ms: Some(1500),
        pardot_184_after: Some(30),
        ..FaultConfig::default()
    });
    for _ in 0..3 {
        let report = run(&stack, Deadline::none()).await;
        texts.push(format!("{report:?}"));
        texts.push(serde_json::to_string(&report).unwrap_or_default());
        if let Ok(Some(tokens)) = stack.ctx.secrets.tenant_tokens(&tenant()).await {
            remember(&mut secrets, &tokens);
        }
    }
    // Expire the tokens for good: a refresh that fails must not echo the refresh token.
    stack.sim.clear_faults();
    stack.sim.advance_clock(3 * 3600);
    let report = run(&stack, Deadline::none()).await;
    texts.push(format!("{report:?}"));
    if let Ok(Some(tokens)) = stack.ctx.secrets.tenant_tokens(&tenant()).await {
        remember(&mut secrets, &tokens);
    }
    let record = stack.ctx.store.tenant(&tenant()).await.expect("read");
    texts.push(format!("{record:?}"));
    let events = stack
        .ctx
        .store
        .linked_events(&tenant())
        .await
        .expect("read");
    texts.push(format!("{events:?}"));
    let bu = sbxy_domain::ids::BusinessUnitId::parse(sbxy_harness::DEMO_BUSINESS_UNIT).expect("bu");
    let state = stack
        .ctx
        .store
        .business_unit_state(&bu)
        .await
        .expect("read");
    texts.push(format!("{state:?}"));

    let path = secrets_file();
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    let lines: Vec<&str> = secrets.iter().map(String::as_str).collect();
    std::fs::write(&path, lines.join("\n") + "\n").expect("write secrets");
    println!(
        "leak check: {} secret values written for grep -F -f",
        secrets.len()
    );

    let leaked: Vec<usize> = texts
        .iter()
        .enumerate()
        .filter(|(_, t)| secrets.iter().any(|s| t.contains(s.as_str())))
        .map(|(i, _)| i)
        .collect();
    assert!(
        leaked.is_empty(),
        "a secret appears in reports/status texts {leaked:?}"
    );
    stack.stop().await;
}
