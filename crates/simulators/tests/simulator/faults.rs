//! Fault injection over the control endpoints: one-shot knobs, random kinds with a seed,
//! connection drops, slowness, and what the stats record about them.

use std::time::Duration;

use reqwest::Method;
use sbxy_simulators::{FaultConfig, FaultKind, FaultRate};
use serde_json::json;

use crate::common::{BU, Pardot, Sbxy, http, json, pardot_error, sim};

const ACCOUNT: &str = "/api/v5/objects/account?fields=id";

fn rate(kinds: Vec<FaultKind>) -> Option<FaultRate> {
    Some(FaultRate {
        rate: 1.0,
        seed: 1,
        kinds,
    })
}

#[tokio::test]
async fn burst_of_66_over_http_control() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let control = format!("{}/_sim/faults", sim.streamboxy_url);

    let set = http()
        .post(&control)
        .json(&json!({"pardot_66_burst": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 204);
    assert_eq!(
        json(http().get(&control).send().await.unwrap()).await["pardot_66_burst"],
        json!(2)
    );
    assert_eq!(
        pardot_error(pardot.get(ACCOUNT).send().await.unwrap()).await,
        (429, 66)
    );
    assert_eq!(
        pardot_error(pardot.get(ACCOUNT).send().await.unwrap()).await,
        (429, 66)
    );
    assert_eq!(pardot.get(ACCOUNT).send().await.unwrap().status(), 200);

    let stats = sim.stats();
    assert_eq!(stats.pardot.calls.faults["pardot_66_burst"], 2);
    assert_eq!(
        stats
            .pardot
            .calls
            .calls_with_status("GET /api/v5/objects/account", "429"),
        2
    );
    assert_eq!(
        stats.pardot.total_cap_violations(),
        0,
        "injected 66s are no cap violations"
    );
    assert_eq!(http().delete(&control).send().await.unwrap().status(), 204);
    sim.shutdown().await;
}

#[tokio::test]
async fn token_killed_after_n_calls_and_all_tokens_killed() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    sim.set_faults(FaultConfig {
        pardot_184_after: Some(2),
        ..FaultConfig::default()
    });

    assert_eq!(pardot.get(ACCOUNT).send().await.unwrap().status(), 200);
    assert_eq!(
        pardot_error(pardot.get(ACCOUNT).send().await.unwrap()).await,
        (400, 184)
    );
    assert_eq!(
        pardot_error(pardot.get(ACCOUNT).send().await.unwrap()).await,
        (401, 184)
    );
    let fresh = Pardot::new(&sim);
    assert_eq!(fresh.get(ACCOUNT).send().await.unwrap().status(), 200);

    sim.set_faults(FaultConfig {
        pardot: rate(vec![FaultKind::Pardot184]),
        ..FaultConfig::default()
    });
    assert_eq!(
        pardot_error(fresh.get(ACCOUNT).send().await.unwrap()).await,
        (400, 184)
    );
    sim.clear_faults();
    assert_eq!(
        pardot_error(fresh.get(ACCOUNT).send().await.unwrap()).await,
        (401, 184)
    );
    assert_eq!(sim.salesforce_state()["live_access_tokens"], json!(0));
    sim.shutdown().await;
}

#[tokio::test]
async fn streamboxy_faults_use_problem_answers() {
    let sim = sim().await;
    let sbxy = Sbxy::new(&sim);
    sim.set_faults(FaultConfig {
        streamboxy: rate(vec![FaultKind::Streamboxy409]),
        ..FaultConfig::default()
    });
    assert_eq!(
        sbxy.req(Method::GET, "/Event")
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
    sim.set_faults(FaultConfig {
        streamboxy: rate(vec![FaultKind::Http500, FaultKind::Streamboxy500]),
        ..FaultConfig::default()
    });
    let failed = sbxy.req(Method::GET, "/Event").send().await.unwrap();
    assert_eq!(failed.status(), 500);
    assert_eq!(failed.headers()["content-type"], "application/problem+json");
    sim.shutdown().await;
}

#[tokio::test]
async fn dropped_connections_and_drop_after_processing() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    sim.set_faults(FaultConfig {
        pardot: rate(vec![FaultKind::Drop]),
        ..FaultConfig::default()
    });
    let dropped = pardot.get(ACCOUNT).send().await;
    assert!(dropped.is_err(), "no response at all");

    sim.set_faults(FaultConfig {
        pardot: rate(vec![FaultKind::DropAfter]),
        ..FaultConfig::default()
    });
    let lost = pardot
        .post("/api/v5/objects/lists", json!({"name": "Written anyway"}))
        .send()
        .await;
    assert!(lost.is_err());
    assert_eq!(
        sim.lists_named(BU, "Written anyway").len(),
        1,
        "the write happened"
    );

    sim.clear_faults();
    assert_eq!(pardot.get(ACCOUNT).send().await.unwrap().status(), 200);
    let stats = sim.stats().pardot.calls;
    assert_eq!(
        stats.calls_with_status("GET /api/v5/objects/account", "dropped"),
        1
    );
    assert_eq!(
        stats.calls_with_status("POST /api/v5/objects/lists", "dropped"),
        1
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn slow_fault_outlasts_the_client_timeout() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    sim.set_faults(FaultConfig {
        oauth: rate(vec![FaultKind::Slow]),
        slow_ms: Some(600),
        ..FaultConfig::default()
    });
    let slow = http()
        .post(format!("{}/services/oauth2/token", sim.oauth_url))
        .timeout(Duration::from_millis(100))
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await;
    assert!(slow.unwrap_err().is_timeout());
    assert_eq!(
        pardot.get(ACCOUNT).send().await.unwrap().status(),
        200,
        "other systems unaffected"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_same_seed_replays_the_same_faults() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);
    let config = FaultConfig {
        pardot: Some(FaultRate {
            rate: 0.5,
            seed: 42,
            kinds: vec![FaultKind::Http500],
        }),
        ..FaultConfig::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        sim.set_faults(config.clone());
        let mut statuses = Vec::new();
        for _ in 0..16 {
            statuses.push(pardot.get(ACCOUNT).send().await.unwrap().status().as_u16());
        }
        runs.push(statuses);
    }

    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&500) && runs[0].contains(&200));
    sim.shutdown().await;
}
