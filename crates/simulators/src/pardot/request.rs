//! What every Pardot handler shares: the caller the gate admitted, JSON bodies with Pardot's
//! body error codes, and the generic query and read flows over a business unit's records.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use serde_json::{Map, Value};

use crate::http::query_pairs;
use crate::pardot::errors::{PardotError, PardotResult};
use crate::pardot::fields::{FieldSelection, ObjectKind, parse_fields};
use crate::pardot::model::Environment;
use crate::pardot::paging::{Candidate, Cursor, Envelope, decode, select};
use crate::pardot::query::{QueryRules, check_token_alone, parse_spec};
use crate::pardot::state::BusinessUnit;
use crate::shared::Shared;
use crate::sync::lock;

/// Router state of one Pardot listener: which environment its host serves.
#[derive(Debug, Clone)]
pub(crate) struct PardotPort {
    pub(crate) shared: Arc<Shared>,
    pub(crate) environment: Environment,
}

/// The admitted caller, put into request extensions by the gate.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) bu: String,
}

/// The numeric id in a record path; anything else is "not found", in Pardot's format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordId(pub(crate) i64);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = PardotError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| PardotError::not_found())?;
        raw.parse()
            .map(RecordId)
            .map_err(|_| PardotError::not_found())
    }
}

/// The value of one query parameter.
pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A JSON object body: empty → 152, wrong content type → 151, not a JSON object → 150.
pub(crate) fn json_body(
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Map<String, Value>, PardotError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(PardotError::empty_body());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json");
    if !content_type.to_ascii_lowercase().contains("json") {
        return Err(PardotError::unsupported_content_type());
    }
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(PardotError::invalid_json()),
    }
}

/// `http://<Host header><path>`: the request's own origin, so `nextPageUrl` and `Location`
/// point back at the host the client used.
pub(crate) fn self_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}{path}")
}

/// Runs `f` on the caller's business unit under the Pardot lock.
pub(crate) fn with_unit<T>(
    shared: &Shared,
    caller: &Caller,
    f: impl FnOnce(&mut BusinessUnit) -> Result<T, PardotError>,
) -> Result<T, PardotError> {
    let mut pardot = lock(&shared.pardot);
    let unit = pardot
        .units
        .get_mut(&caller.bu)
        .ok_or_else(PardotError::unknown_bu)?;
    f(unit)
}

/// The `fields` selection of a create or update: optional, defaults to `default`.
pub(crate) fn optional_fields(
    uri: &Uri,
    kind: ObjectKind,
    unit: &BusinessUnit,
    default: &[&str],
) -> Result<Option<FieldSelection>, PardotError> {
    let params = query_pairs(uri);
    match param(&params, "fields") {
        Some(raw) => parse_fields(Some(raw), kind, &unit.custom_field_keys()).map(Some),
        None if default.is_empty() => Ok(None),
        None => Ok(Some(FieldSelection::of(default))),
    }
}

/// One object's part in the generic query flow.
pub(crate) struct QueryPlan<'a> {
    pub(crate) kind: ObjectKind,
    /// Collection name as in the URL, e.g. `list-memberships`.
    pub(crate) object: &'a str,
    pub(crate) path: &'a str,
    pub(crate) rules: QueryRules,
}

/// The generic collection query: fields, token or parameters, filtering, paging, rendering.
pub(crate) fn run_query(
    shared: &Shared,
    caller: &Caller,
    headers: &HeaderMap,
    uri: &Uri,
    plan: &QueryPlan<'_>,
    candidates: impl FnOnce(&BusinessUnit) -> Vec<Candidate>,
    render: impl Fn(&BusinessUnit, i64, &FieldSelection) -> Option<Value>,
) -> PardotResult {
    let params = query_pairs(uri);
    let now = shared.clock.now();
    let options = &shared.pardot_options;
    with_unit(shared, caller, |unit| {
        let fields = parse_fields(
            param(&params, "fields"),
            plan.kind,
            &unit.custom_field_keys(),
        )?;
        let cursor = match param(&params, "nextPageToken") {
            Some(token) => {
                check_token_alone(&params)?;
                decode(plan.object, token, now)?
            }
            None => Cursor::first(parse_spec(&params, &plan.rules)?),
        };

        let lag = i64::try_from(options.read_lag_secs).unwrap_or(0);
        let hidden_after = (lag > 0).then(|| now - Duration::seconds(lag));
        let selection = select(
            candidates(unit),
            &cursor,
            options.page_chain_ceiling,
            hidden_after,
        );
        let values = selection
            .ids
            .iter()
            .filter_map(|id| render(unit, *id, &fields))
            .collect();

        let envelope = Envelope {
            object: plan.object,
            self_url: self_url(headers, plan.path),
            fields_raw: &fields.raw,
            offset: unit.offset,
            now,
            token_ttl_secs: options.page_token_ttl_secs,
        };
        Ok(envelope.respond(values, &selection))
    })
}

/// The generic read of one record: fields required; unknown → 109; archived → 404 + warning.
pub(crate) fn run_read(
    shared: &Shared,
    caller: &Caller,
    uri: &Uri,
    kind: ObjectKind,
    find: impl FnOnce(&BusinessUnit) -> Option<bool>,
    render: impl FnOnce(&BusinessUnit, &FieldSelection) -> Option<Value>,
) -> PardotResult {
    let params = query_pairs(uri);
    with_unit(shared, caller, |unit| {
        let fields = parse_fields(param(&params, "fields"), kind, &unit.custom_field_keys())?;
        match find(unit) {
            None => Err(PardotError::not_found()),
            Some(true) => Err(PardotError::in_recycle_bin()),
            Some(false) => {
                let value = render(unit, &fields).ok_or_else(PardotError::not_found)?;
                Ok(Json(value).into_response())
            }
        }
    })
}

/// A `201 Created` with `Location` and the requested fields of the new record.
pub(crate) fn created(location: String, body: Option<Value>) -> Response {
    let mut response = match body {
        Some(body) => (axum::http::StatusCode::CREATED, Json(body)).into_response(),
        None => axum::http::StatusCode::CREATED.into_response(),
    };
    if let Ok(value) = location.parse() {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// `200` with the requested fields, or `204` when none were requested.
pub(crate) fn updated(body: Option<Value>) -> Response {
    match body {
        Some(body) => Json(body).into_response(),
        None => axum::http::StatusCode::NO_CONTENT.into_response(),
    }
}
