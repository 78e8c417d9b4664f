//! `/api/v5/objects/list-memberships`: query (with nested `prospect.*` and `list.*`), read,
//! create, opt-out update, delete (archive).
//!
//! Assumption (documented in the README): creating a membership whose only row for the same
//! list and prospect is archived reactivates that row (same id, `isDeleted` false, `updatedAt`
//! now) and answers 201; an active row answers code 58.

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::{Map, Value};

use crate::pardot::errors::{PardotError, PardotResult};
use crate::pardot::fields::{FieldSelection, ObjectKind, render};
use crate::pardot::model::Membership;
use crate::pardot::paging::Candidate;
use crate::pardot::query::{FilterValue, QueryRules};
use crate::pardot::request::{
    Caller, PardotPort, QueryPlan, RecordId, created, json_body, optional_fields, run_query,
    run_read, self_url, updated, with_unit,
};
use crate::pardot::state::{BusinessUnit, next_id};

const PATH: &str = "/api/v5/objects/list-memberships";
const DEFAULT_FIELDS: [&str; 4] = ["id", "listId", "prospectId", "optedOut"];

/// A membership with the requested fields; the nested prospect is `null` when it is not
/// readable (missing, or in the recycle bin unless configured otherwise).
fn render_membership(
    unit: &BusinessUnit,
    membership: &Membership,
    sel: &FieldSelection,
    nest_deleted: bool,
) -> Value {
    render(
        &membership.to_wire(unit.offset),
        sel,
        |relation| match relation {
            "prospect" => unit
                .prospects
                .get(&membership.prospect_id)
                .filter(|p| nest_deleted || !p.is_deleted)
                .map(|p| p.to_wire(unit.offset)),
            "list" => unit
                .lists
                .get(&membership.list_id)
                .map(|l| l.to_wire(unit.offset)),
            _ => None,
        },
    )
}

pub(crate) async fn query(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
) -> PardotResult {
    let plan = QueryPlan {
        kind: ObjectKind::Membership,
        object: "list-memberships",
        path: PATH,
        rules: QueryRules {
            equality: &["listId", "prospectId"],
            ranges: &["id", "createdAt", "updatedAt"],
        },
    };
    let nest_deleted = port.shared.pardot_options.nest_deleted_prospects;
    run_query(
        &port.shared,
        &caller,
        &headers,
        &uri,
        &plan,
        |unit| {
            unit.memberships
                .values()
                .map(|m| Candidate {
                    id: m.id,
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                    is_deleted: m.is_deleted,
                    written_at: m.written_at,
                    keys: vec![
                        ("listId", FilterValue::Int(m.list_id)),
                        ("prospectId", FilterValue::Int(m.prospect_id)),
                    ],
                })
                .collect()
        },
        |unit, id, sel| {
            unit.memberships
                .get(&id)
                .map(|m| render_membership(unit, m, sel, nest_deleted))
        },
    )
}

pub(crate) async fn read(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
    uri: Uri,
) -> PardotResult {
    let nest_deleted = port.shared.pardot_options.nest_deleted_prospects;
    run_read(
        &port.shared,
        &caller,
        &uri,
        ObjectKind::Membership,
        |unit| unit.memberships.get(&id).map(|m| m.is_deleted),
        |unit, sel| {
            unit.memberships
                .get(&id)
                .map(|m| render_membership(unit, m, sel, nest_deleted))
        },
    )
}

/// An integer property of a body, required.
fn required_id(body: &Map<String, Value>, key: &str) -> Result<i64, PardotError> {
    match body.get(key) {
        None | Some(Value::Null) => Err(PardotError::missing_property(key)),
        Some(value) => value
            .as_i64()
            .ok_or_else(|| PardotError::invalid_property(format!("{key}. Expected an integer"))),
    }
}

fn check_keys(body: &Map<String, Value>, writable: &[&str]) -> Result<(), PardotError> {
    for key in body.keys() {
        if writable.contains(&key.as_str()) {
            continue;
        }
        return Err(match key.as_str() {
            "id" | "isDeleted" | "createdAt" | "updatedAt" | "createdById" | "updatedById" => {
                PardotError::not_writable(key)
            }
            _ => PardotError::invalid_property(key),
        });
    }
    Ok(())
}

