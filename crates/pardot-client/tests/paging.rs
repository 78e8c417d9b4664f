//! Page chains: followed verbatim, ended only by a null token, never sent to a foreign host,
//! and the 100k ceiling reported.

mod common;

use chrono::DateTime;
use common::{FakeServer, Reply, TestTokens};
use sbxy_pardot_client::PardotError;
use sbxy_pardot_client::model::{Deleted, MembershipOrder, MembershipQuery};

const CEILING_WARNING: &str =
    "101;Record count for nextPageToken sequence has been exceeded. No page token returned.";

fn list_query() -> MembershipQuery {
    MembershipQuery {
        list_id: Some(4712),
        limit: Some(2),
        ..MembershipQuery::default()
    }
}

#[tokio::test]
async fn exactly_full_last_page_is_followed_by_the_empty_page() {
    let server = FakeServer::start(|request| {
        let origin = format!("http://{}", request.header("host").unwrap_or_default());
        if request.param("nextPageToken").is_some() {
            Reply::json(
                200,
                common::own_fixture("memberships-empty-page.json", &origin),
            )
        } else {
            Reply::json(
                200,
                common::own_fixture("memberships-full-page.json", &origin),
            )
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut pager = client.query_list_memberships(&list_query());

    let first = pager.next_page().await.expect("first page").expect("some");
    let second = pager.next_page().await.expect("second page").expect("some");
    let end = pager.next_page().await.expect("end");

    assert_eq!(first.values.len(), 2);
    assert!(second.values.is_empty());
    assert!(end.is_none());
    assert!(!pager.ceiling_reached());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    // Followed verbatim: raw commas and the token exactly as Pardot wrote them.
    assert_eq!(
        requests[1].query.as_deref(),
        Some(
            "fields=id,listId,prospectId,optedOut,isDeleted,createdAt,updatedAt,prospect.email\
             &nextPageToken=eyJsaW1pdCI6Miwib3duIjoic2J4eSJ9"
        )
    );
}

#[tokio::test]
async fn short_page_with_token_does_not_end_the_chain() {
    let server = FakeServer::start(|request| {
        let origin = format!("http://{}", request.header("host").unwrap_or_default());
        let link = format!("{origin}/api/v5/objects/list-memberships?fields=id&nextPageToken=t2");
        match request.param("nextPageToken").as_deref() {
            None => Reply::json(
                200,
                serde_json::json!({
                    "nextPageToken": "t2",
                    "nextPageUrl": link,
                    "values": []
                })
                .to_string(),
            )
            .with_header("Pardot-Warning", "202;Record(s) have been redacted"),
            Some(_) => Reply::json(200, common::own_fixture("memberships-nested.json", &origin)),
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut pager = client.query_list_memberships(&list_query());

    let first = pager.next_page().await.expect("first").expect("some");
    let second = pager.next_page().await.expect("second").expect("some");

    assert!(first.values.is_empty());
    assert_eq!(first.warnings[0].code, Some(202));
    assert_eq!(second.values.len(), 3);
    assert!(pager.next_page().await.expect("end").is_none());
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn foreign_host_page_link_is_refused_and_gets_no_token() {
    let foreign = FakeServer::start(|_| Reply::json(200, r#"{"values":[]}"#)).await;
    let foreign_link = format!(
        "{}/api/v5/objects/list-memberships?nextPageToken=t2",
        foreign.origin()
    );
    let server = FakeServer::start(move |_| {
        Reply::json(
            200,
            serde_json::json!({"nextPageToken": "t2", "nextPageUrl": foreign_link, "values": []})
                .to_string(),
        )
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut pager = client.query_list_memberships(&list_query());

    let first = pager.next_page().await;
    let second = pager.next_page().await;
    let third = pager.next_page().await;

    assert!(first.expect("own host is fine").is_some());
    assert!(
        matches!(second, Err(PardotError::HostNotAllowed { .. })),
        "{second:?}"
    );
    assert!(
        matches!(third, Err(PardotError::HostNotAllowed { .. })),
        "stays refused"
    );
    assert_eq!(foreign.request_count(), 0);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn ceiling_warning_is_reported() {
    let server = FakeServer::start(|request| {
        let origin = format!("http://{}", request.header("host").unwrap_or_default());
        Reply::json(
            200,
            common::own_fixture("memberships-ceiling-page.json", &origin),
        )
        .with_header("Pardot-Warning", CEILING_WARNING)
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut pager = client.query_list_memberships(&list_query());

    let page = pager.next_page().await.expect("page").expect("some");

    assert!(page.ceiling_reached);
    assert!(pager.ceiling_reached());
    assert_eq!(page.values[0].id, 1_000_000);
    assert!(pager.next_page().await.expect("end").is_none());
}

#[tokio::test]
async fn membership_query_sends_fields_filters_and_headers() {
    let server = FakeServer::start(|request| {
        let origin = format!("http://{}", request.header("host").unwrap_or_default());
        Reply::json(
            200,
            common::own_fixture("memberships-empty-page.json", &origin),
        )
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let query = MembershipQuery {
        list_id: Some(4711),
        id_greater_than: Some(99),
        updated_at_after_or_equal: Some(
            DateTime::parse_from_rfc3339("2025-01-02T03:04:05+02:00").expect("date"),
        ),
        order_by: MembershipOrder::UpdatedAt,
        deleted: Deleted::All,
        limit: Some(5000),
        prospect_fields: vec!["streamboxyLink__c".to_owned()],
    };

    client
        .query_list_memberships(&query)
        .next_page()
        .await
        .expect("page");

    let request = &server.requests()[0];
    assert_eq!(request.path, "/api/v5/objects/list-memberships");
    assert_eq!(
        request.param("fields").as_deref(),
        Some(
            "id,listId,prospectId,optedOut,isDeleted,createdAt,updatedAt,prospect.id,\
             prospect.email,prospect.firstName,prospect.lastName,prospect.isDeleted,\
             prospect.streamboxyLink__c"
        )
    );
    assert_eq!(request.param("listId").as_deref(), Some("4711"));
    assert_eq!(request.param("idGreaterThan").as_deref(), Some("99"));
    assert_eq!(
        request.param("updatedAtAfterOrEqualTo").as_deref(),
        Some("2025-01-02T03:04:05+02:00")
    );
    assert!(
        request
            .query
            .as_deref()
            .unwrap_or_default()
            .contains("%2B02%3A00"),
        "+ is encoded"
    );
    assert_eq!(request.param("orderBy").as_deref(), Some("updatedAt ASC"));
    assert_eq!(request.param("deleted").as_deref(), Some("all"));
    assert_eq!(
        request.param("limit").as_deref(),
        Some("1000"),
        "limit is clamped"
    );
    assert_eq!(request.header("authorization"), Some("Bearer at-1"));
    assert_eq!(request.header("pardot-business-unit-id"), Some(common::BU));
    assert_eq!(request.header("accept"), Some("application/json"));
}

#[tokio::test]
async fn invalid_prospect_field_is_refused_before_sending() {
    let server = FakeServer::start(|_| Reply::empty(500)).await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let query = MembershipQuery {
        prospect_fields: vec!["email,password".to_owned()],
        ..MembershipQuery::default()
    };

    let result = client.query_list_memberships(&query).next_page().await;

    assert!(
        matches!(result, Err(PardotError::InvalidRequest { .. })),
        "{result:?}"
    );
    assert_eq!(server.request_count(), 0);
}

#[tokio::test]
async fn failed_page_can_be_retried_by_calling_again() {
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let server = FakeServer::start(move |request| {
        let origin = format!("http://{}", request.header("host").unwrap_or_default());
        if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            Reply::error(400, 210, "Page token has expired")
        } else {
            Reply::json(200, common::own_fixture("memberships-nested.json", &origin))
        }
    })
    .await;
    let client = common::client(&server, TestTokens::new("at-1", "at-2"));
    let mut pager = client.query_list_memberships(&list_query());

    let failed = pager.next_page().await;
    let retried = pager.next_page().await.expect("second try").expect("some");

    assert!(
        matches!(failed, Err(PardotError::Api { code: 210, .. })),
        "{failed:?}"
    );
    assert_eq!(retried.values.len(), 3);
}
