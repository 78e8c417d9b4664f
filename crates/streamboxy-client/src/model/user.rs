//! Tenant users, their access to events, and the personal link that opens an event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::timestamp;

/// A tenant user. One user per e-mail in a tenant; events are granted to users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,

    pub email: String,

    #[serde(default)]
    pub first_name: Option<String>,

    #[serde(default)]
    pub last_name: Option<String>,

    /// The caller's own key for the user (we store the Pardot prospect id); API-only field.
    #[serde(default)]
    pub external_key: Option<String>,

    #[serde(
        rename = "createdDateTimeUtc",
        default,
        deserialize_with = "timestamp::optional"
    )]
    pub created: Option<DateTime<Utc>>,
}

/// The body of `POST /tenant/{t}/User`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUser {
    /// Sent trimmed; STREAMBOXY compares e-mails case-insensitively.
    pub email: String,

    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,

    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,

    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_key: Option<String>,

    /// Always false from the sync: Pardot sends the mails, STREAMBOXY must not send its own.
    pub send_notifications: bool,
}

impl NewUser {
    /// A user with only an e-mail and notifications off.
    pub fn new(email: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            first_name: None,
            last_name: None,
            external_key: None,
            send_notifications: false,
        }
    }
}

/// What `create_user` found: a new user, or the one who already has the e-mail.
#[derive(Debug, Clone, PartialEq)]
pub enum UserCreated {
    Created(User),
    Exists { existing_id: String },
}

impl UserCreated {
    /// The user's id either way.
    pub fn user_id(&self) -> &str {
        match self {
            Self::Created(user) => &user.id,
            Self::Exists { existing_id } => existing_id,
        }
    }
}

/// What `grant_event` did; both mean the user now has access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Access was granted by this call (201).
    New,
    /// The user already had access (200).
    Already,
}

/// A personal link that logs the user in and shows the event first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessLink {
    /// Treat as a credential of the attendee: it logs them in. Never log it.
    pub url: String,

    /// `None` when the link does not expire (contract v0 always answers `null`).
    #[serde(
        rename = "expiresDateTimeUtc",
        default,
        deserialize_with = "timestamp::optional"
    )]
    pub expires: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn new_user_serialises_as_the_contract_expects() {
        let mut user = NewUser::new("jose@example.com");
        user.last_name = Some("Müller".to_owned());

        let body = serde_json::to_value(&user).expect("serialises");
        assert_eq!(
            body,
            json!({"email": "jose@example.com", "lastName": "Müller", "sendNotifications": false})
        );
    }

    #[test]
    fn reads_users_and_links() {
        let user: User = serde_json::from_value(json!({
            "id": "u1", "email": "A@Example.com", "firstName": null,
            "createdDateTimeUtc": "2026-11-28T10:00:00Z"
        }))
        .expect("user decodes");
        assert_eq!(user.email, "A@Example.com");
        assert!(user.created.is_some() && user.first_name.is_none());

        let link: AccessLink = serde_json::from_value(
            json!({"url": "https://x.example/join/1", "expiresDateTimeUtc": null}),
        )
        .expect("link decodes");
        assert_eq!(link.expires, None);
    }
}
