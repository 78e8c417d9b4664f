//! STREAMBOXY Public API, contract v0 (streamboxy-api.md §7): tenant-scoped events, custom
//! property definitions, users, event grants, access links and attendance, plus the `/join`
//! page that access links point to.

pub(crate) mod events;
pub(crate) mod model;
mod problem;
pub(crate) mod state;
mod users;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use serde_json::json;

use crate::faults::{Decision, FaultKind, System};
use crate::http::{Prelude, SystemCtx, dropped_response, kill_switch_of, prelude, record};
use crate::shared::Shared;
use crate::sync::lock;

pub(crate) use problem::Problem;

/// The routes of the STREAMBOXY listener (control routes are merged by the caller).
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let ctx = SystemCtx {
        shared: Arc::clone(&shared),
        system: System::Streamboxy,
    };
    let api = Router::new()
        .route("/tenant/{tenant}/Event", get(events::list))
        .route(
            "/tenant/{tenant}/Event/{event}",
            get(events::read).patch(events::patch),
        )
        .route(
            "/tenant/{tenant}/CustomPropertyDefinition",
            get(events::definitions),
        )
        .route(
            "/tenant/{tenant}/User",
            get(users::find).post(users::create),
        )
        .route("/tenant/{tenant}/User/{user}", get(users::read))
        .route("/tenant/{tenant}/Event/{event}/User", get(users::granted))
        .route(
            "/tenant/{tenant}/Event/{event}/User/{user}",
            axum::routing::put(users::grant).delete(users::revoke),
        )
        .route(
            "/tenant/{tenant}/User/{user}/AccessLink",
            axum::routing::post(users::access_link),
        )
        .route(
            "/tenant/{tenant}/Event/{event}/Attendance",
            get(users::attendance),
        )
        .route_layer(middleware::from_fn_with_state(Arc::clone(&shared), gate));

    // The join page is what a participant's browser opens: no API key, no faults.
    Router::new()
        .route("/join/{opaque}", get(users::join_page))
        .merge(api)
        .route_layer(middleware::from_fn_with_state(ctx, record))
        .with_state(shared)
}

/// The tenant id of a `/tenant/{t}/…` path.
fn tenant_of(path: &str) -> Option<&str> {
    path.strip_prefix("/tenant/")?.split('/').next()
}

/// Per-tenant concurrency limit, latency, faults, then the API key and the tenant.
async fn gate(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let tenant = tenant_of(req.uri().path())
        .unwrap_or_default()
        .to_lowercase();
    let _in_flight = match shared.streamboxy_in_flight.enter(&tenant, &shared.stats) {
        Ok(guard) => guard,
        Err(()) => return Problem::too_many_requests().into_response(),
    };

    let drop_after = match prelude(&shared, System::Streamboxy, kill_switch_of(&req)).await {
        Prelude::Respond(response) => return response,
        Prelude::Special(Decision::Random(FaultKind::Streamboxy409)) => {
            return Problem::new(StatusCode::CONFLICT, "Injected conflict.").into_response();
        }
        Prelude::Special(_) => {
            return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "Injected server error.")
                .into_response();
        }
        Prelude::Proceed { drop_after } => drop_after,
    };

    if let Err(problem) = authorize(&shared, req.headers(), &tenant) {
        return problem.into_response();
    }
    let switch = kill_switch_of(&req).filter(|_| drop_after);
    let response = next.run(req).await;
    match switch {
        Some(switch) => {
            switch.trigger();
            dropped_response()
        }
        None => response,
    }
}

fn authorize(shared: &Shared, headers: &HeaderMap, tenant: &str) -> Result<(), Problem> {
    let state = lock(&shared.streamboxy);
    let value = headers
        .get(state.auth_header.as_str())
        .and_then(|v| v.to_str().ok())
        .ok_or_else(Problem::unauthorized)?
        .trim();
    let key = if state.auth_scheme.is_empty() {
        value
    } else {
        let (scheme, key) = value.split_once(' ').ok_or_else(Problem::unauthorized)?;
        if !scheme.eq_ignore_ascii_case(&state.auth_scheme) {
            return Err(Problem::unauthorized());
        }
        key.trim()
    };
    let (_, tenants) = state
        .api_keys
        .iter()
        .find(|(k, _)| k.expose() == key)
        .ok_or_else(Problem::unauthorized)?;
    if !tenants.is_empty() && !tenants.iter().any(|t| t.eq_ignore_ascii_case(tenant)) {
        return Err(Problem::forbidden());
    }
    if state.tenant(tenant).is_none() {
        return Err(Problem::not_found("Unknown tenant."));
    }
    Ok(())
}

/// `take` (≤ 100, default 100) and `skip` (default 0) of a page request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageParams {
    take: usize,
    skip: usize,
}

impl PageParams {
    pub(crate) fn parse(params: &[(String, String)]) -> Result<Self, Problem> {
        let number = |name: &str, default: usize| -> Result<usize, Problem> {
            match params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                None => Ok(default),
                Some((_, v)) => v.trim().parse().map_err(|_| {
                    Problem::bad_request(format!("{name} must be a non-negative integer"))
                }),
            }
        };
        let take = number("take", 100)?;
        if take > 100 {
            return Err(Problem::bad_request("take must be at most 100"));
        }
        Ok(Self {
            take,
            skip: number("skip", 0)?,
        })
    }

    /// `{"count": total, "result": [...]}` of the requested slice.
    pub(crate) fn respond<T: Serialize>(self, items: Vec<T>) -> Response {
        let count = items.len();
        let result: Vec<T> = items.into_iter().skip(self.skip).take(self.take).collect();
        Json(json!({ "count": count, "result": result })).into_response()
    }
}

/// Parses a JSON body into `T`, answering a 400 problem when it does not fit.
pub(crate) fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|err| Problem::bad_request(format!("Invalid body: {err}")))
}
