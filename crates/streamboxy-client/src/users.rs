//! Tenant users: finding one by e-mail and creating one, idempotently.

use reqwest::{Method, StatusCode};
use tracing::instrument;

use crate::model::{NewUser, Page, User, UserCreated};
use crate::transport::Call;
use crate::{StreamboxyClient, StreamboxyError};

impl StreamboxyClient {
    /// The user with this e-mail, if any (`GET /tenant/{t}/User?email=…`).
    ///
    /// The e-mail is trimmed and sent URL-encoded; the server matches it case-insensitively.
    /// Results are checked against the e-mail too, so a server that ignored the filter cannot
    /// hand back someone else. A blank e-mail matches nobody and costs no call.
    #[instrument(skip_all, fields(tenant = tenant))]
    pub async fn find_user_by_email(
        &self,
        tenant: &str,
        email: &str,
    ) -> Result<Option<User>, StreamboxyError> {
        let email = email.trim();
        if email.is_empty() {
            return Ok(None);
        }

        let mut url = self.tenant_url(tenant, &["User"])?;
        url.query_pairs_mut().append_pair("email", email);
        let page: Page<User> = self.send(&Call::new(Method::GET, url)).await?.json()?;

        let wanted = email.to_lowercase();
        Ok(page
            .result
            .into_iter()
            .find(|user| user.email.trim().to_lowercase() == wanted))
    }

    /// Creates a user (`POST /tenant/{t}/User`), or reports the existing one with the same
    /// e-mail (409 problem carrying `existingId`). The e-mail is sent trimmed.
    #[instrument(skip_all, fields(tenant = tenant))]
    pub async fn create_user(
        &self,
        tenant: &str,
        user: &NewUser,
    ) -> Result<UserCreated, StreamboxyError> {
        let url = self.tenant_url(tenant, &["User"])?;
        let mut body = user.clone();
        body.email = user.email.trim().to_owned();

        let answer = self.send(&Call::new(Method::POST, url).json(&body)).await?;

        if answer.status == StatusCode::CONFLICT
            && let Some(existing_id) = answer.problem().existing_id
        {
            return Ok(UserCreated::Exists { existing_id });
        }
        answer.json().map(UserCreated::Created)
    }

    /// The id of the user with this e-mail, creating the user when needed, in one call;
    /// `true` when this call created it.
    ///
    /// Creating first is as cheap as finding first and closes the gap between a find and a
    /// create. A create that timed out but landed is retried into a 409, so `false` can also
    /// mean "created by our own earlier attempt".
    pub async fn find_or_create_user(
        &self,
        tenant: &str,
        user: &NewUser,
    ) -> Result<(String, bool), StreamboxyError> {
        match self.create_user(tenant, user).await? {
            UserCreated::Created(created) => Ok((created.id, true)),
            UserCreated::Exists { existing_id } => Ok((existing_id, false)),
        }
    }
}
