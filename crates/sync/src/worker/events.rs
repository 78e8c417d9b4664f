//! Linked events: which STREAMBOXY events name a Pardot list, and which list each name means.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use sbxy_domain::ids::{EventId, FolderId, ListId};
use sbxy_domain::list_link::{ListName, ListResolution, ListSummary, resolve_list};
use sbxy_domain::status::SyncProblem;
use sbxy_pardot_client::model::ListQuery;
use sbxy_storage::{Backfill, LinkedEventRecord, ResolvedList};

use super::TenantRun;
use crate::error::{Failure, pardot_failure, streamboxy_failure};

/// A cached list id is looked up again after this long, so a list deleted or renamed in Pardot
/// is noticed within a day at the cost of one call per tenant and day.
const RESOLUTION_MAX_AGE: Duration = Duration::hours(24);

impl TenantRun<'_> {
    /// Reads the tenant's events, updates the linked-event records, and resolves list names
    /// that are new, changed, unresolved or due for a check. Costs one STREAMBOXY listing and,
    /// only when something needs resolving, one Pardot lists query.
    pub(super) async fn refresh_linked_events(
        &mut self,
    ) -> Result<Vec<LinkedEventRecord>, SyncProblem> {
        let events = self
            .streamboxy
            .list_events(self.tenant.as_str())
            .await
            .map_err(|e| problem_of(streamboxy_failure(&e)))?;
        let mut stored: HashMap<EventId, LinkedEventRecord> = self
            .ctx
            .store
            .linked_events(&self.tenant)
            .await
            .map_err(|e| SyncProblem::Transient {
                detail: e.to_string(),
            })?
            .into_iter()
            .map(|e| (e.event_id.clone(), e))
            .collect();

        // Bring the records in line with the events' list-name property.
        let mut linked = Vec::new();
        for event in events {
            let Ok(event_id) = EventId::parse(&event.id) else {
                tracing::warn!(event = %event.id, "event id is not usable as a key; skipped");
                continue;
            };
            let name = event
                .property_str(&self.settings.list_name_property)
                .unwrap_or_default();
            let previous = stored.remove(&event_id);
            if name.trim().is_empty() {
                // Unlinked: forget it, so linking it again backfills the list afresh.
                if let Some(previous) = previous {
                    stored.insert(event_id, previous);
                }
                continue;
            }

            let mut record = match previous {
                Some(record) if record.list_name == name => record,
                _ => new_record(&self.tenant, &event_id, name),
            };
            record.title = event.title.clone();
            linked.push((record.clone(), record));
        }
        for gone in stored.into_values() {
            tracing::info!(event = %gone.event_id, "event no longer linked; forgetting it");
            if let Err(err) = self
                .ctx
                .store
                .delete_linked_event(&self.tenant, &gone.event_id)
                .await
            {
                tracing::warn!(error = %err, "could not forget an unlinked event");
            }
        }

        // Look names up only when one needs it.
        let now = Utc::now();
        let due = |r: &LinkedEventRecord| {
            r.list
                .as_ref()
                .is_none_or(|l| now - l.resolved_at > RESOLUTION_MAX_AGE)
        };
        if linked.iter().any(|(_, r)| due(r)) {
            let lists = self.all_lists().await?;
            for (_, record) in linked.iter_mut().filter(|(_, r)| due(r)) {
                resolve(record, &lists, now);
            }
        }

        let mut records = Vec::with_capacity(linked.len());
        for (before, record) in linked {
            if before != record {
                self.ctx
                    .store
                    .save_linked_event(&record)
                    .await
                    .map_err(|e| SyncProblem::Transient {
                        detail: e.to_string(),
                    })?;
            }
            if let Some(problem) = &record.problem {
                tracing::warn!(event = %record.event_id, problem = %problem.message(), "event not synced");
            }
            records.push(record);
        }
        Ok(records)
    }

    async fn all_lists(&self) -> Result<Vec<ListSummary>, SyncProblem> {
        let query = ListQuery {
            limit: Some(1000),
            ..ListQuery::default()
        };
        let mut pager = self.pardot.query_lists(&query);
        let mut lists = Vec::new();

        loop {
            let page = pager.next_page().await.map_err(|e| {
                problem_of(pardot_failure(&e, self.link_field.as_str(), Utc::now()))
            })?;
            let Some(page) = page else { break };
            lists.extend(page.values.into_iter().map(|list| ListSummary {
                id: ListId(list.id),
                name: list.name,
                folder_id: list.folder_id.map(FolderId),
                is_dynamic: list.is_dynamic.unwrap_or(false),
            }));
        }
        Ok(lists)
    }
}

fn new_record(
    tenant: &sbxy_domain::ids::TenantId,
    event: &EventId,
    name: &str,
) -> LinkedEventRecord {
    LinkedEventRecord {
        tenant_id: tenant.clone(),
        event_id: event.clone(),
        title: String::new(),
        list_name: name.to_owned(),
        list: None,
        backfill: Backfill::default(),
        counts: sbxy_domain::status::SyncCounts::default(),
        last_sync_at: None,
        problem: None,
    }
}

/// Applies a lookup to a record: a new list id restarts its backfill; a missing or ambiguous
/// name becomes the event's problem and unlinks it until fixed.
fn resolve(record: &mut LinkedEventRecord, lists: &[ListSummary], now: chrono::DateTime<Utc>) {
    let name = match ListName::parse(&record.list_name) {
        Ok(name) => name,
        Err(err) => {
            record.list = None;
            record.problem = Some(SyncProblem::ListNameInvalid {
                reason: err.to_string(),
            });
            return;
        }
    };

    match resolve_list(&name, lists) {
        ListResolution::Found(list) => {
            if record.list.as_ref().map(|l| l.id) != Some(list.id) {
                record.backfill = Backfill::default();
            }
            record.list = Some(ResolvedList {
                id: list.id,
                folder_id: list.folder_id,
                resolved_at: now,
            });
            record.problem = None;
        }
        ListResolution::Missing => {
            record.list = None;
            record.problem = Some(SyncProblem::ListMissing {
                name: name.as_str().to_owned(),
            });
        }
        ListResolution::Ambiguous(ids) => {
            record.list = None;
            record.problem = Some(SyncProblem::ListAmbiguous {
                name: name.as_str().to_owned(),
                list_ids: ids.into_iter().map(|id| id.0).collect(),
            });
        }
    }
}

fn problem_of(failure: Failure) -> SyncProblem {
    match failure {
        Failure::Stop(problem) => problem,
        Failure::Retry(detail) | Failure::Reject(_, detail) => SyncProblem::Transient { detail },
    }
}
