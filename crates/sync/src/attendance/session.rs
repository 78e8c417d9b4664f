//! The frame of one write-back: the tenant's gates, the business unit's lease (the same lease
//! as the sync worker's, so the two never drive one business unit at once), the Pardot and
//! STREAMBOXY clients, and what is saved afterwards (the access token, a daily-limit pause).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sbxy_domain::attendance::{AttendanceOutcome, AttendanceState, AttendanceTrigger};
use sbxy_domain::ids::{BusinessUnitId, EventId, TenantId};
use sbxy_domain::settings::TenantSettings;
use sbxy_pardot_client::{ClientSettings, PardotClient};
use sbxy_storage::TenantRecord;
use sbxy_streamboxy_client::StreamboxyClient;

use super::AttendanceReport;
use super::property::StateProperty;
use super::write_back::write_back;
use crate::connection::{TenantTokens, client_with_tokens};
use crate::context::AppContext;
use crate::deadline::Deadline;
use crate::error::SyncError;

/// How long a job waits for the business unit's lease. A job the poller asked for arrives
/// while the asking sync run still holds the lease for a moment; a long backfill makes the
/// job give up, mark the event `Pending`, and leave it to the next tick.
const LEASE_WAIT: Duration = Duration::from_secs(90);
/// How often the lease is tried again while waiting.
const LEASE_RETRY: Duration = Duration::from_secs(1);

/// Everything a write-back works with.
pub(super) struct Session<'a> {
    pub(super) ctx: &'a AppContext,
    pub(super) tenant: TenantId,
    pub(super) settings: TenantSettings,
    /// Lists and memberships, with the configured retries.
    pub(super) pardot: PardotClient,
    /// External Activities, without blind retries: a create that got no answer may have been
    /// recorded, and sending it again could record it twice.
    pub(super) activities: PardotClient,
    pub(super) streamboxy: StreamboxyClient,
    pub(super) deadline: Deadline,
}

/// A write-back's report, and the pause Pardot's daily limit calls for.
pub(super) struct Ended {
    pub(super) report: AttendanceReport,
    pub(super) pause_until: Option<DateTime<Utc>>,
}

/// Runs one write-back with its gates and its lease.
pub(super) async fn run(
    ctx: &AppContext,
    tenant: &TenantId,
    event: &EventId,
    trigger: AttendanceTrigger,
    deadline: Deadline,
) -> Result<AttendanceReport, SyncError> {
    let idle = |outcome, reason: &str| -> Result<AttendanceReport, SyncError> {
        Ok(AttendanceReport::idle(
            tenant, event, trigger, outcome, reason,
        ))
    };
    let Some(record) = ctx.store.tenant(tenant).await? else {
        return Err(SyncError::Input(format!(
            "tenant {tenant} is unknown; connect it first"
        )));
    };
    let Some(settings) = record.settings.clone() else {
        return idle(
            AttendanceOutcome::Skipped,
            "the tenant has no saved settings",
        );
    };
    if !settings.attendance_lists_enabled && settings.external_activities.is_none() {
        return idle(
            AttendanceOutcome::Skipped,
            "Show / No Show lists and External Activities are both switched off",
        );
    }
    let (Some(bu), true) = (settings.business_unit_id.clone(), record.is_syncable()) else {
        return idle(
            AttendanceOutcome::Skipped,
            "the tenant is not connected to Pardot, or its sync is off",
        );
    };

    // A business unit that spent its daily budget makes no call until the probe time.
    let mut bu_state = ctx.store.business_unit_state(&bu).await?;
    if let Some(until) = bu_state.paused_until.filter(|until| *until > Utc::now()) {
        defer(ctx, &settings, tenant, event, trigger).await;
        let reason = format!("the business unit's daily Pardot API budget is spent until {until}");
        return idle(AttendanceOutcome::Skipped, &reason);
    }

    let holder = uuid::Uuid::new_v4().to_string();
    if !acquire_lease(ctx, &bu, &holder, deadline).await? {
        defer(ctx, &settings, tenant, event, trigger).await;
        return idle(
            AttendanceOutcome::Busy,
            "another worker kept the business unit busy; the poller runs it later",
        );
    }
    let ended = with_lease(ctx, &record, settings, &bu, event, trigger, deadline).await;
    ctx.store.release_lease(&bu, &holder).await?;
    let ended = ended?;

    if let Some(until) = ended.pause_until {
        bu_state.paused_until = Some(until);
        ctx.store.save_business_unit_state(&bu, &bu_state).await?;
    }
    Ok(ended.report)
}

