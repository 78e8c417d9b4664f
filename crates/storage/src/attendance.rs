//! What the service keeps about an event's Show / No Show write-backs: the run record (outcome,
//! failures and the next retry, the lists it wrote) and the ledger of External Activities that
//! keeps each (event, e-mail, kind) from being recorded twice.
//!
//! Keys: `ATTENDANCE#<t>#<e>` / `RUN` and `ATTENDANCE#<t>#<e>` / `ACTIVITY#<kind>#<e-mail>`.
//! One partition per event, so the ledger of a 200,000-registrant event is one Query.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use sbxy_domain::attendance::{AttendanceCounts, AttendanceOutcome, WriteBackHistory};
use sbxy_domain::ids::{EventId, ListId, TenantId};
use serde::{Deserialize, Serialize};

use crate::error::StorageError;
use crate::item::{ItemBuilder, conditional, get_json, get_s, key, req_s};
use crate::table::Store;

const RUN: &str = "RUN";
const ACTIVITY_PREFIX: &str = "ACTIVITY#";

fn attendance_pk(tenant: &TenantId, event: &EventId) -> String {
    format!("ATTENDANCE#{tenant}#{event}")
}

/// The write-back record of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceRecord {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The event.
    pub event_id: EventId,
    /// How the last run ended.
    #[serde(default)]
    pub outcome: Option<AttendanceOutcome>,
    /// Why it failed or was skipped, in plain words.
    #[serde(default)]
    pub reason: Option<String>,
    /// Failed runs in a row.
    #[serde(default)]
    pub failures: u32,
    /// When the poller may retry the failure; `None` when no retry is left.
    #[serde(default)]
    pub next_retry_at: Option<DateTime<Utc>>,
    /// When the poller last asked for a run.
    #[serde(default)]
    pub requested_at: Option<DateTime<Utc>>,
    /// When the last run started.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    /// When the last run ended.
    #[serde(default)]
    pub finished_at: Option<DateTime<Utc>>,
    /// The Show list last written, found again by id when Pardot's read lag hides it.
    #[serde(default)]
    pub show_list: Option<ListId>,
    /// The No Show list last written.
    #[serde(default)]
    pub no_show_list: Option<ListId>,
    /// The figures of the last run.
    #[serde(default)]
    pub counts: AttendanceCounts,
    /// The External Activities' plain status, e.g. a missing extension.
    #[serde(default)]
    pub activities_note: Option<String>,
}

impl AttendanceRecord {
    /// The record of an event never written back.
    pub fn new(tenant_id: TenantId, event_id: EventId) -> Self {
        Self {
            tenant_id,
            event_id,
            outcome: None,
            reason: None,
            failures: 0,
            next_retry_at: None,
            requested_at: None,
            started_at: None,
            finished_at: None,
            show_list: None,
            no_show_list: None,
            counts: AttendanceCounts::default(),
            activities_note: None,
        }
    }

    /// What the retry rules need.
    pub fn history(&self) -> WriteBackHistory {
        WriteBackHistory {
            failures: self.failures,
            next_retry_at: self.next_retry_at,
            requested_at: self.requested_at,
            started_at: self.started_at,
        }
    }
}

/// Where an External Activity stands in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityEntry {
    /// About to be sent. Left behind by a process that died mid-call, it is unsettled: a
    /// later run asks Pardot whether it landed, and sends it again only if not.
    Claimed,
    /// Pardot confirmed it (or a later run found it in Pardot).
    Written,
    /// Sent, but no answer came: unsettled like a claim, checked against Pardot next run.
    Uncertain,
    /// Pardot refused it for good (no prospect has the e-mail).
    Refused,
}

/// One ledger item: its state and when that state was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerEntry {
    pub state: ActivityEntry,
    /// When it was claimed or settled; `None` on items written before the time was kept.
    pub at: Option<DateTime<Utc>>,
}

impl LedgerEntry {
    /// True while nobody knows whether Pardot recorded it: claimed, or sent without answer.
    pub fn is_unsettled(&self) -> bool {
        matches!(
            self.state,
            ActivityEntry::Claimed | ActivityEntry::Uncertain
        )
    }
}

impl ActivityEntry {
    fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Written => "written",
            Self::Uncertain => "uncertain",
            Self::Refused => "refused",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        [Self::Claimed, Self::Written, Self::Uncertain, Self::Refused]
            .into_iter()
            .find(|entry| entry.as_str() == text)
    }
}

