//! The Show / No Show steps of the demo and the end-to-end tests, done the way the outside
//! world does them: attendance recorded in the STREAMBOXY simulator, an event set to
//! Finished, the Backstage's signed webhook sent to the local API over HTTP, and what the two
//! Pardot lists and the External Activities hold afterwards.

use std::collections::BTreeSet;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use sbxy_domain::settings::SettingsInput;
use sbxy_domain::webhook::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
use sbxy_simulators::{AttendanceSeed, List};
use sbxy_sync::attendance::AttendanceReport;
use serde_json::{Value, json};

use crate::summary::{AttendanceFigures, PlacedList};
use crate::{DEMO_BUSINESS_UNIT, DEMO_LINK_FIELD, DEMO_TENANT, Stack};

/// The webhook's path on the API.
const WEBHOOK_PATH: &str = "/webhooks/streamboxy/event-state";

/// The demo tenant's settings with Show / No Show lists (checkbox 2) and External Activities
/// (checkbox 3) on, named as the demo seed's extension and types.
pub fn attendance_settings() -> SettingsInput {
    SettingsInput {
        sync_enabled: true,
        attendance_lists_enabled: true,
        external_activities_enabled: true,
        business_unit_id: Some(DEMO_BUSINESS_UNIT.into()),
        link_field: Some(DEMO_LINK_FIELD.into()),
        external_activity_extension: Some("STREAMBOXY".into()),
        external_activity_show_type: Some("Show".into()),
        external_activity_no_show_type: Some("NoShow".into()),
        ..SettingsInput::default()
    }
}

/// The API's answer to a webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The JSON body (`Null` when there was none).
    pub body: Value,
}

/// What the Show and No Show lists of one source list hold in the Pardot simulator.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttendanceLists {
    /// The live Show list, if there is one.
    pub show: Option<List>,
    /// The live No Show list, if there is one.
    pub no_show: Option<List>,
    /// Prospects with an active membership of the Show list.
    pub show_members: BTreeSet<i64>,
    /// Prospects with an active membership of the No Show list.
    pub no_show_members: BTreeSet<i64>,
}

impl Stack {
    /// Records that the granted users with these ids joined (`true`) or stayed away (`false`)
    /// from an event of the demo tenant; a Show's first join is 5 minutes after the start.
    pub fn record_attendance(
        &self,
        event: &str,
        users: &[String],
        attended: bool,
    ) -> anyhow::Result<()> {
        let start = self
            .sim
            .event(DEMO_TENANT, event)
            .and_then(|e| e.start_date_time_utc)
            .unwrap_or_else(Utc::now);
        for user in users {
            let record = AttendanceSeed {
                event_id: event.to_owned(),
                user_id: Some(user.clone()),
                email: None,
                attended,
                first_join_date_time_utc: attended.then(|| start + Duration::minutes(5)),
                minutes_attended: None,
            };
            self.sim
                .record_attendance(DEMO_TENANT, &record)
                .with_context(|| format!("recording attendance of {user}"))?;
        }
        Ok(())
    }

    /// Sets a demo event's state in the simulated Backstage (e.g. `Finished`).
    pub fn set_event_state(&self, event: &str, state: &str) -> anyhow::Result<()> {
        self.sim
            .set_event(DEMO_TENANT, event, &json!({ "state": state }))
            .with_context(|| format!("setting event {event} to {state}"))?;
        Ok(())
    }

    /// Sets (or with `None` clears) a demo event's custom property.
    pub fn set_event_property(
        &self,
        event: &str,
        name: &str,
        value: Option<&str>,
    ) -> anyhow::Result<()> {
        let props = json!({ "customProperties": { name: value } });
        self.sim
            .set_event(DEMO_TENANT, event, &props)
            .with_context(|| format!("setting {name} of event {event}"))?;
        Ok(())
    }

    /// The event's attendance processing state, as the Backstage shows it.
    pub fn processing_state(&self, event: &str) -> Option<String> {
        let event = self.sim.event(DEMO_TENANT, event)?;
        event
            .custom_properties
            .get("PardotIntegrationAttendanceProcessingState")?
            .as_str()
            .map(str::to_owned)
    }

    /// The body of a state-change delivery for a demo event.
    pub fn state_change_body(event: &str, state: &str, delivery: &str) -> String {
        json!({
            "type": "event.stateChanged",
            "deliveryId": delivery,
            "tenantId": DEMO_TENANT,
            "eventId": event,
            "state": state,
            "occurredDateTimeUtc": Utc::now().to_rfc3339(),
        })
        .to_string()
    }

