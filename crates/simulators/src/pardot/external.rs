//! `/api/v5/external-activities` (no `objects/` in the path): create, read, query.
//!
//! Error codes here are our choice where the reference has none: an unknown or inactive
//! extension or type, or a `value` over 100 characters → 400 code 154 naming the property;
//! an e-mail without a prospect → 400 code 4. The query filters on `createdAt*` (documented)
//! and `id*`, `prospectId` (assumed), and is subject to the configured read lag.

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, Uri};
use serde_json::Value;

use crate::pardot::errors::{PardotError, PardotResult};
use crate::pardot::fields::{ObjectKind, render};
use crate::pardot::model::ExternalActivity;
use crate::pardot::paging::Candidate;
use crate::pardot::query::{QueryRules, parse_time};
use crate::pardot::request::{
    Caller, PardotPort, QueryPlan, RecordId, created, json_body, optional_fields, run_query,
    run_read, self_url, with_unit,
};
use crate::pardot::state::next_id;

const PATH: &str = "/api/v5/external-activities";
const DEFAULT_FIELDS: [&str; 5] = ["id", "extension", "type", "value", "prospectId"];

fn text<'a>(body: &'a serde_json::Map<String, Value>, key: &str) -> Result<&'a str, PardotError> {
    match body.get(key) {
        None | Some(Value::Null) => Err(PardotError::missing_property(key)),
        Some(v) => v
            .as_str()
            .ok_or_else(|| PardotError::invalid_property(format!("{key}. Expected a string"))),
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
    for key in body.keys() {
        if !["extension", "type", "email", "value", "activityDate"].contains(&key.as_str()) {
            return Err(PardotError::invalid_property(key));
        }
    }
    let extension = text(&body, "extension")?;
    let activity_type = text(&body, "type")?;
    let email = text(&body, "email")?;
    let value = text(&body, "value")?;
    if value.chars().count() > 100 {
        return Err(PardotError::invalid_property(
            "value. At most 100 characters",
        ));
    }
    let now = port.shared.clock.now();
    let activity_date = match body.get("activityDate").and_then(Value::as_str) {
        Some(raw) => parse_time("activityDate", raw)?,
        None => now,
    };

    with_unit(&port.shared, &caller, |unit| {
        let sel = optional_fields(&uri, ObjectKind::ExternalActivity, unit, &DEFAULT_FIELDS)?;
        if !unit
            .activity_types
            .iter()
            .any(|t| t.is_active && t.extension == extension)
        {
            return Err(PardotError::invalid_property(format!(
                "extension. No active extension {extension:?} is assigned to this business unit"
            )));
        }
        if !unit
            .activity_types
            .iter()
            .any(|t| t.is_active && t.extension == extension && t.activity_type == activity_type)
        {
            return Err(PardotError::invalid_property(format!(
                "type. No active activity type {activity_type:?} under {extension:?}"
            )));
        }

        // Pardot picks the most recently active prospect with that e-mail.
        let wanted = email.trim();
        let prospect = unit
            .prospects
            .values()
            .filter(|p| !p.is_deleted)
            .filter(|p| {
                p.email()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(wanted))
            })
            .max_by_key(|p| (p.updated_at, p.id))
            .ok_or_else(PardotError::invalid_email)?;
        let activity = ExternalActivity {
            id: next_id(&unit.activities, 1),
            extension: extension.to_owned(),
            activity_type: activity_type.to_owned(),
            email: email.to_owned(),
            value: value.to_owned(),
            prospect_id: prospect.id,
            activity_date,
            created_at: now,
        };
        let id = activity.id;
        let rendered = sel.map(|sel| render(&activity.to_wire(unit.offset), &sel, |_| None));
        unit.activities.insert(id, activity);
        Ok(created(
            format!("{}/{id}", self_url(&headers, PATH)),
            rendered,
        ))
    })
}

pub(crate) async fn query(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
) -> PardotResult {
    let plan = QueryPlan {
        kind: ObjectKind::ExternalActivity,
        object: "external-activities",
        path: PATH,
        rules: QueryRules {
            equality: &["prospectId"],
            ranges: &["id", "createdAt"],
        },
    };
    run_query(
        &port.shared,
        &caller,
        &headers,
        &uri,
        &plan,
        |unit| {
            unit.activities
                .values()
                .map(|a| Candidate {
                    id: a.id,
                    created_at: a.created_at,
                    updated_at: a.created_at,
                    is_deleted: false,
                    // A fresh activity is hidden from queries for the read lag, as v5's
                    // cached reads hide fresh lists and memberships.
                    written_at: Some(a.created_at),
                    keys: vec![(
                        "prospectId",
                        crate::pardot::query::FilterValue::Int(a.prospect_id),
                    )],
                })
                .collect()
        },
        |unit, id, sel| {
            unit.activities
                .get(&id)
                .map(|a| render(&a.to_wire(unit.offset), sel, |_| None))
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
        ObjectKind::ExternalActivity,
        |unit| unit.activities.get(&id).map(|_| false),
        |unit, sel| {
            unit.activities
                .get(&id)
                .map(|a| render(&a.to_wire(unit.offset), sel, |_| None))
        },
    )
}