impl Store {
    /// The write-back record of an event, `None` before its first run.
    pub async fn attendance_record(
        &self,
        tenant: &TenantId,
        event: &EventId,
    ) -> Result<Option<AttendanceRecord>, StorageError> {
        let output = self
            .ddb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(attendance_pk(tenant, event), RUN)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "GetItem", e))?;
        match output.item {
            Some(item) => get_json(&item, "record"),
            None => Ok(None),
        }
    }

    /// Saves a write-back record. Only the business unit's lease holder writes it.
    pub async fn save_attendance_record(
        &self,
        record: &AttendanceRecord,
    ) -> Result<(), StorageError> {
        let item = ItemBuilder::key(attendance_pk(&record.tenant_id, &record.event_id), RUN)
            .json("record", record)?
            .build();
        self.ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "PutItem", e))?;
        Ok(())
    }

    /// The event's External Activity ledger by key (`<kind>#<folded e-mail>`).
    pub async fn activity_ledger(
        &self,
        tenant: &TenantId,
        event: &EventId,
    ) -> Result<HashMap<String, LedgerEntry>, StorageError> {
        let mut ledger = HashMap::new();
        let mut start = None;

        loop {
            let page = self
                .ddb
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(attendance_pk(tenant, event)))
                .expression_attribute_values(":prefix", AttributeValue::S(ACTIVITY_PREFIX.into()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StorageError::aws("DynamoDB", "Query", e))?;
            for item in page.items() {
                let sk = req_s(item, "sk")?;
                let state = get_s(item, "state")
                    .and_then(ActivityEntry::parse)
                    .ok_or_else(|| StorageError::corrupt(sk, "no ledger state"))?;
                let at = get_s(item, "at")
                    .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
                    .map(|at| at.with_timezone(&Utc));
                let entry_key = sk.strip_prefix(ACTIVITY_PREFIX).unwrap_or(sk);
                ledger.insert(entry_key.to_owned(), LedgerEntry { state, at });
            }
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(ledger);
            }
        }
    }

    /// Claims an activity before it is sent. False when the ledger already has it: then it
    /// must not be sent.
    pub async fn claim_activity(
        &self,
        tenant: &TenantId,
        event: &EventId,
        entry_key: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let item = claim_item(tenant, event, entry_key, now);

        let put = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        conditional(put, "PutItem")
    }

    /// Takes over an unsettled entry a run found in the ledger (claimed or uncertain, as
    /// `seen`), to send it again: a fresh claim, conditional on the item being unchanged since
    /// it was read. False when another run took or settled it meanwhile.
    pub async fn reclaim_activity(
        &self,
        tenant: &TenantId,
        event: &EventId,
        entry_key: &str,
        seen: &LedgerEntry,
        now: DateTime<Utc>,
    ) -> Result<bool, StorageError> {
        let item = claim_item(tenant, event, entry_key, now);
        let mut values = HashMap::from([(
            ":state".to_owned(),
            AttributeValue::S(seen.state.as_str().into()),
        )]);
        let condition = match seen.at {
            Some(at) => {
                values.insert(":at".to_owned(), AttributeValue::S(at.to_rfc3339()));
                "#state = :state AND #at = :at"
            }
            None => "#state = :state AND attribute_not_exists(#at)",
        };

        let put = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#at", "at")
            .set_expression_attribute_values(Some(values))
            .send()
            .await;
        conditional(put, "PutItem")
    }

    /// Records what became of a claimed activity.
    pub async fn settle_activity(
        &self,
        tenant: &TenantId,
        event: &EventId,
        entry_key: &str,
        entry: ActivityEntry,
        now: DateTime<Utc>,
    ) -> Result<(), StorageError> {
        let item = ItemBuilder::key(
            attendance_pk(tenant, event),
            format!("{ACTIVITY_PREFIX}{entry_key}"),
        )
        .s("state", entry.as_str())
        .s("at", now.to_rfc3339())
        .build();
        self.ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "PutItem", e))?;
        Ok(())
    }

    /// Gives a claim back: Pardot said for certain that it did not record the activity (an
    /// unknown extension, a busy business unit), so a later run may send it.
    pub async fn release_activity(
        &self,
        tenant: &TenantId,
        event: &EventId,
        entry_key: &str,
    ) -> Result<(), StorageError> {
        self.ddb
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(
                attendance_pk(tenant, event),
                format!("{ACTIVITY_PREFIX}{entry_key}"),
            )))
            .send()
            .await
            .map_err(|e| StorageError::aws("DynamoDB", "DeleteItem", e))?;
        Ok(())
    }
}

/// A ledger entry claimed at `now`: the item a claim and a take-over write.
fn claim_item(
    tenant: &TenantId,
    event: &EventId,
    entry_key: &str,
    now: DateTime<Utc>,
) -> HashMap<String, AttributeValue> {
    ItemBuilder::key(
        attendance_pk(tenant, event),
        format!("{ACTIVITY_PREFIX}{entry_key}"),
    )
    .s("state", ActivityEntry::Claimed.as_str())
    .s("at", now.to_rfc3339())
    .build()
}