fn opted_out(body: &Map<String, Value>) -> Result<Option<bool>, PardotError> {
    match body.get("optedOut") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_bool()
            .map(Some)
            .ok_or_else(|| PardotError::invalid_property("optedOut. Expected a boolean")),
    }
}

pub(crate) async fn create(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> PardotResult {
    let body = json_body(&headers, &body)?;
    check_keys(&body, &["listId", "prospectId", "optedOut"])?;
    let list_id = required_id(&body, "listId")?;
    let prospect_id = required_id(&body, "prospectId")?;
    let opted = opted_out(&body)?;
    let now = port.shared.clock.now();
    let nest_deleted = port.shared.pardot_options.nest_deleted_prospects;

    with_unit(&port.shared, &caller, |unit| {
        let sel = optional_fields(&uri, ObjectKind::Membership, unit, &DEFAULT_FIELDS)?;
        let list = unit
            .lists
            .get(&list_id)
            .filter(|l| !l.is_deleted)
            .ok_or_else(PardotError::not_found)?;
        if list.is_dynamic {
            return Err(PardotError::not_writable("listId (dynamic list)"));
        }
        let prospect = unit
            .prospects
            .get(&prospect_id)
            .ok_or_else(PardotError::not_found)?;
        if prospect.is_deleted {
            return Err(PardotError::deleted_record());
        }

        // One row per (list, prospect): active → 58, archived → reactivated, none → new.
        let existing = unit
            .memberships
            .values()
            .filter(|m| m.list_id == list_id && m.prospect_id == prospect_id)
            .map(|m| (m.id, m.is_deleted))
            .collect::<Vec<_>>();
        if existing.iter().any(|(_, deleted)| !deleted) {
            return Err(PardotError::already_member());
        }
        let membership = match existing.first() {
            Some((id, _)) => {
                let mut row = unit.memberships[id].clone();
                row.is_deleted = false;
                row.opted_out = opted.unwrap_or(false);
                row.updated_at = now;
                row.written_at = Some(now);
                row
            }
            None => Membership {
                id: next_id(&unit.memberships, 1),
                list_id,
                prospect_id,
                opted_out: opted.unwrap_or(false),
                is_deleted: false,
                created_at: now,
                updated_at: now,
                written_at: Some(now),
            },
        };
        let id = membership.id;
        let rendered = sel.map(|sel| render_membership(unit, &membership, &sel, nest_deleted));
        unit.memberships.insert(id, membership);
        Ok(created(
            format!("{}/{id}", self_url(&headers, PATH)),
            rendered,
        ))
    })
}

pub(crate) async fn update(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> PardotResult {
    let body = json_body(&headers, &body)?;
    check_keys(&body, &["optedOut"])?;
    let opted = opted_out(&body)?;
    let now = port.shared.clock.now();
    let nest_deleted = port.shared.pardot_options.nest_deleted_prospects;
    with_unit(&port.shared, &caller, |unit| {
        let sel = optional_fields(&uri, ObjectKind::Membership, unit, &[])?;
        let mut row = unit
            .memberships
            .get(&id)
            .cloned()
            .ok_or_else(PardotError::not_found)?;
        if row.is_deleted {
            return Err(PardotError::deleted_record());
        }
        if let Some(opted) = opted {
            row.opted_out = opted;
        }
        row.updated_at = now;
        row.written_at = Some(now);
        let rendered = sel.map(|sel| render_membership(unit, &row, &sel, nest_deleted));
        unit.memberships.insert(id, row);
        Ok(updated(rendered))
    })
}

pub(crate) async fn delete(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
) -> PardotResult {
    let now = port.shared.clock.now();
    with_unit(&port.shared, &caller, |unit| {
        let row = unit
            .memberships
            .get_mut(&id)
            .filter(|m| !m.is_deleted)
            .ok_or_else(PardotError::not_found)?;
        row.is_deleted = true;
        row.updated_at = now;
        row.written_at = Some(now);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}
