//! The records the service keeps per tenant, business unit, linked event and prospect.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use sbxy_domain::cursor::MembershipCursor;
use sbxy_domain::ids::{EventId, EventUserId, FolderId, ListId, MembershipId, TenantId};
use sbxy_domain::link::LinkTarget;
use sbxy_domain::settings::{PardotEnvironment, TenantSettings};
use sbxy_domain::status::{SyncCounts, SyncProblem};

/// Whether the tenant's Salesforce grant can be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    /// Never connected, or disconnected by an admin.
    #[default]
    NotConnected,
    /// A refresh token is stored and works.
    Connected,
    /// Salesforce refused the refresh token (`invalid_grant`): the sync pauses until an admin
    /// connects again.
    ReconnectNeeded,
}

/// The tenant's connection to Salesforce.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// Connected or not.
    pub state: ConnectionState,
    /// The hosts the grant belongs to.
    pub environment: PardotEnvironment,
    /// The Salesforce user the integration acts as.
    pub salesforce_user_id: Option<String>,
    /// That user's name, for the admin page.
    pub salesforce_username: Option<String>,
    /// When the grant was made.
    pub connected_at: Option<DateTime<Utc>>,
    /// The admin (`sub` of the Backstage token) who made the grant.
    #[serde(default)]
    pub connected_by: Option<String>,
}

/// What the last runs of a tenant left for the admin to read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantStatus {
    /// When the last sync of the tenant finished.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The counts of that sync.
    pub last_counts: SyncCounts,
    /// The problem that affects the whole tenant, if any.
    pub problem: Option<SyncProblem>,
    /// Pardot calls spent on `calls_day` (UTC).
    pub pardot_calls_today: u64,
    /// The day `pardot_calls_today` counts.
    pub calls_day: Option<NaiveDate>,
}

impl TenantStatus {
    /// Adds calls to today's count, starting a new count on a new day.
    pub fn add_calls(&mut self, today: NaiveDate, calls: u64) {
        if self.calls_day != Some(today) {
            self.calls_day = Some(today);
            self.pardot_calls_today = 0;
        }
        self.pardot_calls_today += calls;
    }
}

/// Everything stored about a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantRecord {
    /// The STREAMBOXY tenant.
    pub tenant_id: TenantId,
    /// The saved settings, once an admin saved valid ones.
    pub settings: Option<TenantSettings>,
    /// The Salesforce connection.
    pub connection: Connection,
    /// What the admin reads.
    pub status: TenantStatus,
}

impl TenantRecord {
    /// A tenant seen for the first time.
    pub fn new(tenant_id: TenantId) -> Self {
        Self {
            tenant_id,
            settings: None,
            connection: Connection::default(),
            status: TenantStatus::default(),
        }
    }

    /// True when the poller should start a sync: checkbox 1 on, a business unit, a connection.
    pub fn is_syncable(&self) -> bool {
        self.connection.state == ConnectionState::Connected
            && self
                .settings
                .as_ref()
                .is_some_and(|s| s.sync_enabled && s.business_unit_id.is_some())
    }
}

/// The Pardot list an event is linked to, cached after it was found by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedList {
    /// The list's id.
    pub id: ListId,
    /// Its folder, for the Show and No Show lists.
    pub folder_id: Option<FolderId>,
    /// When the name was last looked up; the lookup is repeated daily to notice deletions.
    pub resolved_at: DateTime<Utc>,
}

/// How far a newly linked list's existing members have been read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backfill {
    /// True once every member present at link time was read.
    pub done: bool,
    /// The last membership id finished, to restart the `listId` query after it.
    pub after: Option<MembershipId>,
}

/// A STREAMBOXY event whose list-name property links it to a Pardot list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedEventRecord {
    /// The tenant.
    pub tenant_id: TenantId,
    /// The event.
    pub event_id: EventId,
    /// The event's title, for status pages.
    pub title: String,
    /// The list name as the property holds it.
    pub list_name: String,
    /// The resolved list, `None` until found (or when the name changed).
    pub list: Option<ResolvedList>,
    /// Backfill progress of the resolved list.
    pub backfill: Backfill,
    /// Counts over all runs.
    pub counts: SyncCounts,
    /// When a sync last worked on this event.
    pub last_sync_at: Option<DateTime<Utc>>,
    /// The event's current problem, if any.
    pub problem: Option<SyncProblem>,
}

/// A prospect's registration for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRegistration {
    /// The event user the prospect became.
    pub user_id: EventUserId,
    /// When the prospect was registered.
    pub registered_at: DateTime<Utc>,
}

/// The access link last written into a prospect's field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenLink {
    /// The event the link shows first.
    pub target: LinkTarget,
    /// Fingerprint of the URL written.
    pub fingerprint: String,
}

/// What is known about one prospect of a tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProspectRecord {
    /// Registrations by event.
    pub registrations: std::collections::BTreeMap<EventId, EventRegistration>,
    /// The link in the prospect's field.
    pub link: Option<WrittenLink>,
}

/// A business unit's incremental sync state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessUnitState {
    /// How far the incremental membership query finished work.
    pub cursor: Option<MembershipCursor>,
    /// Set after code 122: no calls until then.
    pub paused_until: Option<DateTime<Utc>>,
}

/// The Pardot tokens of a tenant, kept in Secrets Manager.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PardotTokens {
    /// The long-lived grant.
    pub refresh_token: sbxy_domain::Secret,
    /// The cached access token, reused across warm invocations and workers.
    pub access_token: Option<sbxy_domain::Secret>,
    /// When the access token was issued, in ms since the epoch.
    pub issued_at_ms: Option<i64>,
}

impl std::fmt::Debug for PardotTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PardotTokens(***)")
    }
}
