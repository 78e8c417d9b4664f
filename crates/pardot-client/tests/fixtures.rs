//! Every captured Pardot response in `shared/fixtures/pardot-captured/` and every fixture of
//! our own decodes into the client's types.

mod common;

use std::path::PathBuf;

use sbxy_pardot_client::error::ApiErrorBody;
use sbxy_pardot_client::model::{CustomField, ListMembership, Prospect};
use sbxy_pardot_client::paging::QueryEnvelope;
use serde_json::{Map, Value};

fn captured_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/pardot-captured")
}

fn captured(name: &str) -> Vec<u8> {
    let path = captured_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()))
}

#[test]
fn every_captured_fixture_decodes() {
    let mut names: Vec<String> = std::fs::read_dir(captured_dir())
        .expect("shared/fixtures/pardot-captured exists next to the repository")
        .map(|entry| {
            entry
                .expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();

    for name in &names {
        let body = captured(name);
        match name.as_str() {
            "prospects-query.json" => {
                let page = QueryEnvelope::<Prospect>::decode(200, &body).expect(name);
                assert_eq!(page.values.len(), 3);
                assert_eq!(page.next_page_token, None);
                assert_eq!(page.values[2].field_str("hobby__c"), Some("swimming"));
                assert_eq!(page.values[0].field_str("biography__c"), None);
                assert!(page.values[0].fields.contains_key("biography__c"));
            }
            "custom-fields-query.json" => {
                let page = QueryEnvelope::<CustomField>::decode(200, &body).expect(name);
                assert_eq!(page.values[0].prospect_key(), "biography__c");
                assert_eq!(page.values[1].field_type, "radio button");
                assert_eq!(page.values[1].is_required, Some(false));
            }
            "emails-query-page-1.json" => {
                let page = QueryEnvelope::<Map<String, Value>>::decode(200, &body).expect(name);
                assert_eq!(page.values.len(), 2);
                assert!(page.next_page_token.is_some());
                let link = page.next_page_url.expect("full page has a link");
                assert!(link.starts_with("https://pi.demo.pardot.com/api/v5/objects/emails?"));
            }
            "emails-query-page-2-empty.json" => {
                let page = QueryEnvelope::<Map<String, Value>>::decode(200, &body).expect(name);
                assert!(page.values.is_empty());
                assert_eq!((page.next_page_token, page.next_page_url), (None, None));
            }
            "error-missing-business-unit-header.json" => {
                assert_eq!(ApiErrorBody::decode(&body).expect(name).code, 181);
            }
            "error-missing-fields-parameter.json" => {
                assert_eq!(ApiErrorBody::decode(&body).expect(name).code, 13);
            }
            "error-record-not-found.json" => {
                assert_eq!(ApiErrorBody::decode(&body).expect(name).code, 109);
            }
            "prospect-create-response.json" => {
                let prospect: Prospect = serde_json::from_slice(&body).expect(name);
                assert_eq!(prospect.id, 55_434_583);
                assert_eq!(prospect.last_name.as_deref(), Some("Alexander"));
            }
            other => panic!("new captured fixture {other}: add an assertion for it here"),
        }
    }
    assert_eq!(names.len(), 8, "all captured fixtures were checked");
}

#[test]
fn own_membership_fixtures_decode() {
    let origin = "https://pi.pardot.com";

    let nested = common::own_fixture("memberships-nested.json", origin);
    let page = QueryEnvelope::<ListMembership>::decode(200, nested.as_bytes()).expect("nested");
    let first = page.values[0]
        .prospect
        .as_ref()
        .expect("first has a prospect");
    assert_eq!(
        first.field_str("streamboxyLink__c"),
        Some("https://events.example.test/join/abc123")
    );
    assert_eq!(first.last_name.as_deref(), Some("Grün"));
    assert!(page.values[1].opted_out);
    assert_eq!(
        page.values[1]
            .prospect
            .as_ref()
            .and_then(|p| p.field_str("streamboxyLink__c")),
        None
    );
    assert!(page.values[2].is_deleted && page.values[2].prospect.is_none());

    let full = common::own_fixture("memberships-full-page.json", origin);
    let page = QueryEnvelope::<ListMembership>::decode(200, full.as_bytes()).expect("full");
    assert_eq!(page.values.len(), 2);
    assert!(page.next_page_url.expect("link").starts_with(origin));

    let empty = common::own_fixture("memberships-empty-page.json", origin);
    let page = QueryEnvelope::<ListMembership>::decode(200, empty.as_bytes()).expect("empty");
    assert!(page.values.is_empty() && page.next_page_token.is_none());

    let ceiling = common::own_fixture("memberships-ceiling-page.json", origin);
    let page = QueryEnvelope::<ListMembership>::decode(200, ceiling.as_bytes()).expect("ceiling");
    assert_eq!(page.values[0].id, 1_000_000);
}

#[test]
fn a_bad_value_names_its_index_not_its_content() {
    let body = br#"{"nextPageToken":null,"nextPageUrl":null,
        "values":[{"id":1,"listId":2,"prospectId":3,
        "createdAt":"x@secret.example","updatedAt":null}]}"#;

    let err = QueryEnvelope::<ListMembership>::decode(200, body).expect_err("bad date");

    let text = err.to_string();
    assert!(text.contains("value #0"), "{text}");
    assert!(!text.contains("x@secret.example"), "{text}");
}
