//! The event's processing-state property (`PardotIntegrationAttendanceProcessingState` by
//! default): `Pending` → `Processing` → `Success`, or `Failed: <reason>`.
//!
//! Every write is conditional on the event's `rowVersion`, so an admin who sets `Pending`
//! while a run is working is not overwritten: that `Pending` stays, and the poller runs the
//! write-back once more.

use sbxy_domain::attendance::{AttendanceState, failed_value};
use sbxy_domain::ids::{EventId, TenantId};
use sbxy_streamboxy_client::{Event, StreamboxyClient, StreamboxyError};
use serde_json::{Map, Value};

/// The property of one event, with the event as last read or written.
pub(super) struct StateProperty<'a> {
    streamboxy: &'a StreamboxyClient,
    tenant: &'a TenantId,
    event_id: &'a EventId,
    name: &'a str,
    event: Event,
}

impl<'a> StateProperty<'a> {
    /// Reads the event.
    pub(super) async fn read(
        streamboxy: &'a StreamboxyClient,
        tenant: &'a TenantId,
        event_id: &'a EventId,
        name: &'a str,
    ) -> Result<Self, StreamboxyError> {
        let event = streamboxy
            .get_event(tenant.as_str(), event_id.as_str())
            .await?;
        Ok(Self {
            streamboxy,
            tenant,
            event_id,
            name,
            event,
        })
    }

    /// The event as last seen.
    pub(super) fn event(&self) -> &Event {
        &self.event
    }

    /// The property's value as written.
    pub(super) fn raw(&self) -> Option<&str> {
        self.event.property_str(self.name)
    }

    /// The property's state; `None` when it is missing or holds something else.
    pub(super) fn state(&self) -> Option<AttendanceState> {
        AttendanceState::parse(self.raw())
    }

    /// Writes `value`. A conflict (someone changed the event since it was read) is answered
    /// by reading the event again and writing once more.
    pub(super) async fn write(&mut self, value: &str) -> Result<(), StreamboxyError> {
        match self.patch(value).await {
            Err(StreamboxyError::PreconditionFailed) => {
                self.reread().await?;
                self.patch(value).await
            }
            other => other,
        }
    }

    /// Writes the outcome of a run that set `Processing`, unless someone changed the property
    /// meanwhile (an admin's `Pending` asks for another run and must stay). Returns whether it
    /// was written.
    pub(super) async fn finish(&mut self, value: &str) -> Result<bool, StreamboxyError> {
        match self.patch(value).await {
            Ok(()) => Ok(true),
            Err(StreamboxyError::PreconditionFailed) => {
                self.reread().await?;
                if self.state() != Some(AttendanceState::Processing) {
                    tracing::info!(
                        now = self.raw().unwrap_or(""),
                        "the processing state was changed during the run; left as it is"
                    );
                    return Ok(false);
                }
                self.patch(value).await.map(|()| true)
            }
            Err(err) => Err(err),
        }
    }

    /// Writes `Failed: <reason>`; a tenant whose property refuses that text (a dropdown, say)
    /// gets the plain `Failed`, and the reason stays in the service's record.
    pub(super) async fn fail(&mut self, reason: &str) -> Result<bool, StreamboxyError> {
        match self.finish(&failed_value(reason)).await {
            Err(StreamboxyError::Problem { status: 400, .. }) => {
                self.finish(AttendanceState::Failed.as_str()).await
            }
            other => other,
        }
    }

    async fn patch(&mut self, value: &str) -> Result<(), StreamboxyError> {
        let props = Map::from_iter([(self.name.to_owned(), Value::String(value.to_owned()))]);
        self.event = self
            .streamboxy
            .set_event_properties(
                self.tenant.as_str(),
                self.event_id.as_str(),
                props,
                self.event.row_version.as_deref().filter(|v| !v.is_empty()),
            )
            .await?;
        Ok(())
    }

    async fn reread(&mut self) -> Result<(), StreamboxyError> {
        self.event = self
            .streamboxy
            .get_event(self.tenant.as_str(), self.event_id.as_str())
            .await?;
        Ok(())
    }
}
