//! The Import API on the wire: the multipart upload that creates a ready job, and the status
//! read with its counts.

mod common;

use common::{FakeServer, Reply, TestTokens};
use reqwest::Method;
use sbxy_pardot_client::PardotError;
use sbxy_pardot_client::model::{ImportState, ProspectImport};

#[tokio::test]
async fn create_uploads_the_input_and_the_csv_as_multipart() {
    let server = FakeServer::start(|_| Reply::json(201, r#"{"id":77,"status":"Ready"}"#)).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut import = ProspectImport::new(&["streamboxyLink__c"]).expect("valid field");
    import
        .push(40001, vec!["https://join.example.test/a".to_owned()])
        .expect("row");
    import
        .push(40002, vec!["https://join.example.test/b".to_owned()])
        .expect("row");

    let created = client
        .create_prospect_import(&import)
        .await
        .expect("created");

    assert_eq!(created.id, 77);
    assert_eq!(created.status, ImportState::Ready);
    let request = &server.requests()[0];
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/api/v5/imports");
    assert_eq!(request.header("Pardot-Business-Unit-Id"), Some(common::BU));
    let content_type = request.header("content-type").expect("content type");
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("multipart");
    let body = String::from_utf8(request.body.clone()).expect("text body");
    let parts: Vec<&str> = body.split(&format!("--{boundary}")).collect();
    assert_eq!(parts.len(), 4, "preamble, two parts, closing: {body}");
    assert!(parts[1].contains("name=\"input\""));
    assert!(parts[1].contains(r#""createOnNoMatch":false"#));
    assert!(parts[1].contains(r#""status":"Ready""#));
    assert!(parts[2].contains("name=\"file\""));
    assert!(parts[2].contains(
        "matchId,streamboxyLink__c\r\n40001,https://join.example.test/a\r\n\
         40002,https://join.example.test/b\r\n"
    ));
    assert!(parts[3].starts_with("--"));
}

#[tokio::test]
async fn an_empty_import_is_refused_before_sending() {
    let server = FakeServer::start(|_| Reply::json(201, r#"{"id":1,"status":"Ready"}"#)).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let import = ProspectImport::new(&["streamboxyLink__c"]).expect("valid field");

    let err = client
        .create_prospect_import(&import)
        .await
        .expect_err("empty");

    assert!(matches!(err, PardotError::InvalidRequest { .. }));
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn read_asks_for_the_counts_and_decodes_them() {
    let server = FakeServer::start(|_| {
        Reply::json(
            200,
            r#"{"id":77,"status":"Complete","createdCount":0,"updatedCount":2,
                "errorCount":0,"errorRef":null,"isExpired":false}"#,
        )
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let import = client.read_import(77).await.expect("read");

    assert!(import.applied_cleanly());
    assert_eq!(import.updated_count, Some(2));
    let request = &server.requests()[0];
    assert_eq!(request.path, "/api/v5/imports/77");
    assert_eq!(
        request.param("fields").as_deref(),
        Some("id,status,createdCount,updatedCount,errorCount,errorRef,isExpired")
    );
}

#[tokio::test]
async fn an_unknown_path_is_an_ordinary_api_error() {
    // The paths are unverified: a real business unit may answer "object doesn't exist".
    let server = FakeServer::start(|_| Reply::error(404, 192, "Object doesn't exist")).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut import = ProspectImport::new(&["streamboxyLink__c"]).expect("valid field");
    import.push(1, vec!["x".to_owned()]).expect("row");

    let err = client
        .create_prospect_import(&import)
        .await
        .expect_err("404");

    assert_eq!(err.code(), Some(192));
    assert!(!err.is_retryable());
}
