//! The sync worker: one run for one tenant. It takes the business unit's lease, brings the
//! linked events and their lists up to date, backfills newly linked lists, follows the
//! business unit's membership changes from the cursor, and records what it did.

mod bulk;
mod events;
mod memberships;
mod page;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use chrono::Utc;
use sbxy_domain::ids::{BusinessUnitId, EventId, MembershipId, TenantId};
use sbxy_domain::settings::{LinkField, TenantSettings};
use sbxy_domain::status::{SyncCounts, SyncProblem};
use sbxy_pardot_client::PardotClient;
use sbxy_storage::{ConnectionState, LinkedEventRecord, TenantRecord};
use sbxy_streamboxy_client::StreamboxyClient;
use tracing::Instrument;

use crate::connection::{TenantTokens, client_with_tokens};
use crate::context::AppContext;
use crate::deadline::Deadline;
use crate::error::SyncError;
use crate::report::{SyncOutcome, SyncReport};

/// Syncs one tenant. Errors are returned only when the run's own bookkeeping failed; problems
/// of the outside systems end up in the report and the tenant's status.
pub async fn sync_tenant(
    ctx: &AppContext,
    tenant: &TenantId,
    deadline: Deadline,
) -> Result<SyncReport, SyncError> {
    let span = tracing::info_span!("sync", tenant = %tenant, run = %uuid::Uuid::new_v4());
    sync_tenant_inner(ctx, tenant, deadline)
        .instrument(span)
        .await
}

async fn sync_tenant_inner(
    ctx: &AppContext,
    tenant: &TenantId,
    deadline: Deadline,
) -> Result<SyncReport, SyncError> {
    let Some(record) = ctx.store.tenant(tenant).await? else {
        return Err(SyncError::Input(format!(
            "tenant {tenant} is unknown; connect it first"
        )));
    };
    let (Some(settings), true) = (record.settings.clone(), record.is_syncable()) else {
        tracing::info!("tenant is not set up for syncing; skipped");
        return Ok(SyncReport::idle(
            tenant.as_str(),
            SyncOutcome::Skipped,
            None,
        ));
    };
    let (Some(bu), Some(link_field)) = (
        settings.business_unit_id.clone(),
        settings.link_field.clone(),
    ) else {
        return Ok(SyncReport::idle(
            tenant.as_str(),
            SyncOutcome::Skipped,
            None,
        ));
    };

    // A business unit that spent its daily budget makes no call until the probe time.
    let mut bu_state = ctx.store.business_unit_state(&bu).await?;
    if let Some(until) = bu_state.paused_until.filter(|until| *until > Utc::now()) {
        tracing::info!(%until, "business unit paused after the daily API limit");
        let problem = SyncProblem::DailyLimitReached { until };
        return Ok(SyncReport::idle(
            tenant.as_str(),
            SyncOutcome::Skipped,
            Some(problem),
        ));
    }

    // Only one worker drives a business unit at a time.
    let holder = uuid::Uuid::new_v4().to_string();
    if !ctx
        .store
        .acquire_lease(&bu, &holder, Utc::now(), ctx.config.lease_ttl)
        .await?
    {
        tracing::info!("another worker holds the business unit's lease; skipped");
        return Ok(SyncReport::idle(tenant.as_str(), SyncOutcome::Busy, None));
    }

    let result = run_with_lease(ctx, &record, settings, &bu, link_field, deadline, &holder).await;
    ctx.store.release_lease(&bu, &holder).await?;
    let report = result?;

    // Record the outcome for the admin and the pause for the next runs.
    if let Some(SyncProblem::DailyLimitReached { until }) = &report.problem {
        bu_state.paused_until = Some(*until);
        ctx.store.save_business_unit_state(&bu, &bu_state).await?;
    }
    record_status(ctx, tenant, &report).await?;
    tracing::info!(
        outcome = ?report.outcome,
        memberships = report.counts.memberships,
        registered = report.counts.registered,
        skipped = report.counts.skipped_total(),
        failed = report.counts.failed,
        links_written = report.counts.links_written,
        pardot_calls = report.pardot_calls,
        streamboxy_calls = report.streamboxy_calls,
        "sync run finished"
    );
    Ok(report)
}

