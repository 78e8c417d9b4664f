//! Working one page of memberships: plan it, then register prospects and write their links,
//! a few prospects at a time, and count what happened.

use std::collections::{BTreeMap, HashMap};

use chrono::Utc;
use futures::StreamExt;
use sbxy_domain::ids::{EventId, EventUserId, ListId, MembershipId, ProspectId};
use sbxy_domain::link::{LinkTarget, choose_link_target, link_fingerprint};
use sbxy_domain::plan::{
    KnownRegistration, MembershipAction, MembershipView, PlannedMembership, ProspectView,
    SkipReason, SyncStep, plan_page,
};
use sbxy_domain::status::SyncProblem;
use sbxy_pardot_client::model::ListMembership;
use sbxy_storage::{EventRegistration, ProspectRecord, WrittenLink};
use sbxy_streamboxy_client::{Grant, NewUser};

use super::TenantRun;
use super::bulk::BulkBatch;
use crate::error::{Failure, pardot_failure, storage_failure, streamboxy_failure};

/// What happened to one membership.
enum Outcome {
    Skipped(SkipReason),
    Rejected(SkipReason, String),
    Registered(StepEffects),
    Failed(String),
    Stopped(SyncProblem),
    NotStarted,
}

/// The writes one step made, for the counts.
#[derive(Default)]
struct StepEffects {
    user_created: bool,
    user_reused: bool,
    granted: bool,
    link_written: bool,
}

