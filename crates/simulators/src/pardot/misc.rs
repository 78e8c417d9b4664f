//! The read-only Pardot objects: `account` (singleton), `custom-fields`, `folders`.

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, Uri};
use axum::response::IntoResponse;

use crate::http::query_pairs;
use crate::pardot::errors::PardotResult;
use crate::pardot::fields::{ObjectKind, parse_fields, render};
use crate::pardot::paging::Candidate;
use crate::pardot::query::QueryRules;
use crate::pardot::request::{
    Caller, PardotPort, QueryPlan, RecordId, param, run_query, run_read, with_unit,
};

const RANGES: QueryRules = QueryRules {
    equality: &[],
    ranges: &["id", "createdAt", "updatedAt"],
};

/// `GET /api/v5/objects/account?fields=…`: the cheapest connection check.
pub(crate) async fn account(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    uri: Uri,
) -> PardotResult {
    let params = query_pairs(&uri);
    let now = port.shared.clock.now();
    with_unit(&port.shared, &caller, |unit| {
        let sel = parse_fields(param(&params, "fields"), ObjectKind::Account, &[])?;
        let usage = unit.usage(now);
        let full = unit.account.to_wire(usage.max, usage.used);
        Ok(Json(render(&full, &sel, |_| None)).into_response())
    })
}

pub(crate) async fn query_custom_fields(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
) -> PardotResult {
    let plan = QueryPlan {
        kind: ObjectKind::CustomField,
        object: "custom-fields",
        path: "/api/v5/objects/custom-fields",
        rules: RANGES,
    };
    run_query(
        &port.shared,
        &caller,
        &headers,
        &uri,
        &plan,
        |unit| {
            unit.custom_fields
                .values()
                .map(|f| Candidate {
                    id: f.id,
                    created_at: f.created_at,
                    updated_at: f.updated_at,
                    is_deleted: false,
                    written_at: None,
                    keys: Vec::new(),
                })
                .collect()
        },
        |unit, id, sel| {
            unit.custom_fields
                .get(&id)
                .map(|f| render(&f.to_wire(unit.offset), sel, |_| None))
        },
    )
}

pub(crate) async fn read_custom_field(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
    uri: Uri,
) -> PardotResult {
    run_read(
        &port.shared,
        &caller,
        &uri,
        ObjectKind::CustomField,
        |unit| unit.custom_fields.get(&id).map(|_| false),
        |unit, sel| {
            unit.custom_fields
                .get(&id)
                .map(|f| render(&f.to_wire(unit.offset), sel, |_| None))
        },
    )
}

pub(crate) async fn query_folders(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    uri: Uri,
) -> PardotResult {
    let plan = QueryPlan {
        kind: ObjectKind::Folder,
        object: "folders",
        path: "/api/v5/objects/folders",
        rules: RANGES,
    };
    run_query(
        &port.shared,
        &caller,
        &headers,
        &uri,
        &plan,
        |unit| {
            unit.folders
                .values()
                .map(|f| Candidate {
                    id: f.id,
                    created_at: f.created_at,
                    updated_at: f.updated_at,
                    is_deleted: false,
                    written_at: None,
                    keys: Vec::new(),
                })
                .collect()
        },
        |unit, id, sel| {
            unit.folders
                .get(&id)
                .map(|f| render(&f.to_wire(unit.offset, unit.folder_path(id)), sel, |_| None))
        },
    )
}

pub(crate) async fn read_folder(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    RecordId(id): RecordId,
    uri: Uri,
) -> PardotResult {
    run_read(
        &port.shared,
        &caller,
        &uri,
        ObjectKind::Folder,
        |unit| unit.folders.get(&id).map(|_| false),
        |unit, sel| {
            unit.folders
                .get(&id)
                .map(|f| render(&f.to_wire(unit.offset, unit.folder_path(id)), sel, |_| None))
        },
    )
}
