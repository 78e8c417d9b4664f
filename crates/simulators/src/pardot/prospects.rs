//! `/api/v5/objects/prospects`: query (with the `email` filter), read, create, PATCH of
//! single fields (the link write-back), delete to the recycle bin and undelete.

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::{Map, Value};

use crate::pardot::errors::{PardotError, PardotResult};
use crate::pardot::fields::{ObjectKind, PROSPECT, PROSPECT_READ_ONLY, render};
use crate::pardot::model::Prospect;
use crate::pardot::paging::Candidate;
use crate::pardot::query::{FilterValue, QueryRules};
use crate::pardot::request::{
    Caller, PardotPort, QueryPlan, RecordId, created, json_body, optional_fields, run_query,
    run_read, self_url, updated, with_unit,
};
use crate::pardot::state::{BusinessUnit, next_id};

const PATH: &str = "/api/v5/objects/prospects";
const DEFAULT_FIELDS: [&str; 4] = ["id", "email", "firstName", "lastName"];

pub(crate) async fn query(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
) -> PardotResult {
    let plan = QueryPlan {
        kind: ObjectKind::Prospect,
        object: "prospects",
        path: PATH,
        rules: QueryRules {
            equality: &["email"],
            ranges: &["id", "createdAt", "updatedAt"],
        },
    };
    run_query(
        &port.shared,
        &caller,
        &headers,
        &uri,
        &plan,
        |unit| {
            unit.prospects
                .values()
                .map(|p| Candidate {
                    id: p.id,
                    created_at: p.created_at,
                    updated_at: p.updated_at,
                    is_deleted: p.is_deleted,
                    written_at: p.written_at,
                    keys: vec![(
                        "email",
                        FilterValue::Text(p.email().unwrap_or_default().to_owned()),
                    )],
                })
                .collect()
        },
        |unit, id, sel| {
            unit.prospects
                .get(&id)
                .map(|p| render(&p.to_wire(unit.offset), sel, |_| None))
        },
    )
}

pub(crate) async fn read(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
    uri: Uri,
) -> PardotResult {
    run_read(
        &port.shared,
        &caller,
        &uri,
        ObjectKind::Prospect,
        |unit| unit.prospects.get(&id).map(|p| p.is_deleted),
        |unit, sel| {
            unit.prospects
                .get(&id)
                .map(|p| render(&p.to_wire(unit.offset), sel, |_| None))
        },
    )
}

/// Checks every key of a create/PATCH body: read-only → 180, unknown → 154, and that values
/// are scalars (multi-value fields are not simulated).
fn check_body(unit: &BusinessUnit, body: &Map<String, Value>) -> Result<(), PardotError> {
    let custom = unit.custom_field_keys();
    for (key, value) in body {
        if PROSPECT_READ_ONLY.contains(&key.as_str()) {
            return Err(PardotError::not_writable(key));
        }
        if !PROSPECT.contains(&key.as_str()) && !custom.iter().any(|c| c == key) {
            return Err(PardotError::invalid_property(key));
        }
        if value.is_object() || value.is_array() {
            return Err(PardotError::invalid_property(format!(
                "{key}. Expected a single value"
            )));
        }
    }
    if let Some(email) = body.get("email") {
        let email = email.as_str().ok_or_else(PardotError::invalid_email)?;
        if !valid_email(email) {
            return Err(PardotError::invalid_email());
        }
    }
    Ok(())
}

/// Pardot's e-mail rule (api-docs #79): ≤255 chars, `^[^ @]{1,64}@[^ @]{1,255}\.[^ @]{2,13}$`.
fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let Some((host, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    let clean = |s: &str| !s.contains([' ', '@']);
    email.len() <= 255
        && (1..=64).contains(&local.chars().count())
        && (1..=255).contains(&host.chars().count())
        && (2..=13).contains(&tld.chars().count())
        && clean(local)
        && clean(host)
        && clean(tld)
}

pub(crate) async fn create(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> PardotResult {
    let body = json_body(&headers, &body)?;
    if body.get("email").is_none_or(Value::is_null) {
        return Err(PardotError::missing_property("email"));
    }
    let now = port.shared.clock.now();
    with_unit(&port.shared, &caller, |unit| {
        let sel = optional_fields(&uri, ObjectKind::Prospect, unit, &DEFAULT_FIELDS)?;
        check_body(unit, &body)?;
        let prospect = Prospect {
            id: next_id(&unit.prospects, 1),
            is_deleted: false,
            created_at: now,
            updated_at: now,
            fields: body.into_iter().collect(),
            written_at: Some(now),
        };
        let id = prospect.id;
        let rendered = sel.map(|sel| render(&prospect.to_wire(unit.offset), &sel, |_| None));
        unit.prospects.insert(id, prospect);
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
    let now = port.shared.clock.now();
    with_unit(&port.shared, &caller, |unit| {
        let sel = optional_fields(&uri, ObjectKind::Prospect, unit, &[])?;
        check_body(unit, &body)?;
        let offset = unit.offset;
        let prospect = unit
            .prospects
            .get_mut(&id)
            .ok_or_else(PardotError::not_found)?;
        if prospect.is_deleted {
            return Err(PardotError::deleted_record());
        }
        prospect.fields.extend(body);
        prospect.updated_at = now;
        prospect.written_at = Some(now);
        let rendered = sel.map(|sel| render(&prospect.to_wire(offset), &sel, |_| None));
        Ok(updated(rendered))
    })
}

pub(crate) async fn delete(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
) -> PardotResult {
    set_deleted(&port, &caller, id, true)
}

pub(crate) async fn undelete(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
) -> PardotResult {
    set_deleted(&port, &caller, id, false)
}

/// Moves a prospect into (or out of) the recycle bin; the wrong starting state is a 404.
fn set_deleted(port: &PardotPort, caller: &Caller, id: i64, deleted: bool) -> PardotResult {
    let now = port.shared.clock.now();
    with_unit(&port.shared, caller, |unit| {
        let prospect = unit
            .prospects
            .get_mut(&id)
            .filter(|p| p.is_deleted != deleted)
            .ok_or_else(PardotError::not_found)?;
        prospect.is_deleted = deleted;
        prospect.updated_at = now;
        prospect.written_at = Some(now);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

#[cfg(test)]
mod tests {
    use super::valid_email;

    #[test]
    fn email_rule_matches_pardot() {
        assert!(valid_email("a.b@example.com"));
        assert!(!valid_email("a b@example.com"));
        assert!(!valid_email("ab@example"));
        assert!(!valid_email("ab@example.c"));
        assert!(!valid_email(" ab@example.com"));
    }
}
