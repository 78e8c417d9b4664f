//! Event operations: reading events, writing their custom properties, and reading the
//! tenant's property definitions.

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use tracing::instrument;

use crate::model::Event;
use crate::properties::PropertyDefinition;
use crate::transport::Call;
use crate::{StreamboxyClient, StreamboxyError};

impl StreamboxyClient {
    /// Every event of the tenant (`GET /tenant/{t}/Event`, paged).
    #[instrument(skip_all, fields(tenant = tenant))]
    pub async fn list_events(&self, tenant: &str) -> Result<Vec<Event>, StreamboxyError> {
        let url = self.tenant_url(tenant, &["Event"])?;

        self.collect_pages(url).await
    }

    /// One event (`GET /tenant/{t}/Event/{id}`); a missing event is `NotFound`.
    #[instrument(skip_all, fields(tenant = tenant, event = event_id))]
    pub async fn get_event(&self, tenant: &str, event_id: &str) -> Result<Event, StreamboxyError> {
        let url = self.tenant_url(tenant, &["Event", event_id])?;

        self.send(&Call::new(Method::GET, url)).await?.json()
    }

    /// Merges `props` into the event's custom properties; a `null` value clears one.
    ///
    /// With `if_match` (the event's `rowVersion`) the write only happens if nobody changed
    /// the event since it was read, else `PreconditionFailed`. Returns the event as stored;
    /// when the server answers without a body (204 or 202) the event is read back.
    #[instrument(
        skip_all,
        fields(tenant = tenant, event = event_id, conditional = if_match.is_some())
    )]
    pub async fn set_event_properties(
        &self,
        tenant: &str,
        event_id: &str,
        props: Map<String, Value>,
        if_match: Option<&str>,
    ) -> Result<Event, StreamboxyError> {
        let url = self.tenant_url(tenant, &["Event", event_id])?;
        let body = serde_json::json!({ "customProperties": props });

        let mut call = Call::new(Method::PATCH, url).json(&body);
        call.if_match = if_match;
        let answer = self.send(&call).await?;

        if answer.status.is_success() && answer.body.iter().all(u8::is_ascii_whitespace) {
            return self.get_event(tenant, event_id).await;
        }
        if answer.status == StatusCode::PRECONDITION_FAILED {
            tracing::info!("event changed since it was read; property write refused");
        }
        answer.json()
    }

    /// The tenant's custom property definitions for `target` (e.g. `"Event"`), paged.
    #[instrument(skip_all, fields(tenant = tenant, target = target))]
    pub async fn property_definitions(
        &self,
        tenant: &str,
        target: &str,
    ) -> Result<Vec<PropertyDefinition>, StreamboxyError> {
        let mut url = self.tenant_url(tenant, &["CustomPropertyDefinition"])?;
        url.query_pairs_mut().append_pair("target", target);

        self.collect_pages(url).await
    }
}
