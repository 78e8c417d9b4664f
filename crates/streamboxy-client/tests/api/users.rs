//! Users: finding by e-mail, creating, and the 409 rule that makes creation idempotent.

use serde_json::Value;

use sbxy_streamboxy_client::{NewUser, StreamboxyError, UserCreated};

use crate::fake::{Fake, FakeState, TENANT};
use crate::{client_for, query_pairs, user};

#[tokio::test]
async fn finds_a_user_whatever_the_case_and_spaces() {
    let fake = Fake::start(FakeState {
        users: vec![user("u-7", "Jose.Mueller+events@Example.com")],
        ..FakeState::default()
    })
    .await;
    let client = client_for(&fake);

    let found = client
        .find_user_by_email(TENANT, "  jose.mueller+EVENTS@example.COM \t")
        .await
        .expect("lookup works")
        .expect("user found");

    assert_eq!(found.id, "u-7");
    let seen = fake.seen().pop().expect("request seen");
    assert_eq!(seen.path, format!("/tenant/{TENANT}/User"));
    assert_eq!(
        seen.query.as_deref(),
        Some("email=jose.mueller%2BEVENTS%40example.COM"),
        "trimmed and URL-encoded, `+` included"
    );
}

#[tokio::test]
async fn an_unknown_or_blank_email_finds_nobody() {
    let fake = Fake::start(FakeState {
        users: vec![user("u-1", "a@example.com")],
        ..FakeState::default()
    })
    .await;
    let client = client_for(&fake);

    assert!(
        client
            .find_user_by_email(TENANT, "b@example.com")
            .await
            .expect("ok")
            .is_none()
    );
    assert!(
        client
            .find_user_by_email(TENANT, "   ")
            .await
            .expect("ok")
            .is_none()
    );
    assert_eq!(client.stats().calls, 1, "a blank e-mail costs no call");
}

#[tokio::test]
async fn creating_an_existing_email_returns_the_existing_id() {
    let fake = Fake::start(FakeState {
        users: vec![user("u-1", "Anna@Example.com")],
        ..FakeState::default()
    })
    .await;
    let client = client_for(&fake);

    let answer = client
        .create_user(TENANT, &NewUser::new(" anna@example.com "))
        .await
        .expect("409 is an answer, not an error");

    assert_eq!(
        answer,
        UserCreated::Exists {
            existing_id: "u-1".into()
        }
    );
    assert_eq!(answer.user_id(), "u-1");
    assert_eq!(client.stats().conflict, 1);
}

#[tokio::test]
async fn find_or_create_needs_one_call_either_way() {
    let fake = Fake::start(FakeState::default()).await;
    let client = client_for(&fake);
    let mut new = NewUser::new(" francoise@example.org ");
    new.first_name = Some("Françoise".into());
    new.external_key = Some("prospect-42".into());

    let first = client
        .find_or_create_user(TENANT, &new)
        .await
        .expect("created");
    let second = client
        .find_or_create_user(TENANT, &new)
        .await
        .expect("found");

    assert!(first.1 && !second.1);
    assert_eq!(first.0, second.0);
    assert_eq!(client.stats().calls, 2);

    let body: Value = serde_json::from_str(&fake.seen()[0].body).expect("JSON body");
    assert_eq!(body["email"], "francoise@example.org", "sent trimmed");
    assert_eq!(body["sendNotifications"], false);
    assert_eq!(body["externalKey"], "prospect-42");
}

#[tokio::test]
async fn a_conflict_without_an_existing_id_is_an_error() {
    let fake = Fake::start(FakeState::default()).await;
    fake.fail_next([crate::fake::Fault::status(
        409,
        r#"{"title":"Conflict","detail":"locked"}"#,
    )]);

    let err = client_for(&fake)
        .create_user(TENANT, &NewUser::new("x@example.com"))
        .await
        .expect_err("no existingId to fall back on");

    assert!(matches!(&err, StreamboxyError::Conflict { detail } if detail == "Conflict: locked"));
    assert!(query_pairs(fake.seen()[0].query.as_deref()).is_empty());
}
