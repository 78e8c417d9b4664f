//! Grants, revokes, granted users, access links and attendance.

use serde_json::{Value, json};

use sbxy_streamboxy_client::Grant;

use crate::fake::{Fake, FakeState, TENANT};
use crate::{client_for, client_with, config_for, user};

#[tokio::test]
async fn grant_is_new_once_then_already() {
    let fake = Fake::start(FakeState::default()).await;
    let client = client_for(&fake);

    assert_eq!(
        client
            .grant_event(TENANT, "e1", "u-1")
            .await
            .expect("granted"),
        Grant::New
    );
    assert_eq!(
        client
            .grant_event(TENANT, "e1", "u-1")
            .await
            .expect("granted"),
        Grant::Already
    );

    let seen = fake.seen();
    assert_eq!(seen[0].method, "PUT");
    assert_eq!(seen[0].path, format!("/tenant/{TENANT}/Event/e1/User/u-1"));
}

#[tokio::test]
async fn granted_users_are_paged_and_revoke_removes_one() {
    let users: Vec<Value> = (1..=5)
        .map(|i| user(&format!("u-{i}"), &format!("p{i}@example.com")))
        .collect();
    let fake = Fake::start(FakeState {
        users,
        ..FakeState::default()
    })
    .await;
    let mut config = config_for(&fake);
    config.page_size = 2;
    let client = client_with(config);

    for i in 1..=5 {
        client
            .grant_event(TENANT, "e1", &format!("u-{i}"))
            .await
            .expect("granted");
    }
    client
        .revoke_event(TENANT, "e1", "u-3")
        .await
        .expect("revoked");
    client
        .revoke_event(TENANT, "e1", "u-3")
        .await
        .expect("revoking twice is fine");

    let granted = client.granted_users(TENANT, "e1").await.expect("listed");
    let ids: Vec<&str> = granted.iter().map(|u| u.id.as_str()).collect();
    assert_eq!(ids, ["u-1", "u-2", "u-4", "u-5"]);
}

#[tokio::test]
async fn access_link_posts_the_event_id() {
    let fake = Fake::start(FakeState::default()).await;
    let client = client_for(&fake);

    let link = client
        .access_link(TENANT, "u-9", "e1")
        .await
        .expect("link issued");

    assert_eq!(link.url, "https://join.example.com/join/u-9?event=e1");
    assert_eq!(link.expires, None);
    let seen = fake.seen().pop().expect("request seen");
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.path, format!("/tenant/{TENANT}/User/u-9/AccessLink"));
    assert_eq!(
        serde_json::from_str::<Value>(&seen.body).expect("JSON"),
        json!({"eventId": "e1"})
    );
}

#[tokio::test]
async fn attendance_is_read_across_pages() {
    let rows = (1..=5)
        .map(|i| {
            let show = i % 2 == 1;
            let row = json!({
                "userId": format!("u-{i}"), "email": format!("p{i}@example.com"),
                "attended": show,
                "firstJoinDateTimeUtc": show.then_some("2027-03-01T09:05:00Z"),
                "minutesAttended": show.then_some(30.5)
            });
            ("e1".to_owned(), row)
        })
        .chain([("e2".to_owned(), json!({"userId": "u-x", "attended": true}))])
        .collect();
    let fake = Fake::start(FakeState {
        attendance: rows,
        ..FakeState::default()
    })
    .await;
    let mut config = config_for(&fake);
    config.page_size = 2;

    let rows = client_with(config)
        .attendance(TENANT, "e1")
        .await
        .expect("attendance read");

    let shows: Vec<&str> = rows
        .iter()
        .filter(|r| r.attended)
        .map(|r| r.user_id.as_str())
        .collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(shows, ["u-1", "u-3", "u-5"]);
    assert!(rows[1].first_join.is_none() && rows[0].minutes_attended == Some(30.5));
}
