//! Reading memberships: the backfill of a newly linked list by `listId`, then one incremental
//! query per business unit from the cursor that covers every linked list.

use std::collections::HashMap;

use chrono::Utc;
use sbxy_domain::cursor::{CursorAdvance, MembershipCursor};
use sbxy_domain::ids::{EventId, ListId, MembershipId};
use sbxy_pardot_client::model::{Deleted, ListMembership, MembershipOrder, MembershipQuery};
use sbxy_storage::LinkedEventRecord;

use super::TenantRun;
use crate::error::{Failure, SyncError, pardot_failure};

impl TenantRun<'_> {
    fn query(&self) -> MembershipQuery {
        MembershipQuery {
            limit: Some(self.ctx.config.pardot_page_size),
            prospect_fields: vec![self.link_field.as_str().to_owned()],
            ..MembershipQuery::default()
        }
    }

    /// Handles a Pardot error while paging: stops the run or marks it partial.
    fn page_failed(&mut self, err: &sbxy_pardot_client::PardotError) {
        match pardot_failure(err, self.link_field.as_str(), Utc::now()) {
            Failure::Stop(problem) => self.problem = Some(problem),
            Failure::Retry(detail) | Failure::Reject(_, detail) => {
                tracing::warn!(%detail, "membership page failed; the next run retries");
                self.partial = true;
            }
        }
    }

    /// True when the run must not start another page: a problem stopped it, or the deadline
    /// passed. Every run works at least one page, so even a very short budget makes progress.
    fn must_stop(&mut self) -> bool {
        if self.problem.is_some() {
            return true;
        }
        if self.pages_done > 0 && self.deadline.reached() {
            self.partial = true;
            return true;
        }
        false
    }

    /// Bookkeeping after each page: renews the business unit's lease, so a long run keeps it
    /// and a run whose lease was taken over stops instead of working beside the new holder.
    async fn page_done(&mut self) -> Result<(), SyncError> {
        self.pages_done += 1;
        let now = Utc::now();
        let renewed = self
            .ctx
            .store
            .acquire_lease(&self.bu, &self.lease_holder, now, self.ctx.config.lease_ttl)
            .await?;
        if !renewed {
            tracing::warn!("the business unit's lease was taken over; stopping this run");
            self.problem = Some(sbxy_domain::status::SyncProblem::Transient {
                detail: "another worker took over the business unit".into(),
            });
        }
        Ok(())
    }

    /// Reads the existing members of every resolved list whose backfill is not done, by
    /// `listId` and in id order, saving progress after each page so a crash resumes there.
    pub(super) async fn backfill_new_lists(
        &mut self,
        events: &mut [LinkedEventRecord],
    ) -> Result<(), SyncError> {
        // The cursor starts before any backfill, so changes made meanwhile are caught later.
        let mut state = self.ctx.store.business_unit_state(&self.bu).await?;
        if state.cursor.is_none() {
            state.cursor = Some(MembershipCursor::starting(Utc::now()));
            self.ctx
                .store
                .save_business_unit_state(&self.bu, &state)
                .await?;
        }

        for event in events.iter_mut() {
            let Some(list) = event.list.clone() else {
                continue;
            };
            while !event.backfill.done && !self.must_stop() {
                tracing::info!(event = %event.event_id, list = %list.id, "backfilling list");
                if !self.backfill_chain(event, list.id).await? {
                    // A failed member: the next run resumes before it; other lists go on.
                    break;
                }
            }
        }
        Ok(())
    }

    /// One page chain of a backfill (a list of more than 100,000 members needs several).
    /// Returns false when a member failed: the chain is still read to its end, so one stuck
    /// member delays no one else, but progress is saved only up to it.
    async fn backfill_chain(
        &mut self,
        event: &mut LinkedEventRecord,
        list: ListId,
    ) -> Result<bool, SyncError> {
        let linked = HashMap::from([(list, event.event_id.clone())]);
        let query = MembershipQuery {
            list_id: Some(list.0),
            id_greater_than: event.backfill.after.map(|id| id.0),
            order_by: MembershipOrder::Id,
            deleted: Deleted::False,
            ..self.query()
        };
        let mut pager = self.pardot.query_list_memberships(&query);
        let mut clean = true;

        loop {
            if self.must_stop() {
                return Ok(false);
            }
            let page = match pager.next_page().await {
                Ok(Some(page)) => page,
                Ok(None) => break,
                Err(err) => {
                    self.page_failed(&err);
                    return Ok(false);
                }
            };

            let finished = self.process_page(&page.values, &linked).await;
            if clean && let Some(after) = contiguous_finished(&page.values, &finished) {
                event.backfill.after = Some(after);
            }
            if finished.iter().any(|done| !done) {
                clean = false;
                self.partial = true;
            }
            self.ctx.store.save_linked_event(event).await?;
            self.page_done().await?;
        }

        // A chain that ended at Pardot's ceiling continues after the last id.
        if clean && !pager.ceiling_reached() {
            event.backfill.done = true;
            self.ctx.store.save_linked_event(event).await?;
            tracing::info!(event = %event.event_id, "backfill done");
        }
        Ok(clean)
    }

    /// Follows the business unit's membership changes from the cursor (minus the look-back):
    /// one query for all linked lists, so an idle tick costs one Pardot call. A failed member
    /// holds the cursor before it while the pages after it are still worked.
    pub(super) async fn follow_changes(
        &mut self,
        events: &[LinkedEventRecord],
    ) -> Result<(), SyncError> {
        let linked: HashMap<ListId, EventId> = events
            .iter()
            .filter_map(|e| e.list.as_ref().map(|l| (l.id, e.event_id.clone())))
            .collect();
        if linked.is_empty() {
            return Ok(());
        }
        let mut state = self.ctx.store.business_unit_state(&self.bu).await?;
        let mut cursor = state
            .cursor
            .unwrap_or_else(|| MembershipCursor::starting(Utc::now()));

        loop {
            let from = cursor.query_from(self.ctx.config.look_back);
            let query = MembershipQuery {
                updated_at_after_or_equal: Some(from.fixed_offset()),
                order_by: MembershipOrder::UpdatedAt,
                deleted: Deleted::All,
                ..self.query()
            };
            let mut pager = self.pardot.query_list_memberships(&query);
            let mut advance = CursorAdvance::new(cursor);

            loop {
                if self.must_stop() {
                    break;
                }
                let page = match pager.next_page().await {
                    Ok(Some(page)) => page,
                    Ok(None) => break,
                    Err(err) => {
                        self.page_failed(&err);
                        break;
                    }
                };

                let finished = self.process_page(&page.values, &linked).await;
                for (membership, done) in page.values.iter().zip(&finished) {
                    let position =
                        MembershipCursor::at(membership.updated_at, MembershipId(membership.id));
                    advance.record(position, *done);
                }
                if advance.cursor() != cursor {
                    cursor = advance.cursor();
                    state.cursor = Some(cursor);
                    self.ctx
                        .store
                        .save_business_unit_state(&self.bu, &state)
                        .await?;
                }
                if advance.blocked() {
                    self.partial = true;
                }
                self.page_done().await?;
            }

            if !pager.ceiling_reached() || self.must_stop() || advance.blocked() {
                return Ok(());
            }
            tracing::info!("membership chain hit Pardot's 100,000 ceiling; restarting from cursor");
        }
    }
}

/// The highest id before the first unfinished membership of an id-ordered page.
fn contiguous_finished(page: &[ListMembership], finished: &[bool]) -> Option<MembershipId> {
    page.iter()
        .zip(finished)
        .take_while(|(_, done)| **done)
        .map(|(m, _)| MembershipId(m.id))
        .last()
}
