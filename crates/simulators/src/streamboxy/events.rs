//! Events and custom property definitions: list, read, and the PATCH of `customProperties`
//! (merge; `null` clears; optional `If-Match` on `rowVersion`).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::http::query_pairs;
use crate::shared::Shared;
use crate::streamboxy::model::PropertyDefinition;
use crate::streamboxy::state::StreamboxyState;
use crate::streamboxy::{PageParams, Problem, parse_body};
use crate::sync::lock;

type Answer = Result<Response, Problem>;

pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    uri: Uri,
) -> Answer {
    let page = PageParams::parse(&query_pairs(&uri))?;
    let state = lock(&shared.streamboxy);
    let tenant = state
        .tenant(&tenant)
        .ok_or_else(|| Problem::not_found("Unknown tenant."))?;
    Ok(page.respond(tenant.events.clone()))
}

pub(crate) async fn read(
    State(shared): State<Arc<Shared>>,
    Path((tenant, event)): Path<(String, String)>,
) -> Answer {
    let state = lock(&shared.streamboxy);
    let event = state
        .tenant(&tenant)
        .and_then(|t| t.event(&event))
        .ok_or_else(|| Problem::not_found("Unknown event."))?;
    Ok(Json(event).into_response())
}

pub(crate) async fn definitions(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    uri: Uri,
) -> Answer {
    let params = query_pairs(&uri);
    let page = PageParams::parse(&params)?;
    let target = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("target"))
        .map(|(_, v)| v.clone());
    let state = lock(&shared.streamboxy);
    let tenant = state
        .tenant(&tenant)
        .ok_or_else(|| Problem::not_found("Unknown tenant."))?;
    let defs: Vec<PropertyDefinition> = tenant
        .definitions
        .iter()
        .filter(|d| target.as_deref().is_none_or(|t| targets(d, t)))
        .cloned()
        .collect();
    Ok(page.respond(defs))
}

/// A definition applies to `target` when it names it or `Both`.
fn targets(def: &PropertyDefinition, target: &str) -> bool {
    def.target.eq_ignore_ascii_case(target) || def.target.eq_ignore_ascii_case("Both")
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PatchBody {
    #[serde(default)]
    custom_properties: Map<String, Value>,
}

/// Checks a value against a definition's data type.
fn fits(def: &PropertyDefinition, value: &Value) -> bool {
    match def.data_type.to_ascii_uppercase().as_str() {
        "NUMBER" => value.is_number(),
        "BOOLEAN" | "CHECKBOX" => value.is_boolean(),
        "DATE" => value.as_str().is_some_and(|s| {
            chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").is_ok()
        }),
        _ => value.is_string(),
    }
}

pub(crate) async fn patch(
    State(shared): State<Arc<Shared>>,
    Path((tenant, event)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    let body: PatchBody = parse_body(&body)?;
    let if_match = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned()
        });

    let mut state = lock(&shared.streamboxy);
    let version = state.next_row_version();
    let tenant = state
        .tenant_mut(&tenant)
        .ok_or_else(|| Problem::not_found("Unknown tenant."))?;
    for (name, value) in &body.custom_properties {
        let def = tenant
            .definitions
            .iter()
            .find(|d| d.internal_name == *name && targets(d, "Event"))
            .ok_or_else(|| {
                Problem::bad_request(format!(
                    "Custom property {name:?} is not defined for events."
                ))
            })?;
        if !value.is_null() && !fits(def, value) {
            return Err(Problem::bad_request(format!(
                "Custom property {name:?} expects {}.",
                def.data_type
            )));
        }
    }
    let event = tenant
        .event_mut(&event)
        .ok_or_else(|| Problem::not_found("Unknown event."))?;
    if let Some(expected) = if_match
        && expected != "*"
        && expected != event.row_version
    {
        return Err(Problem::new(
            StatusCode::PRECONDITION_FAILED,
            "The event was changed by someone else; read it again.",
        ));
    }
    merge_properties(&mut event.custom_properties, body.custom_properties);
    event.row_version = version;
    Ok(Json(event.clone()).into_response())
}

/// Merges `changes` into `props`; a `null` value removes the property.
pub(crate) fn merge_properties(props: &mut Map<String, Value>, changes: Map<String, Value>) {
    for (name, value) in changes {
        if value.is_null() {
            props.remove(&name);
        } else {
            props.insert(name, value);
        }
    }
}

/// Sets state and properties of an event from the control endpoint (no validation), creating
/// the event if it does not exist.
pub(crate) fn control_set(
    state: &mut StreamboxyState,
    tenant: &str,
    event: &str,
    body: &Map<String, Value>,
) -> Result<Value, String> {
    let version = state.next_row_version();
    let tenant = state.tenant_mut(tenant).ok_or("unknown tenant")?;
    if tenant.event(event).is_none() {
        tenant.events.push(crate::streamboxy::model::Event {
            id: event.to_owned(),
            title: "Untitled event".to_owned(),
            state: "Planned".to_owned(),
            start_date_time_utc: None,
            end_date_time_utc: None,
            time_zone: None,
            custom_properties: Map::new(),
            row_version: String::new(),
        });
    }
    let record = tenant.event_mut(event).ok_or("unknown event")?;
    if let Some(new_state) = body.get("state").and_then(Value::as_str) {
        record.state = new_state.to_owned();
    }
    if let Some(title) = body.get("title").and_then(Value::as_str) {
        record.title = title.to_owned();
    }
    if let Some(Value::Object(props)) = body.get("customProperties") {
        merge_properties(&mut record.custom_properties, props.clone());
    }
    record.row_version = version;
    serde_json::to_value(&*record).map_err(|e| e.to_string())
}