async fn run_with_lease(
    ctx: &AppContext,
    record: &TenantRecord,
    settings: TenantSettings,
    bu: &BusinessUnitId,
    link_field: LinkField,
    deadline: Deadline,
    holder: &str,
) -> Result<SyncReport, SyncError> {
    let tenant = &record.tenant_id;

    // Tokens: none stored means the tenant must connect (again). Refreshes go through the
    // tenant's refresh lock, shared with the admin API and the write-back, so two processes
    // never refresh one grant at once.
    let Some(tokens) = TenantTokens::load_stored(ctx, tenant, settings.environment).await? else {
        let problem = Some(SyncProblem::ReconnectNeeded);
        return Ok(SyncReport::idle(
            tenant.as_str(),
            SyncOutcome::Stopped,
            problem,
        ));
    };
    let tokens = Arc::new(tokens);
    let pardot = client_with_tokens(
        ctx,
        &tokens,
        settings.environment,
        bu,
        ctx.pardot_settings(),
    );
    let streamboxy = ctx.streamboxy().await?;

    let mut run = TenantRun {
        ctx,
        tenant: tenant.clone(),
        bu: bu.clone(),
        settings,
        link_field,
        pardot,
        streamboxy,
        deadline,
        seen: HashSet::new(),
        counts: HashMap::new(),
        users: tokio::sync::Mutex::new(HashMap::new()),
        problem: None,
        partial: false,
        pages_done: 0,
        lease_holder: holder.to_owned(),
    };
    // A refreshed access token was saved with the refresh token by `TenantTokens`.
    let events = run.run().await;
    crate::metrics::emit_run(&run).await;
    Ok(run.into_report(&events?))
}

async fn record_status(
    ctx: &AppContext,
    tenant: &TenantId,
    report: &SyncReport,
) -> Result<(), SyncError> {
    let now = Utc::now();
    ctx.store
        .update_tenant(tenant, |record| {
            record.status.last_sync_at = Some(now);
            record.status.last_counts = report.counts.clone();
            record.status.problem.clone_from(&report.problem);
            record
                .status
                .add_calls(now.date_naive(), report.pardot_calls);
            if report.problem == Some(SyncProblem::ReconnectNeeded) {
                record.connection.state = ConnectionState::ReconnectNeeded;
            }
        })
        .await?;
    Ok(())
}

/// The state of one tenant's run.
pub(crate) struct TenantRun<'a> {
    pub(crate) ctx: &'a AppContext,
    pub(crate) tenant: TenantId,
    pub(crate) bu: BusinessUnitId,
    pub(crate) settings: TenantSettings,
    pub(crate) link_field: LinkField,
    pub(crate) pardot: PardotClient,
    pub(crate) streamboxy: StreamboxyClient,
    pub(crate) deadline: Deadline,
    /// Memberships finished in this run, so one seen by the backfill and the incremental
    /// query counts once.
    pub(crate) seen: HashSet<MembershipId>,
    /// Counts per event.
    pub(crate) counts: HashMap<EventId, SyncCounts>,
    /// Event users found or created in this run, by folded e-mail.
    pub(crate) users: tokio::sync::Mutex<HashMap<String, sbxy_domain::ids::EventUserId>>,
    /// The problem that stopped the run.
    pub(crate) problem: Option<SyncProblem>,
    /// True when work was left for the next run.
    pub(crate) partial: bool,
    /// Pages worked in this run; the first is worked even past the deadline.
    pub(crate) pages_done: u32,
    /// This run's name on the business unit's lease, renewed after each page.
    pub(crate) lease_holder: String,
}

impl TenantRun<'_> {
    /// Runs the steps in order; each stops early on a problem or the deadline.
    async fn run(&mut self) -> Result<Vec<LinkedEventRecord>, SyncError> {
        let mut events = match self.refresh_linked_events().await {
            Ok(events) => events,
            Err(problem) => {
                self.problem = Some(problem);
                return Ok(Vec::new());
            }
        };

        self.backfill_new_lists(&mut events).await?;
        if self.problem.is_none() {
            self.follow_changes(&events).await?;
        }

        // Record per-event results for the status page.
        let now = Utc::now();
        for event in &mut events {
            if let Some(counts) = self.counts.get(&event.event_id) {
                event.counts = counts.clone();
                event.last_sync_at = Some(now);
                self.ctx.store.save_linked_event(event).await?;
            }
        }
        crate::attendance::catch_up(self, &events).await;
        Ok(events)
    }

    fn into_report(self, events: &[LinkedEventRecord]) -> SyncReport {
        let mut total = SyncCounts::default();
        let mut lists = BTreeMap::new();
        for event in events {
            let counts = self
                .counts
                .get(&event.event_id)
                .cloned()
                .unwrap_or_default();
            total.add(&counts);
            lists
                .entry(event.list_name.clone())
                .or_insert_with(SyncCounts::default)
                .add(&counts);
        }
        let outcome = match (&self.problem, self.partial) {
            (Some(_), _) => SyncOutcome::Stopped,
            (None, true) => SyncOutcome::Partial,
            (None, false) => SyncOutcome::Completed,
        };
        let event_problem = events.iter().find_map(|e| e.problem.clone());

        SyncReport {
            tenant_id: self.tenant.to_string(),
            outcome,
            counts: total,
            lists,
            pardot_calls: self.pardot.stats().snapshot().requests,
            streamboxy_calls: self.streamboxy.stats().calls,
            problem: self.problem.or(event_problem),
        }
    }
}