/// Takes the business unit's lease, waiting for a sync run that holds it to end.
async fn acquire_lease(
    ctx: &AppContext,
    bu: &BusinessUnitId,
    holder: &str,
    deadline: Deadline,
) -> Result<bool, SyncError> {
    let give_up = tokio::time::Instant::now() + LEASE_WAIT;
    loop {
        if ctx
            .store
            .acquire_lease(bu, holder, Utc::now(), ctx.config.lease_ttl)
            .await?
        {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= give_up || deadline.reached() {
            return Ok(false);
        }
        tracing::debug!("the business unit's lease is held; waiting");
        tokio::time::sleep(LEASE_RETRY).await;
    }
}

async fn with_lease(
    ctx: &AppContext,
    record: &TenantRecord,
    settings: TenantSettings,
    bu: &BusinessUnitId,
    event: &EventId,
    trigger: AttendanceTrigger,
    deadline: Deadline,
) -> Result<Ended, SyncError> {
    let tenant = &record.tenant_id;

    // Tokens exactly as the sync worker takes them: one holder for both clients, refreshed
    // under the tenant's refresh lock, the access token saved with the refresh token.
    let Some(tokens) = TenantTokens::load_stored(ctx, tenant, settings.environment).await? else {
        let reason = "no Salesforce connection is stored; reconnect the tenant";
        let report =
            AttendanceReport::idle(tenant, event, trigger, AttendanceOutcome::Skipped, reason);
        return Ok(Ended {
            report,
            pause_until: None,
        });
    };
    let tokens = Arc::new(tokens);
    let environment = settings.environment;
    let pardot = client_with_tokens(ctx, &tokens, environment, bu, ctx.pardot_settings());
    let no_retries = ClientSettings {
        max_retries: 0,
        ..ctx.pardot_settings()
    };
    let activities = client_with_tokens(ctx, &tokens, environment, bu, no_retries);
    let session = Session {
        ctx,
        tenant: tenant.clone(),
        pardot,
        activities,
        streamboxy: ctx.streamboxy().await?,
        settings,
        deadline,
    };
    write_back(&session, event, trigger).await
}

/// A write-back that cannot run now is left to the poller: a finished event the poller would
/// consider done (`Success`, or `Failed` waiting for its delay) is set back to `Pending`. The
/// poller's own jobs need nothing; it asks again.
async fn defer(
    ctx: &AppContext,
    settings: &TenantSettings,
    tenant: &TenantId,
    event: &EventId,
    trigger: AttendanceTrigger,
) {
    if trigger == AttendanceTrigger::Poller {
        return;
    }
    let result = async {
        let streamboxy = ctx.streamboxy().await?;
        let mut property = StateProperty::read(
            &streamboxy,
            tenant,
            event,
            &settings.attendance_state_property,
        )
        .await
        .map_err(|e| SyncError::Setup(e.to_string()))?;
        let done = matches!(
            property.state(),
            Some(AttendanceState::Success | AttendanceState::Failed)
        );
        if done {
            property
                .write(AttendanceState::Pending.as_str())
                .await
                .map_err(|e| SyncError::Setup(e.to_string()))?;
        }
        Ok::<(), SyncError>(())
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, "could not mark the event Pending; the webhook's run is lost");
    }
}
