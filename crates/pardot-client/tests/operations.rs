//! The typed operations: request shapes on the wire and the mapping of their specific codes.

mod common;

use chrono::DateTime;
use common::{FakeServer, Reply, TestTokens};
use reqwest::Method;
use sbxy_pardot_client::PardotError;
use sbxy_pardot_client::model::{ExternalActivity, ListQuery, MembershipCreated};
use serde_json::json;

#[tokio::test]
async fn update_prospect_field_patches_one_field_and_accepts_204_and_200() {
    for status in [204, 200] {
        let server = FakeServer::start(move |_| {
            if status == 204 {
                Reply::empty(204)
            } else {
                Reply::json(200, r#"{"id":42}"#)
            }
        })
        .await;
        let client = common::client(&server, TestTokens::new("at-1", "at-2"));

        client
            .update_prospect_field(42, "streamboxyLink__c", "https://join.example.test/a?b=c")
            .await
            .expect("updated");

        let request = &server.requests()[0];
        assert_eq!(request.method, Method::PATCH);
        assert_eq!(request.path, "/api/v5/objects/prospects/42");
        assert_eq!(
            request.json(),
            json!({"streamboxyLink__c": "https://join.example.test/a?b=c"})
        );
        assert_eq!(request.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn update_prospect_field_maps_field_codes() {
    let cases: [(u16, i64, &str); 4] = [
        (400, 219, "Deleted record can't be updated"),
        (400, 154, "Invalid property in request: streamboxyLink__c"),
        (
            400,
            51,
            "Invalid parameter: fields. It contains an invalid or unknown field: \
             streamboxyLink__c.",
        ),
        (
            400,
            180,
            "Non-writable property in request: streamboxyLink__c",
        ),
    ];

    for (status, code, message) in cases {
        let server = FakeServer::start(move |_| Reply::error(status, code, message)).await;
        let client = common::client(&server, TestTokens::new("at-1", "at-2"));

        let err = client
            .update_prospect_field(42, "streamboxyLink__c", "https://x.example.test")
            .await
            .expect_err("rejected");

        match (code, &err) {
            (219, PardotError::ProspectInRecycleBin { prospect_id: 42 })
            | (154 | 51, PardotError::UnknownField { .. })
            | (180, PardotError::FieldNotWritable { .. }) => {}
            _ => panic!("code {code}: unexpected {err:?}"),
        }
        assert_eq!(server.request_count(), 1);
    }
}

#[tokio::test]
async fn update_prospect_field_refuses_odd_names_before_sending() {
    let server = FakeServer::start(|_| Reply::empty(204)).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let err = client
        .update_prospect_field(42, "a\"b", "x")
        .await
        .expect_err("refused");

    assert!(matches!(err, PardotError::InvalidRequest { .. }));
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn create_list_membership_reports_existing_membership() {
    let server = FakeServer::start(|request| {
        if request.json()["prospectId"] == json!(5) {
            Reply::error(400, 58, "Prospect is already a member of the list")
        } else {
            Reply::json(201, r#"{"id":78}"#)
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let existing = client
        .create_list_membership(10, 5)
        .await
        .expect("existing");
    let created = client.create_list_membership(10, 6).await.expect("created");

    assert_eq!(existing, MembershipCreated::AlreadyMember);
    assert_eq!(created, MembershipCreated::Created(78));
    let requests = server.requests();
    assert_eq!(requests[1].path, "/api/v5/objects/list-memberships");
    assert_eq!(requests[1].param("fields").as_deref(), Some("id"));
    assert_eq!(requests[1].json(), json!({"listId": 10, "prospectId": 6}));
}

#[tokio::test]
async fn membership_opt_out_and_delete() {
    let server = FakeServer::start(|request| match request.method {
        Method::PATCH => Reply::json(200, r#"{"id":77}"#),
        _ => Reply::empty(204),
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    client
        .update_list_membership_opt_out(77, true)
        .await
        .expect("opt out");
    client.delete_list_membership(77).await.expect("deleted");

    let requests = server.requests();
    assert_eq!(requests[0].json(), json!({"optedOut": true}));
    assert_eq!(requests[1].method, Method::DELETE);
    assert_eq!(requests[1].path, "/api/v5/objects/list-memberships/77");
}

#[tokio::test]
async fn lists_are_created_read_queried_and_deleted() {
    let server =
        FakeServer::start(
            |request| match (request.method.clone(), request.path.as_str()) {
                (Method::POST, _) => Reply::json(
                    201,
                    r#"{"id":11,"name":"Webinar – Show","folderId":123,"isDynamic":false}"#,
                ),
                (Method::DELETE, _) => Reply::empty(204),
                (_, "/api/v5/objects/lists/11") => Reply::json(
                    200,
                    r#"{"id":11,"name":"Webinar – Show","folderId":123,"isDynamic":false,
                "isDeleted":false,"updatedAt":"2025-05-16T11:27:08-07:00"}"#,
                ),
                _ => Reply::json(
                    200,
                    r#"{"nextPageToken":null,"nextPageUrl":null,"values":[{"id":11,"name":null,
                "folderId":null,"isDynamic":true,"isDeleted":false,"updatedAt":null}]}"#,
                ),
            },
        )
        .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let created = client
        .create_list("Webinar – Show", Some(123))
        .await
        .expect("created");
    let read = client.read_list(11).await.expect("read");
    let page = client
        .query_lists(&ListQuery::default())
        .next_page()
        .await
        .expect("query");
    client.delete_list(11).await.expect("deleted");

    assert_eq!((created.id, created.folder_id), (11, Some(123)));
    assert_eq!(read.name, "Webinar – Show");
    let listed = &page.expect("a page").values[0];
    assert_eq!((listed.name.as_str(), listed.is_dynamic), ("", Some(true)));
    let requests = server.requests();
    assert_eq!(
        requests[0].param("fields").as_deref(),
        Some("id,name,folderId,isDynamic")
    );
    assert_eq!(
        requests[0].json(),
        json!({"name": "Webinar – Show", "folderId": 123})
    );
    assert_eq!(
        requests[1].param("fields").as_deref(),
        Some("id,name,folderId,isDynamic,isDeleted,updatedAt")
    );
    assert_eq!(requests[2].param("limit").as_deref(), Some("1000"));
    assert_eq!(requests[3].path, "/api/v5/objects/lists/11");
}

#[tokio::test]
async fn prospects_are_read_and_found_by_email() {
    let server = FakeServer::start(|request| {
        if request.path.ends_with("/prospects/55389571") {
            Reply::json(
                200,
                r#"{"id":55389571,"email":"a@example.test","firstName":"A","lastName":"B",
                    "isDeleted":false,"streamboxyLink__c":"https://join.example.test/1"}"#,
            )
        } else {
            Reply::json(
                200,
                r#"{"nextPageToken":null,"nextPageUrl":null,"values":[
                    {"id":1,"email":"dup@example.test","firstName":null,"lastName":null},
                    {"id":2,"email":"dup@example.test","firstName":null,"lastName":null}]}"#,
            )
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let prospect = client
        .read_prospect(55_389_571, &["streamboxyLink__c"])
        .await
        .expect("read");
    let found = client
        .query_prospects_by_email("dup+tag@example.test", &[] as &[&str])
        .await
        .expect("found");

    assert_eq!(
        prospect.field_str("streamboxyLink__c"),
        Some("https://join.example.test/1")
    );
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), vec![1, 2]);
    let requests = server.requests();
    assert_eq!(
        requests[0].param("fields").as_deref(),
        Some("id,email,firstName,lastName,isDeleted,streamboxyLink__c")
    );
    assert_eq!(
        requests[1].param("email").as_deref(),
        Some("dup+tag@example.test")
    );
}

#[tokio::test]
async fn account_and_custom_fields() {
    let server = FakeServer::start(|request| {
        if request.path.ends_with("/account") {
            Reply::json(
                200,
                r#"{"id":9,"company":null,"website":"https://example.test"}"#,
            )
        } else {
            Reply::json(
                200,
                r#"{"nextPageToken":null,"nextPageUrl":null,"values":[{"id":247666,
                    "fieldId":"streamboxyLink","isRequired":false,"name":"STREAMBOXY link",
                    "type":"text"}]}"#,
            )
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let account = client.account().await.expect("account");
    let mut fields = client.query_custom_fields();
    let page = fields.next_page().await.expect("fields").expect("page");

    assert_eq!(account.id, 9);
    assert_eq!(page.values[0].prospect_key(), "streamboxyLink__c");
    let requests = server.requests();
    assert_eq!(
        requests[0].param("fields").as_deref(),
        Some("id,company,website")
    );
    assert_eq!(
        requests[1].param("fields").as_deref(),
        Some("id,fieldId,name,type,isRequired")
    );
}

#[tokio::test]
async fn external_activity_shape_and_value_limit() {
    let server = FakeServer::start(|_| Reply::json(201, "{}")).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut activity = ExternalActivity {
        extension: "Streamboxy".to_owned(),
        activity_type: "Show".to_owned(),
        email: "a@example.test".to_owned(),
        value: "event-2025-05".to_owned(),
        activity_date: Some(
            DateTime::parse_from_rfc3339("2025-05-01T10:00:00-07:00").expect("date"),
        ),
    };

    client
        .create_external_activity(&activity)
        .await
        .expect("created");
    activity.value = "ä".repeat(101);
    let too_long = client.create_external_activity(&activity).await;

    assert!(matches!(too_long, Err(PardotError::InvalidRequest { .. })));
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/api/v5/external-activities");
    assert_eq!(
        requests[0].json(),
        json!({"extension": "Streamboxy", "type": "Show", "email": "a@example.test",
               "value": "event-2025-05", "activityDate": "2025-05-01T10:00:00-07:00"})
    );
}

#[tokio::test]
async fn recorded_external_activities_are_queried_by_creation_time() {
    let server = FakeServer::start(|_| {
        Reply::json(
            200,
            r#"{"nextPageToken":null,"nextPageUrl":null,"values":[
                {"id":7,"extension":"Streamboxy","type":"Show","value":"ev-1","prospectId":42},
                {"id":8,"extension":"Streamboxy","type":"NoShow","value":null,"prospectId":null}
            ]}"#,
        )
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let from = DateTime::parse_from_rfc3339("2025-05-01T10:00:00+00:00").expect("date");

    let mut pager = client.query_external_activities(&from);
    let page = pager.next_page().await.expect("page").expect("one page");

    assert_eq!(page.values.len(), 2);
    assert_eq!(page.values[0].activity_type, "Show");
    assert_eq!(page.values[0].value, "ev-1");
    assert_eq!(page.values[0].prospect_id, Some(42));
    assert_eq!(page.values[1].prospect_id, None);
    let request = &server.requests()[0];
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.path, "/api/v5/external-activities");
    assert_eq!(
        request.param("createdAtAfterOrEqualTo").as_deref(),
        Some("2025-05-01T10:00:00+00:00")
    );
    assert_eq!(
        request.param("fields").as_deref(),
        Some("id,extension,type,value,prospectId")
    );
}

#[tokio::test]
async fn not_found_is_recognisable() {
    let server =
        FakeServer::start(|_| Reply::error(404, 109, "The requested record was not found.")).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));

    let err = client.read_list(404).await.expect_err("missing");

    assert!(err.is_not_found());
    assert_eq!(server.request_count(), 1);
}
