//! Event access: granting and revoking users, the personal access link, and who attended.

use reqwest::{Method, StatusCode};
use serde_json::json;
use tracing::instrument;

use crate::model::{AccessLink, Attendance, Grant, User};
use crate::transport::Call;
use crate::{StreamboxyClient, StreamboxyError};

impl StreamboxyClient {
    /// Grants the user access to the event (`PUT /tenant/{t}/Event/{e}/User/{u}`).
    ///
    /// 201 (or 202, accepted) means this call granted it; 200 or 204 means it was granted
    /// already. Both leave the user with access, so repeating is safe.
    #[instrument(skip_all, fields(tenant = tenant, event = event_id, user = user_id))]
    pub async fn grant_event(
        &self,
        tenant: &str,
        event_id: &str,
        user_id: &str,
    ) -> Result<Grant, StreamboxyError> {
        let url = self.tenant_url(tenant, &["Event", event_id, "User", user_id])?;

        let answer = self.send(&Call::new(Method::PUT, url)).await?;
        answer.ok()?;

        Ok(match answer.status {
            StatusCode::CREATED | StatusCode::ACCEPTED => Grant::New,
            _ => Grant::Already,
        })
    }

    /// Takes the user's access to the event away (`DELETE …/Event/{e}/User/{u}`); succeeds
    /// also when the user had no access.
    #[instrument(skip_all, fields(tenant = tenant, event = event_id, user = user_id))]
    pub async fn revoke_event(
        &self,
        tenant: &str,
        event_id: &str,
        user_id: &str,
    ) -> Result<(), StreamboxyError> {
        let url = self.tenant_url(tenant, &["Event", event_id, "User", user_id])?;

        self.send(&Call::new(Method::DELETE, url)).await?.ok()
    }

    /// Every user with access to the event (`GET …/Event/{e}/User`, paged).
    #[instrument(skip_all, fields(tenant = tenant, event = event_id))]
    pub async fn granted_users(
        &self,
        tenant: &str,
        event_id: &str,
    ) -> Result<Vec<User>, StreamboxyError> {
        let url = self.tenant_url(tenant, &["Event", event_id, "User"])?;

        self.collect_pages(url).await
    }

    /// The user's personal link, opening this event first
    /// (`POST /tenant/{t}/User/{u}/AccessLink` with `{"eventId": …}`).
    ///
    /// Contract v0 returns the same URL on every call until it is rotated, which makes the
    /// POST safe to repeat. The URL logs the attendee in: never log it.
    #[instrument(skip_all, fields(tenant = tenant, event = event_id, user = user_id))]
    pub async fn access_link(
        &self,
        tenant: &str,
        user_id: &str,
        event_id: &str,
    ) -> Result<AccessLink, StreamboxyError> {
        let url = self.tenant_url(tenant, &["User", user_id, "AccessLink"])?;
        let body = json!({ "eventId": event_id });

        let link: AccessLink = self
            .send(&Call::new(Method::POST, url).json(&body))
            .await?
            .json()?;

        if link.url.trim().is_empty() {
            return Err(StreamboxyError::Decode {
                status: 200,
                reason: "the access link answer has an empty url".to_owned(),
            });
        }
        Ok(link)
    }

    /// Attendance of every granted user (`GET …/Event/{e}/Attendance`, paged).
    #[instrument(skip_all, fields(tenant = tenant, event = event_id))]
    pub async fn attendance(
        &self,
        tenant: &str,
        event_id: &str,
    ) -> Result<Vec<Attendance>, StreamboxyError> {
        let url = self.tenant_url(tenant, &["Event", event_id, "Attendance"])?;

        self.collect_pages(url).await
    }
}
