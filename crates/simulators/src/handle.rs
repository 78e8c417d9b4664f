//! Starting the simulator and the handle tests hold: URLs, stats, state inspection and
//! run-time control without going through HTTP.

use std::sync::Arc;

use axum::Router;
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::SimConfig;
use crate::control;
use crate::error::SimError;
use crate::faults::FaultConfig;
use crate::http::{SystemCtx, route_of};
use crate::pardot::model::{Environment, List, Membership, Prospect};
use crate::seed::{AttendanceSeed, PardotSeed, StreamboxySeed};
use crate::server::{base_url, bind, spawn};
use crate::shared::{Shared, Urls};
use crate::stats::Stats;
use crate::streamboxy::model::{Event, User};
use crate::sync::lock;
use crate::{faults::System, oauth, pardot, streamboxy};

/// A running simulator. Dropping it leaves the servers running until the runtime ends;
/// call [`SimHandle::shutdown`] to stop them.
#[derive(Debug)]
pub struct SimHandle {
    /// Salesforce OAuth base, e.g. `http://127.0.0.1:41234`.
    pub oauth_url: String,
    /// Pardot production host (pi.pardot.com).
    pub pardot_url: String,
    /// Pardot demo host (pi.demo.pardot.com).
    pub pardot_demo_url: String,
    /// STREAMBOXY API base.
    pub streamboxy_url: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Binds the four listeners on 127.0.0.1 and starts serving.
pub async fn start(config: SimConfig) -> Result<SimHandle, SimError> {
    let ports = config.ports;
    let oauth_listener = bind("oauth", ports.oauth).await?;
    let pardot_listener = bind("pardot", ports.pardot).await?;
    let demo_listener = bind("pardot_demo", ports.pardot_demo).await?;
    let sbxy_listener = bind("streamboxy", ports.streamboxy).await?;
    let urls = Urls {
        oauth: base_url(&oauth_listener, "oauth")?,
        pardot: base_url(&pardot_listener, "pardot")?,
        pardot_demo: base_url(&demo_listener, "pardot_demo")?,
        streamboxy: base_url(&sbxy_listener, "streamboxy")?,
    };
    let shared = Arc::new(Shared::new(config, urls.clone())?);

    let (stop, stopped) = watch::channel(false);
    let with_control = |system_router: Router, system: System| {
        let ctx = SystemCtx {
            shared: Arc::clone(&shared),
            system,
        };
        system_router
            .merge(control::router(Arc::clone(&shared)))
            .fallback(move |req: axum::extract::Request| fallback(ctx.clone(), req))
    };
    let tasks = vec![
        spawn(
            oauth_listener,
            with_control(oauth::router(Arc::clone(&shared)), System::OAuth),
            stopped.clone(),
        ),
        spawn(
            pardot_listener,
            with_control(
                pardot::router(Arc::clone(&shared), Environment::Production),
                System::Pardot,
            ),
            stopped.clone(),
        ),
        spawn(
            demo_listener,
            with_control(
                pardot::router(Arc::clone(&shared), Environment::Demo),
                System::Pardot,
            ),
            stopped.clone(),
        ),
        spawn(
            sbxy_listener,
            with_control(streamboxy::router(Arc::clone(&shared)), System::Streamboxy),
            stopped,
        ),
    ];
    tracing::info!(
        oauth = %urls.oauth, pardot = %urls.pardot, pardot_demo = %urls.pardot_demo,
        streamboxy = %urls.streamboxy, "simulator listening"
    );
    Ok(SimHandle {
        oauth_url: urls.oauth,
        pardot_url: urls.pardot,
        pardot_demo_url: urls.pardot_demo,
        streamboxy_url: urls.streamboxy,
        shared,
        stop,
        tasks,
    })
}

/// Unknown paths: counted, and answered in the system's error format.
async fn fallback(ctx: SystemCtx, req: axum::extract::Request) -> axum::response::Response {
    use axum::response::IntoResponse;
    let route = route_of(&req);
    let response = match ctx.system {
        System::Pardot => pardot::unknown_object(),
        System::Streamboxy => streamboxy::Problem::not_found("No such route.").into_response(),
        System::OAuth => (axum::http::StatusCode::NOT_FOUND, "Not found").into_response(),
    };
    let status = response.status().as_u16().to_string();
    ctx.shared.stats.record_call(ctx.system, &route, &status);
    response
}

impl SimHandle {
    /// A snapshot of every counter.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Stops every listener; in-flight requests share one short grace period, after which
    /// the listeners are aborted (a `slow` fault must not hold a test for its whole sleep).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(2);
        for task in self.tasks {
            let abort = task.abort_handle();
            if tokio::time::timeout_at(deadline, task).await.is_err() {
                abort.abort();
            }
        }
    }

    /// Replaces the fault configuration (same as `POST /_sim/faults`).
    pub fn set_faults(&self, config: FaultConfig) {
        self.shared.set_faults(Some(config));
    }

    /// Clears every fault (same as `DELETE /_sim/faults`).
    pub fn clear_faults(&self) {
        self.shared.set_faults(None);
    }

