//! The demo seed: deterministic, committed as data/demo-seed.json, and shaped as the demo
//! and the end-to-end tests expect.

use std::collections::BTreeSet;
use std::path::PathBuf;

use sbxy_simulators::demo_seed::{
    DEMO_BU, DEMO_DELETED_PROSPECT, DEMO_LIST_LAUNCH, DEMO_LIST_SUMMIT, DEMO_OPTED_OUT_PROSPECT,
    DEMO_TENANT,
};
use sbxy_simulators::{SimConfig, demo_seed, demo_seed_json, start};
use serde_json::json;

use crate::common::{http, json};

#[test]
fn committed_file_matches_the_generator() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/demo-seed.json");
    let committed = std::fs::read_to_string(path).expect("data/demo-seed.json exists");
    assert!(
        committed == demo_seed_json(),
        "data/demo-seed.json is stale: run `sbxy-sim generate-demo-seed > data/demo-seed.json`"
    );
    assert_eq!(
        demo_seed_json(),
        demo_seed_json(),
        "generation is deterministic"
    );
}

#[test]
fn demo_data_has_the_promised_shape() {
    let seed = demo_seed();
    let unit = &seed.pardot.business_units[0];
    let members = |list: i64| -> BTreeSet<i64> {
        unit.list_memberships
            .iter()
            .filter(|m| m.list_id == list)
            .map(|m| m.prospect_id)
            .collect()
    };
    let launch = members(DEMO_LIST_LAUNCH);
    let summit = members(DEMO_LIST_SUMMIT);

    assert!(launch.len() >= 500);
    assert_eq!(summit.len(), 50);
    assert_eq!(launch.intersection(&summit).count(), 10);
    assert!(launch.contains(&DEMO_DELETED_PROSPECT));
    assert!(
        unit.prospects
            .iter()
            .any(|p| p.id == DEMO_DELETED_PROSPECT && p.is_deleted)
    );
    assert!(
        unit.list_memberships
            .iter()
            .any(|m| m.prospect_id == DEMO_OPTED_OUT_PROSPECT
                && m.list_id == DEMO_LIST_LAUNCH
                && m.opted_out)
    );

    let emails: Vec<&str> = unit.prospects.iter().filter_map(|p| p.email()).collect();
    assert!(emails.iter().all(|e| {
        let domain = e.trim().rsplit('@').next().unwrap_or("").to_lowercase();
        ["example.com", "example.org", "acme.example"].contains(&domain.as_str())
    }));
    assert!(
        emails
            .iter()
            .any(|e| e.starts_with(' ') || e.ends_with(' '))
    );
    let folded: BTreeSet<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    assert_eq!(
        folded.len(),
        emails.len() - 1,
        "exactly one e-mail is shared"
    );
    let names: String = unit
        .prospects
        .iter()
        .map(|p| format!("{} {}", p.field("firstName"), p.field("lastName")))
        .collect();
    for needle in [
        "Müller",
        "Jürgen",
        "José",
        "Françoise",
        "李",
        "Иван",
        "محمد",
        "田中",
    ] {
        assert!(names.contains(needle), "demo names lack {needle}");
    }
    assert!(unit.created_or_updated_before_december());
}

trait BeforeDecember {
    fn created_or_updated_before_december(&self) -> bool;
}

impl BeforeDecember for sbxy_simulators::BusinessUnitSeed {
    fn created_or_updated_before_december(&self) -> bool {
        let december = chrono::DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z").unwrap();
        self.prospects.iter().all(|p| p.updated_at < december)
            && self
                .list_memberships
                .iter()
                .all(|m| m.updated_at < december)
    }
}

#[tokio::test]
async fn debug_output_hides_secrets_and_tokens() {
    let sim = start(SimConfig::new(demo_seed())).await.unwrap();
    let token = sim.mint_access_token("005DEMO000000USER").unwrap();
    let printed = format!("{sim:?} {:?} {token:?}", demo_seed());

    for secret in [
        "demo-client-secret",
        "sbxy-demo-api-key",
        "5AepDEMOrefreshTOKEN",
    ] {
        assert!(!printed.contains(secret), "Debug output leaks {secret}");
    }
    assert!(!printed.contains(token.expose()));
    sim.shutdown().await;
}

#[tokio::test]
async fn demo_seed_serves_the_linked_events() {
    let sim = start(SimConfig::new(demo_seed())).await.unwrap();
    let events = http()
        .get(format!("{}/tenant/{DEMO_TENANT}/Event", sim.streamboxy_url))
        .bearer_auth("sbxy-demo-api-key")
        .send()
        .await
        .unwrap();
    let events = json(events).await;
    assert_eq!(events["result"][0]["title"], json!("Product Launch 2027"));
    assert_eq!(
        events["result"][0]["customProperties"],
        json!({"PardotListName": "SBXYPardotTest"})
    );
    assert_eq!(
        events["result"][1]["customProperties"],
        json!({"PardotListName": "SBXY Partner Summit"})
    );
    assert_eq!(sim.list_memberships(DEMO_BU, DEMO_LIST_LAUNCH).len(), 520);
    sim.shutdown().await;
}