impl TenantRun<'_> {
    /// Works a page and returns, for each membership in `page` order, whether it is finished
    /// (memberships of lists that are not linked count as finished: nothing to do).
    pub(super) async fn process_page(
        &mut self,
        page: &[ListMembership],
        linked: &HashMap<ListId, EventId>,
    ) -> Vec<bool> {
        let views: Vec<MembershipView> = page.iter().map(|m| self.view(m)).collect();
        let prospects: Vec<ProspectId> = views
            .iter()
            .filter(|v| linked.contains_key(&v.list_id))
            .map(|v| v.prospect_id)
            .collect();
        let records = match self.ctx.store.prospects(&self.tenant, &prospects).await {
            Ok(records) => records,
            Err(err) => {
                tracing::warn!(error = %err, "could not read prospect records; page left for later");
                return page
                    .iter()
                    .map(|m| !linked.contains_key(&ListId(m.list_id)))
                    .collect();
            }
        };
        let known = known_registrations(&records);
        let planned = plan_page(&views, linked, &known);
        let bulk = self.bulk_batch(&planned);

        // Memberships of one prospect run in order; different prospects run concurrently.
        let mut groups: BTreeMap<ProspectId, Vec<PlannedMembership>> = BTreeMap::new();
        for planned in planned {
            groups.entry(planned.prospect_id).or_default().push(planned);
        }
        // The first few prospects of a run are always worked, so a run that starts late still
        // makes progress; after that the deadline stops new prospects from starting.
        let guaranteed = if self.pages_done == 0 {
            self.ctx.config.sync_concurrency
        } else {
            0
        };
        let started = std::sync::atomic::AtomicUsize::new(0);
        let started = &started;
        let this = &*self;
        let results: Vec<Vec<(PlannedMembership, Outcome)>> =
            futures::stream::iter(groups.into_iter().map(|(prospect, memberships)| {
                let record = records.get(&prospect).cloned().unwrap_or_default();
                let may_stop =
                    started.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= guaranteed;
                this.work_group(memberships, record, bulk.as_ref(), may_stop)
            }))
            .buffer_unordered(self.ctx.config.sync_concurrency)
            .collect()
            .await;

        let unwritten = match bulk {
            Some(batch) => self.flush_bulk(batch).await,
            None => HashMap::new(),
        };

        let mut finished: HashMap<MembershipId, bool> = HashMap::new();
        for (planned, outcome) in results.into_iter().flatten() {
            let outcome = match (outcome, unwritten.get(&planned.prospect_id)) {
                (Outcome::Registered(_), Some(Failure::Retry(detail))) => {
                    Outcome::Failed(detail.clone())
                }
                (Outcome::Registered(_), Some(Failure::Stop(problem))) => {
                    Outcome::Stopped(problem.clone())
                }
                (Outcome::Registered(_), Some(Failure::Reject(reason, detail))) => {
                    Outcome::Rejected(*reason, detail.clone())
                }
                (outcome, _) => outcome,
            };
            finished.insert(planned.membership_id, self.count(&planned, outcome));
        }
        page.iter()
            .map(|m| finished.get(&MembershipId(m.id)).copied().unwrap_or(true))
            .collect()
    }

    fn view(&self, membership: &ListMembership) -> MembershipView {
        MembershipView {
            id: MembershipId(membership.id),
            list_id: ListId(membership.list_id),
            prospect_id: ProspectId(membership.prospect_id),
            opted_out: membership.opted_out,
            is_deleted: membership.is_deleted,
            updated_at: membership.updated_at,
            prospect: membership.prospect.as_ref().map(|p| ProspectView {
                email: p.email.clone(),
                first_name: p.first_name.clone(),
                last_name: p.last_name.clone(),
                is_deleted: p.is_deleted.unwrap_or(false),
                link_value: p.field_str(self.link_field.as_str()).map(str::to_owned),
            }),
        }
    }

    /// Applies an outcome to the counts; returns whether the membership is finished.
    fn count(&mut self, planned: &PlannedMembership, outcome: Outcome) -> bool {
        let finished = matches!(
            outcome,
            Outcome::Skipped(_) | Outcome::Rejected(..) | Outcome::Registered(_)
        );
        let first_time = finished && self.seen.insert(planned.membership_id);
        let counts = self.counts.entry(planned.event_id.clone()).or_default();

        match outcome {
            Outcome::Skipped(reason) if first_time => {
                counts.memberships += 1;
                *counts
                    .skipped
                    .entry(reason.as_str().to_owned())
                    .or_default() += 1;
            }
            Outcome::Rejected(reason, detail) => {
                tracing::warn!(
                    membership = %planned.membership_id,
                    prospect = %planned.prospect_id,
                    reason = reason.as_str(),
                    %detail,
                    "membership refused for good; skipped"
                );
                if first_time {
                    counts.memberships += 1;
                    *counts
                        .skipped
                        .entry(reason.as_str().to_owned())
                        .or_default() += 1;
                }
            }
            Outcome::Registered(effects) => {
                if first_time {
                    counts.memberships += 1;
                    counts.registered += 1;
                }
                counts.users_created += u64::from(effects.user_created);
                counts.users_reused += u64::from(effects.user_reused);
                counts.grants += u64::from(effects.granted);
                counts.links_written += u64::from(effects.link_written);
            }
            Outcome::Failed(detail) => {
                counts.failed += 1;
                tracing::warn!(membership = %planned.membership_id, %detail, "membership failed; retried next run");
            }
            Outcome::Stopped(problem) => {
                counts.failed += 1;
                if self.problem.is_none() {
                    tracing::warn!(problem = %problem.message(), "run stopped");
                    self.problem = Some(problem);
                }
            }
            Outcome::Skipped(_) | Outcome::NotStarted => {}
        }
        finished
    }

    async fn work_group(
        &self,
        memberships: Vec<PlannedMembership>,
        mut record: ProspectRecord,
        bulk: Option<&BulkBatch>,
        may_stop: bool,
    ) -> Vec<(PlannedMembership, Outcome)> {
        let mut outcomes = Vec::with_capacity(memberships.len());
        let mut stopped = false;

        for planned in memberships {
            let outcome = match &planned.action {
                _ if stopped || (may_stop && self.deadline.reached()) => Outcome::NotStarted,
                MembershipAction::Skip(reason) => Outcome::Skipped(*reason),
                MembershipAction::UpToDate => Outcome::Registered(StepEffects::default()),
                MembershipAction::Sync(step) => {
                    match self
                        .sync_step(&planned.event_id, step, &mut record, bulk)
                        .await
                    {
                        Ok(effects) => Outcome::Registered(effects),
                        Err(Failure::Retry(detail)) => Outcome::Failed(detail),
                        Err(Failure::Reject(reason, detail)) => Outcome::Rejected(reason, detail),
                        Err(Failure::Stop(problem)) => {
                            stopped = true;
                            Outcome::Stopped(problem)
                        }
                    }
                }
            };
            outcomes.push((planned, outcome));
        }
        outcomes
    }

    /// Registers the prospect for the event if needed, then makes its link field show the
    /// event it was most recently registered for. Every write is idempotent, so a crash at any
    /// point is repaired by the next run. With a bulk batch, the link write (and its record)
    /// waits for the page's import.
    async fn sync_step(
        &self,
        event: &EventId,
        step: &SyncStep,
        record: &mut ProspectRecord,
        bulk: Option<&BulkBatch>,
    ) -> Result<StepEffects, Failure> {
        let mut effects = StepEffects::default();
        let tenant = self.tenant.as_str();

        let registration = match record.registrations.get(event) {
            Some(registration) => registration.clone(),
            None => {
                let user_id = self.event_user(step, &mut effects).await?;
                let grant = self
                    .streamboxy
                    .grant_event(tenant, event.as_str(), user_id.as_str())
                    .await
                    .map_err(|e| streamboxy_failure(&e))?;
                effects.granted = matches!(grant, Grant::New);
                let registration = EventRegistration {
                    user_id,
                    registered_at: Utc::now(),
                };
                self.ctx
                    .store
                    .record_registration(
                        &self.tenant,
                        event,
                        step.prospect_id,
                        step.email.folded(),
                        &registration,
                    )
                    .await
                    .map_err(|e| storage_failure(&e))?;
                record
                    .registrations
                    .insert(event.clone(), registration.clone());
                registration
            }
        };

        let candidate = LinkTarget {
            event_id: event.clone(),
            registered_at: registration.registered_at,
        };
        let target = choose_link_target(record.link.as_ref().map(|l| &l.target), &candidate);
        let link_user = record
            .registrations
            .get(&target.event_id)
            .map_or(&registration.user_id, |r| &r.user_id);
        let link = self
            .streamboxy
            .access_link(tenant, link_user.as_str(), target.event_id.as_str())
            .await
            .map_err(|e| streamboxy_failure(&e))?;

        // An unchanged field costs no write.
        if step.current_link.as_deref().map(str::trim) != Some(link.url.trim()) {
            if let Some(batch) = bulk {
                let written = WrittenLink {
                    target,
                    fingerprint: link_fingerprint(&link.url),
                };
                batch.defer(step.prospect_id, &link.url, written.clone());
                record.link = Some(written);
                effects.link_written = true;
                return Ok(effects);
            }
            self.pardot
                .update_prospect_field(step.prospect_id.0, self.link_field.as_str(), &link.url)
                .await
                .map_err(|e| pardot_failure(&e, self.link_field.as_str(), Utc::now()))?;
            effects.link_written = true;
        }
        let written = WrittenLink {
            target,
            fingerprint: link_fingerprint(&link.url),
        };
        self.ctx
            .store
            .record_link(&self.tenant, step.prospect_id, &written)
            .await
            .map_err(|e| storage_failure(&e))?;
        record.link = Some(written);
        Ok(effects)
    }

    /// The event user for the prospect's e-mail: from this run's cache, or found or created in
    /// one STREAMBOXY call. Prospects sharing an e-mail share the user.
    async fn event_user(
        &self,
        step: &SyncStep,
        effects: &mut StepEffects,
    ) -> Result<EventUserId, Failure> {
        if let Some(user) = self.users.lock().await.get(step.email.folded()) {
            effects.user_reused = true;
            return Ok(user.clone());
        }

        let mut new_user = NewUser::new(step.email.as_str());
        new_user.first_name.clone_from(&step.first_name);
        new_user.last_name.clone_from(&step.last_name);
        let (id, created) = self
            .streamboxy
            .find_or_create_user(self.tenant.as_str(), &new_user)
            .await
            .map_err(|e| streamboxy_failure(&e))?;
        let user = EventUserId::parse(&id)
            .map_err(|e| Failure::Retry(format!("STREAMBOXY user id: {e}")))?;
        effects.user_created = created;
        effects.user_reused = !created;
        self.users
            .lock()
            .await
            .insert(step.email.folded().to_owned(), user.clone());
        Ok(user)
    }
}

fn known_registrations(
    records: &HashMap<ProspectId, ProspectRecord>,
) -> HashMap<(EventId, ProspectId), KnownRegistration> {
    let mut known = HashMap::new();
    for (prospect, record) in records {
        let written_link = record.link.as_ref().map(|l| l.fingerprint.clone());
        for event in record.registrations.keys() {
            known.insert(
                (event.clone(), *prospect),
                KnownRegistration {
                    written_link: written_link.clone(),
                },
            );
        }
    }
    known
}
