//! `openapi.yaml` and the router describe the same API: every route is documented, every
//! documented route exists, and a request to each documented operation reaches a handler.

mod common;

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_yaml_ng::Value;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

fn document() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml");
    let text = std::fs::read_to_string(path).expect("openapi.yaml is readable");
    serde_yaml_ng::from_str(&text).expect("openapi.yaml is valid YAML")
}

fn documented() -> BTreeSet<(String, String)> {
    let doc = document();
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .expect("the document has paths");

    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        let path = path.as_str().expect("path keys are strings");
        let item = item.as_mapping().expect("path items are mappings");
        for method in METHODS {
            if item.contains_key(method) {
                operations.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    operations
}

fn routed() -> BTreeSet<(String, String)> {
    sbxy_http_api::route_table()
        .into_iter()
        .map(|(method, path)| (method.as_str().to_owned(), path.to_owned()))
        .collect()
}

#[test]
fn the_document_is_openapi_3_1() {
    let doc = document();
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .expect("openapi version");

    assert!(version.starts_with("3.1."), "{version}");
}

#[test]
fn every_route_is_documented() {
    let missing: Vec<_> = routed().difference(&documented()).cloned().collect();

    assert!(
        missing.is_empty(),
        "routes missing from openapi.yaml: {missing:?}"
    );
}

#[test]
fn every_documented_route_exists() {
    let extra: Vec<_> = documented().difference(&routed()).cloned().collect();

    assert!(extra.is_empty(), "documented but not routed: {extra:?}");
}

/// Probes the router itself rather than trusting the table: each documented operation must
/// reach a handler (no 405, no "no such route").
#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    let state = common::state().await;

    for (method, path) in documented() {
        let uri = path
            .replace("{tenant}", "tenant-a")
            .replace("{event}", "event-1");
        let request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(&uri)
            .body(Body::empty())
            .expect("request");

        let response = common::send(state.clone(), request).await;
        let status = response.status();
        let body = common::body_text(response).await;

        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert!(
            !body.contains(sbxy_http_api::NO_SUCH_ROUTE),
            "{method} {uri} matched no route"
        );
    }
}

#[tokio::test]
async fn an_undocumented_path_matches_no_route() {
    let request = Request::get("/tenants/tenant-a/pardot/secrets")
        .body(Body::empty())
        .expect("request");

    let response = common::send(common::state().await, request).await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        common::body_text(response)
            .await
            .contains(sbxy_http_api::NO_SUCH_ROUTE)
    );
}