    /// Moves the simulated clock forward (token, code and page-token expiry).
    pub fn advance_clock(&self, seconds: u64) {
        self.shared.clock.advance(seconds);
    }

    /// Resets every business unit's daily call count.
    pub fn pardot_daily_reset(&self) {
        lock(&self.shared.pardot).reset_daily();
    }

    /// Upserts Pardot records (same as `POST /_sim/pardot/seed`).
    pub fn seed_pardot(&self, seed: &PardotSeed) -> Result<(), SimError> {
        control::seed_pardot(&self.shared, seed).map_err(SimError::InvalidSeed)
    }

    /// Upserts STREAMBOXY records (same as `POST /_sim/streamboxy/seed`).
    pub fn seed_streamboxy(&self, seed: &StreamboxySeed) -> Result<(), SimError> {
        control::seed_streamboxy(&self.shared, seed).map_err(SimError::InvalidSeed)
    }

    /// Records attendance of a user (by id or e-mail) at an event.
    pub fn record_attendance(&self, tenant: &str, record: &AttendanceSeed) -> Result<(), SimError> {
        control::record_attendance(&self.shared, tenant, record).map_err(SimError::InvalidSeed)
    }

    /// Sets an event's `state` / `title` / `customProperties` (merge) like the control route.
    pub fn set_event(&self, tenant: &str, event: &str, changes: &Value) -> Result<Event, SimError> {
        let empty = serde_json::Map::new();
        let body = changes.as_object().unwrap_or(&empty);
        let value = crate::streamboxy::events::control_set(
            &mut lock(&self.shared.streamboxy),
            tenant,
            event,
            body,
        )
        .map_err(SimError::InvalidSeed)?;
        serde_json::from_value(value).map_err(|e| SimError::InvalidSeed(e.to_string()))
    }

    /// A prospect field's current value (`None` when the prospect or BU does not exist).
    pub fn prospect_field(&self, bu: &str, prospect_id: i64, field: &str) -> Option<Value> {
        self.prospect(bu, prospect_id).map(|p| p.field(field))
    }

    /// A prospect as stored.
    pub fn prospect(&self, bu: &str, prospect_id: i64) -> Option<Prospect> {
        let pardot = lock(&self.shared.pardot);
        pardot.units.get(bu)?.prospects.get(&prospect_id).cloned()
    }

    /// Every list of a business unit, archived ones included.
    pub fn lists(&self, bu: &str) -> Vec<List> {
        let pardot = lock(&self.shared.pardot);
        pardot
            .units
            .get(bu)
            .map(|u| u.lists.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Lists of a business unit with exactly this name, archived ones included.
    pub fn lists_named(&self, bu: &str, name: &str) -> Vec<List> {
        self.lists(bu)
            .into_iter()
            .filter(|l| l.name == name)
            .collect()
    }

    /// Every membership row of a list, archived ones included.
    pub fn list_memberships(&self, bu: &str, list_id: i64) -> Vec<Membership> {
        let pardot = lock(&self.shared.pardot);
        pardot
            .units
            .get(bu)
            .map(|u| {
                u.memberships
                    .values()
                    .filter(|m| m.list_id == list_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every user of a STREAMBOXY tenant.
    pub fn users(&self, tenant: &str) -> Vec<User> {
        let state = lock(&self.shared.streamboxy);
        state
            .tenant(tenant)
            .map(|t| t.users.clone())
            .unwrap_or_default()
    }

    /// User ids granted into an event, in grant order.
    pub fn grants(&self, tenant: &str, event: &str) -> Vec<String> {
        let state = lock(&self.shared.streamboxy);
        state
            .tenant(tenant)
            .map(|t| {
                t.grants
                    .iter()
                    .filter(|g| g.event_id.eq_ignore_ascii_case(event))
                    .map(|g| g.user_id.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// An event as stored.
    pub fn event(&self, tenant: &str, event: &str) -> Option<Event> {
        let state = lock(&self.shared.streamboxy);
        state.tenant(tenant)?.event(event).cloned()
    }

    /// Full state dumps, as served by the `/_sim/*/state` routes.
    pub fn pardot_state(&self) -> Value {
        lock(&self.shared.pardot).dump()
    }

    pub fn streamboxy_state(&self) -> Value {
        lock(&self.shared.streamboxy).dump(&self.shared.urls.streamboxy)
    }

    pub fn salesforce_state(&self) -> Value {
        lock(&self.shared.salesforce).dump(self.shared.clock.now())
    }

    /// Issues an access token for a seeded user directly, skipping OAuth (for tests that
    /// are about Pardot, not about logging in). Scope: `refresh_token pardot_api`.
    pub fn mint_access_token(&self, user_id: &str) -> Option<sbxy_domain::Secret> {
        let now = self.shared.clock.now();
        let mut sf = lock(&self.shared.salesforce);
        if !sf.users.contains_key(user_id) {
            return None;
        }
        let grant = sf.new_grant(user_id, crate::oauth::state::DEFAULT_SCOPE);
        Some(sbxy_domain::Secret::new(sf.issue_access_token(grant, now)))
    }
}