    /// The `v1=` signature of `body` at `signed_at`, with this stack's webhook secret.
    pub fn sign_webhook(&self, signed_at: DateTime<Utc>, body: &str) -> (String, String) {
        let timestamp = signed_at.timestamp().to_string();
        let signature = sign(&self.webhook_secret, &timestamp, body.as_bytes());
        (timestamp, signature)
    }

    /// Sends a correctly signed state change of a demo event now, with a fresh delivery id.
    pub async fn send_event_state(
        &self,
        event: &str,
        state: &str,
    ) -> anyhow::Result<WebhookAnswer> {
        let delivery = uuid::Uuid::new_v4().to_string();
        let body = Self::state_change_body(event, state, &delivery);
        let (timestamp, signature) = self.sign_webhook(Utc::now(), &body);
        self.send_webhook(&body, Some(&timestamp), Some(&signature))
            .await
    }

    /// Posts a delivery with exactly these headers to the API's webhook route.
    pub async fn send_webhook(
        &self,
        body: &str,
        timestamp: Option<&str>,
        signature: Option<&str>,
    ) -> anyhow::Result<WebhookAnswer> {
        let mut request = self
            .http
            .post(format!("{}{WEBHOOK_PATH}", self.api_url))
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(timestamp) = timestamp {
            request = request.header(TIMESTAMP_HEADER, timestamp);
        }
        if let Some(signature) = signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        let response = request.send().await.context("posting the webhook")?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(WebhookAnswer { status, body })
    }

    /// The live Show and No Show lists of `source` (default name patterns) and their active
    /// members.
    pub fn attendance_lists(&self, source: &str) -> AttendanceLists {
        let live = |name: String| {
            self.sim
                .lists_named(DEMO_BUSINESS_UNIT, &name)
                .into_iter()
                .find(|l| !l.is_deleted)
        };
        let members = |list: &Option<List>| -> BTreeSet<i64> {
            list.as_ref().map_or_else(BTreeSet::new, |list| {
                self.sim
                    .list_memberships(DEMO_BUSINESS_UNIT, list.id)
                    .into_iter()
                    .filter(|m| !m.is_deleted)
                    .map(|m| m.prospect_id)
                    .collect()
            })
        };
        let show = live(format!("{source} Show"));
        let no_show = live(format!("{source} No Show"));
        AttendanceLists {
            show_members: members(&show),
            no_show_members: members(&no_show),
            show,
            no_show,
        }
    }

    /// Every External Activity the Pardot simulator recorded for the demo business unit.
    pub fn external_activities(&self) -> Vec<Value> {
        let state = self.sim.pardot_state();
        state["business_units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|unit| unit["id"] == DEMO_BUSINESS_UNIT)
            .flat_map(|unit| {
                unit["external_activities"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .collect()
    }
}

impl Stack {
    /// Sends the signed "event finished" webhook of a demo event to the local API and waits
    /// for the write-back it hands off, as the sync-worker runs it in AWS.
    pub async fn end_event_with_webhook(&self, event: &str) -> anyhow::Result<AttendanceReport> {
        let answer = self.send_event_state(event, "Finished").await?;
        if answer.status != 202 {
            anyhow::bail!(
                "the webhook was refused ({}): {}",
                answer.status,
                answer.body
            );
        }
        self.attendance.settle().await;
        self.attendance
            .take_reports()
            .into_iter()
            .find(|report| report.event_id == event)
            .context("the webhook's write-back did not run")
    }

    /// What a write-back left in the simulators, for the demo's summary.
    pub fn attendance_figures(&self, report: &AttendanceReport, source: &str) -> AttendanceFigures {
        let lists = self.attendance_lists(source);
        let placed = |list: &Option<List>, members: &BTreeSet<i64>| {
            list.as_ref().map(|list| PlacedList {
                id: list.id,
                name: list.name.clone(),
                folder_id: list.folder_id,
                members: members.len() as u64,
            })
        };
        let activities = self
            .external_activities()
            .iter()
            .filter(|activity| activity["value"] == report.event_id.as_str())
            .count();
        let counts = &report.counts;
        AttendanceFigures {
            registrants: counts.registrants,
            show: lists.show_members.len() as u64,
            no_show: lists.no_show_members.len() as u64,
            external_activities: activities as u64,
            memberships_written: counts.added + counts.restored + counts.removed,
            activities_written: counts.activities_written,
            pardot_calls: report.pardot_calls,
            show_list: placed(&lists.show, &lists.show_members),
            no_show_list: placed(&lists.no_show, &lists.no_show_members),
        }
    }
}
