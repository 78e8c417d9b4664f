//! The simulator's Pardot answers have the same keys and value types as the responses
//! captured from a real business unit (/work/shared/fixtures/pardot-captured, read at test
//! time, never copied).

use std::path::PathBuf;

use base64::Engine;
use sbxy_simulators::{BusinessUnitSeed, CustomField, PardotSeed};
use serde_json::{Value, json};

use crate::common::{BU, Pardot, http, json, sim};

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/pardot-captured")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} must be readable: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

/// Same keys at every level; same JSON type wherever both sides are non-null (a captured
/// `null` says nothing about the type).
fn assert_same_shape(expected: &Value, actual: &Value, at: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let mut ek: Vec<_> = e.keys().collect();
            let mut ak: Vec<_> = a.keys().collect();
            ek.sort();
            ak.sort();
            assert_eq!(ek, ak, "keys differ at {at}");
            for (key, value) in e {
                assert_same_shape(value, &a[key], &format!("{at}.{key}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if let (Some(first), Some(ours)) = (e.first(), a.first()) {
                for row in a {
                    assert_same_shape(first, row, &format!("{at}[]"));
                }
                assert_same_shape(first, ours, &format!("{at}[0]"));
            }
        }
        (Value::Null, _) | (_, Value::Null) => {}
        (e, a) => assert_eq!(kind(e), kind(a), "type differs at {at}"),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn custom_field(id: i64, field_id: &str, name: &str, kind: &str) -> CustomField {
    CustomField {
        id,
        field_id: field_id.to_owned(),
        name: name.to_owned(),
        field_type: kind.to_owned(),
        is_required: false,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
    }
}

#[tokio::test]
async fn query_answers_match_the_captured_shapes() {
    let sim = sim().await;
    sim.seed_pardot(&PardotSeed {
        business_units: vec![BusinessUnitSeed {
            id: BU.to_owned(),
            custom_fields: vec![
                custom_field(247_666, "biography", "Biography", "text"),
                custom_field(247_672, "hobby", "Hobby", "radio button"),
            ],
            ..BusinessUnitSeed::default()
        }],
    })
    .unwrap();
    let pardot = Pardot::new(&sim);
    let get = |path: &str| pardot.get(path).send();

    let prospects = json(
        get("/api/v5/objects/prospects?fields=id,email,firstName,lastName,biography__c,hobby__c")
            .await
            .unwrap(),
    )
    .await;
    assert_same_shape(&fixture("prospects-query.json"), &prospects, "prospects");

    let fields = json(
        get("/api/v5/objects/custom-fields?fields=id,fieldId,isRequired,name,type")
            .await
            .unwrap(),
    )
    .await;
    assert_same_shape(
        &fixture("custom-fields-query.json"),
        &fields,
        "custom-fields",
    );

    // A full page: both keys are strings, the token is base64 JSON of the keyset state.
    let page = json(
        get("/api/v5/objects/lists?fields=id,name,updatedAt&limit=1")
            .await
            .unwrap(),
    )
    .await;
    let captured = fixture("emails-query-page-1.json");
    assert_eq!(
        kind(&page["nextPageToken"]),
        kind(&captured["nextPageToken"])
    );
    assert_eq!(kind(&page["nextPageUrl"]), kind(&captured["nextPageUrl"]));
    let engine = base64::engine::general_purpose::STANDARD;
    let ours: Value = serde_json::from_slice(
        &engine
            .decode(page["nextPageToken"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let theirs: Value = serde_json::from_slice(
        &engine
            .decode(captured["nextPageToken"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    for key in [
        "orderBy",
        "filters",
        "limit",
        "resumeValue",
        "page",
        "recCount",
        "expireTime",
    ] {
        assert!(ours.get(key).is_some(), "our token lacks {key}");
        assert!(theirs.get(key).is_some(), "captured token lacks {key}");
    }
    let updated = page["values"][0]["updatedAt"].as_str().unwrap();
    let captured_updated = captured["values"][0]["updatedAt"].as_str().unwrap();
    assert_eq!(
        updated.len(),
        captured_updated.len(),
        "same timestamp format"
    );
    assert!(updated.ends_with("-07:00"));

    // The empty page after an exactly-full last one.
    let last = json(get(page["nextPageUrl"].as_str().unwrap()).await.unwrap()).await;
    let last = json(get(last["nextPageUrl"].as_str().unwrap()).await.unwrap()).await;
    let empty = json(get(last["nextPageUrl"].as_str().unwrap()).await.unwrap()).await;
    assert_eq!(empty, fixture("emails-query-page-2-empty.json"));
    sim.shutdown().await;
}

#[tokio::test]
async fn error_and_create_answers_match_the_captured_bodies() {
    let sim = sim().await;
    let pardot = Pardot::new(&sim);

    let no_header = http()
        .get(format!("{}/api/v5/objects/lists?fields=id", sim.pardot_url))
        .bearer_auth(&pardot.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        json(no_header).await,
        fixture("error-missing-business-unit-header.json")
    );

    let no_fields = pardot.get("/api/v5/objects/lists").send().await.unwrap();
    assert_eq!(
        json(no_fields).await,
        fixture("error-missing-fields-parameter.json")
    );

    let not_found = pardot
        .delete("/api/v5/objects/lists/424242")
        .send()
        .await
        .unwrap();
    assert_eq!(not_found.status(), 404);
    assert_eq!(
        json(not_found).await,
        fixture("error-record-not-found.json")
    );

    let created = pardot
        .post(
            "/api/v5/objects/prospects",
            json!({"email": "a.alexander@sample.com", "firstName": "Athenasius",
                   "lastName": "Alexander"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    assert_same_shape(
        &fixture("prospect-create-response.json"),
        &json(created).await,
        "create",
    );
    sim.shutdown().await;
}
