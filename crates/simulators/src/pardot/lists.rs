//! `/api/v5/objects/lists`: query, read, create, update, delete (archive).

use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use serde_json::{Map, Value};

use crate::pardot::errors::{PardotError, PardotResult};
use crate::pardot::fields::{FieldSelection, ObjectKind, render};
use crate::pardot::model::List;
use crate::pardot::paging::Candidate;
use crate::pardot::query::QueryRules;
use crate::pardot::request::{
    Caller, PardotPort, QueryPlan, RecordId, created, json_body, optional_fields, run_query,
    run_read, self_url, updated, with_unit,
};
use crate::pardot::state::{BusinessUnit, next_id};

const PATH: &str = "/api/v5/objects/lists";
const DEFAULT_FIELDS: [&str; 3] = ["id", "name", "folderId"];
const WRITABLE: [&str; 5] = ["name", "title", "description", "isPublic", "folderId"];

/// A list rendered with the requested fields (and `folder.*`).
pub(crate) fn render_list(unit: &BusinessUnit, list: &List, sel: &FieldSelection) -> Value {
    render(&list.to_wire(unit.offset), sel, |relation| match relation {
        "folder" => list
            .folder_id
            .and_then(|id| unit.folders.get(&id))
            .map(|f| f.to_wire(unit.offset, unit.folder_path(f.id))),
        _ => None,
    })
}

pub(crate) async fn query(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
) -> PardotResult {
    let plan = QueryPlan {
        kind: ObjectKind::List,
        object: "lists",
        path: PATH,
        rules: QueryRules {
            equality: &[],
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
            unit.lists
                .values()
                .map(|l| Candidate {
                    id: l.id,
                    created_at: l.created_at,
                    updated_at: l.updated_at,
                    is_deleted: l.is_deleted,
                    written_at: l.written_at,
                    keys: Vec::new(),
                })
                .collect()
        },
        |unit, id, sel| unit.lists.get(&id).map(|l| render_list(unit, l, sel)),
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
        ObjectKind::List,
        |unit| unit.lists.get(&id).map(|l| l.is_deleted),
        |unit, sel| unit.lists.get(&id).map(|l| render_list(unit, l, sel)),
    )
}

/// Applies writable keys of a create or update body; read-only keys → 180, unknown → 154.
fn apply(list: &mut List, body: &Map<String, Value>) -> Result<(), PardotError> {
    for (key, value) in body {
        let bad = || PardotError::invalid_property(format!("{key}. Wrong type"));
        match key.as_str() {
            "name" => {
                let name = value
                    .as_str()
                    .filter(|n| !n.trim().is_empty())
                    .ok_or_else(bad)?;
                list.name = name.to_owned();
            }
            "title" => list.title = value.as_str().map(str::to_owned),
            "description" => list.description = value.as_str().map(str::to_owned),
            "isPublic" => list.is_public = value.as_bool().ok_or_else(bad)?,
            "folderId" => list.folder_id = value.as_i64(),
            k if WRITABLE.contains(&k) => {}
            "id" | "isDynamic" | "isDeleted" | "createdAt" | "updatedAt" | "createdById"
            | "updatedById" | "campaignId" => return Err(PardotError::not_writable(key)),
            _ => return Err(PardotError::invalid_property(key)),
        }
    }
    Ok(())
}

pub(crate) async fn create(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> PardotResult {
    let body = json_body(&headers, &body)?;
    if !body.contains_key("name") {
        return Err(PardotError::missing_property("name"));
    }
    let now = port.shared.clock.now();
    with_unit(&port.shared, &caller, |unit| {
        let sel = optional_fields(&uri, ObjectKind::List, unit, &DEFAULT_FIELDS)?;
        let mut list = List {
            id: next_id(&unit.lists, 1),
            name: String::new(),
            title: None,
            description: None,
            folder_id: None,
            is_dynamic: false,
            is_public: false,
            is_deleted: false,
            created_at: now,
            updated_at: now,
            written_at: Some(now),
        };
        apply(&mut list, &body)?;
        let id = list.id;
        let rendered = sel.map(|sel| render_list(unit, &list, &sel));
        unit.lists.insert(id, list);
        tracing::debug!(bu = %unit.id, list = id, "list created");
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
        let sel = optional_fields(&uri, ObjectKind::List, unit, &[])?;
        let mut list = unit
            .lists
            .get(&id)
            .cloned()
            .ok_or_else(PardotError::not_found)?;
        if list.is_deleted {
            return Err(PardotError::deleted_record());
        }
        if list.is_dynamic {
            return Err(PardotError::not_writable("isDynamic list"));
        }
        apply(&mut list, &body)?;
        list.updated_at = now;
        list.written_at = Some(now);
        let rendered = sel.map(|sel| render_list(unit, &list, &sel));
        unit.lists.insert(id, list);
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
        let list = unit
            .lists
            .get_mut(&id)
            .filter(|l| !l.is_deleted)
            .ok_or_else(PardotError::not_found)?;
        list.is_deleted = true;
        list.updated_at = now;
        list.written_at = Some(now);
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}
