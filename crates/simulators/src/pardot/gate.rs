//! What happens to every Pardot request before its handler, in this order: the per-BU
//! in-flight cap (code 66), latency and faults, the access token (184), the
//! `Pardot-Business-Unit-Id` header (181/182), the business unit on this host (201), the
//! user's mapping to it (49), and the daily budget (122). Afterwards, `x-api-usage`.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::faults::{Decision, FaultKind, System};
use crate::http::{Prelude, dropped_response, kill_switch_of, prelude};
use crate::oauth::bearer;
use crate::pardot::errors::PardotError;
use crate::pardot::request::{Caller, PardotPort};
use crate::pardot::state::valid_bu_id;
use crate::shared::Shared;
use crate::stats::DailyUsage;
use crate::sync::lock;

const BU_HEADER: &str = "Pardot-Business-Unit-Id";

/// The gate middleware of both Pardot listeners.
pub(crate) async fn gate(State(port): State<PardotPort>, mut req: Request, next: Next) -> Response {
    let shared = &port.shared;

    // The in-flight cap is counted per header value, before anything else can fail, and
    // held until the response is done (or the client hangs up).
    let bu_header = req
        .headers()
        .get(BU_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned());
    let _in_flight = match bu_header.as_deref().filter(|b| !b.is_empty()) {
        Some(bu) => match shared.pardot_in_flight.enter(bu, &shared.stats) {
            Ok(guard) => Some(guard),
            Err(()) => return PardotError::too_many_concurrent().into_response(),
        },
        None => None,
    };

    let drop_after = match prelude(shared, System::Pardot, kill_switch_of(&req)).await {
        Prelude::Respond(response) => return response,
        Prelude::Special(decision) => return special_fault(shared, &req, decision),
        Prelude::Proceed { drop_after } => drop_after,
    };

    let (caller, usage) = match admit(shared, &port, &req, bu_header.as_deref()) {
        Ok(admitted) => admitted,
        Err(err) => return err.into_response(),
    };
    let wants_usage = req
        .headers()
        .get("X-Return-Api-Usage")
        .is_some_and(|v| v.as_bytes() == b"1");
    let switch = kill_switch_of(&req).filter(|_| drop_after);
    req.extensions_mut().insert(caller);

    let mut response = next.run(req).await;
    if let Some(switch) = switch {
        switch.trigger();
        return dropped_response();
    }
    if wants_usage
        && let Ok(value) = HeaderValue::from_str(&format!("{}/{}", usage.used, usage.max))
    {
        response.headers_mut().insert("x-api-usage", value);
    }
    response
}

/// Token, BU header, BU on this host, user mapping, daily budget.
fn admit(
    shared: &Shared,
    port: &PardotPort,
    req: &Request,
    bu_header: Option<&str>,
) -> Result<(Caller, DailyUsage), PardotError> {
    let now = shared.clock.now();
    let token_error = || PardotError::invalid_token(shared.pardot_options.invalid_token_status);

    let token = bearer(req.headers()).ok_or_else(token_error)?;
    let owner = lock(&shared.salesforce)
        .check_access(&token, now)
        .ok_or_else(token_error)?;
    if !owner.scope.split_whitespace().any(|s| s == "pardot_api") {
        return Err(token_error());
    }

    let bu = bu_header
        .filter(|b| !b.is_empty())
        .ok_or_else(PardotError::missing_bu_header)?;
    if !valid_bu_id(bu) {
        return Err(PardotError::malformed_bu_header());
    }
    let mapped = lock(&shared.salesforce)
        .users
        .get(&owner.user_id)
        .is_some_and(|u| u.business_units.iter().any(|b| b == bu));

    let mut pardot = lock(&shared.pardot);
    let unit = pardot
        .units
        .get_mut(bu)
        .filter(|u| u.environment == port.environment)
        .ok_or_else(PardotError::unknown_bu)?;
    if !mapped {
        return Err(PardotError::access_denied());
    }
    let usage = unit
        .spend_call(now)
        .map_err(|_| PardotError::daily_limit())?;
    Ok((Caller { bu: bu.to_owned() }, usage))
}

/// Turns a Pardot-specific fault into its answer.
fn special_fault(shared: &Shared, req: &Request, decision: Decision) -> Response {
    match decision {
        Decision::Burst66 | Decision::Random(FaultKind::Pardot66) => {
            PardotError::too_many_concurrent().into_response()
        }
        Decision::Random(FaultKind::Pardot184) => {
            lock(&shared.salesforce).invalidate_all_access_tokens();
            PardotError::invalid_token(400).into_response()
        }
        Decision::TokenKilled => {
            if let Some(token) = bearer(req.headers()) {
                lock(&shared.salesforce).invalidate_access_token(&token);
            }
            PardotError::invalid_token(400).into_response()
        }
        Decision::Random(_) => PardotError::internal().into_response(),
    }
}
