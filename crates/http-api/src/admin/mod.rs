//! The admin routes: connect, the OAuth callback, disconnect, settings, status and the
//! attendance re-run. Every tenant route needs a Backstage admin token of that tenant
//! ([`auth::TenantAdmin`]).

mod attendance;
pub mod auth;
mod connect;
pub(crate) mod settings;
mod status;

use axum::Router;

use crate::routes::Routes;
use crate::state::ApiState;

/// The admin routes with their table.
pub fn routes() -> Routes {
    Routes::new()
        .post("/tenants/{tenant}/pardot/connect", connect::connect)
        .get("/oauth/callback", connect::callback)
        .post("/tenants/{tenant}/pardot/disconnect", connect::disconnect)
        .get("/tenants/{tenant}/pardot/settings", settings::read)
        .put("/tenants/{tenant}/pardot/settings", settings::save)
        .get("/tenants/{tenant}/pardot/status", status::read)
        .post(
            "/tenants/{tenant}/events/{event}/attendance/rerun",
            attendance::rerun,
        )
}

/// The admin routes alone (the whole API is [`crate::router`]).
pub fn admin_router(state: ApiState) -> Router {
    routes().into_router().with_state(state)
}
