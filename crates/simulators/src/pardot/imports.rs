//! `/api/v5/imports` (pardot-api.md §4.9; the real paths are unverified): bulk prospect
//! updates from a CSV. `POST /imports` takes a multipart body with a JSON `input` part
//! (`operation: "Upsert"`, `object: "Prospect"`, optional `status: "Ready"`) and an optional
//! CSV part (`file`, or `files` as some error texts name it); a JSON body creates an empty
//! `Open` job. `POST /imports/{id}/batches` adds CSV while the job is open; `PATCH
//! /imports/{id}` `{"status":"Ready"}` starts it; `GET /imports/{id}?fields=` reads it.
//!
//! The CSV's first column is `matchId` (an existing prospect's id); every other header must be
//! a writable prospect field. A ready job is applied at once and reads back `Complete` with
//! `updatedCount` and `errorCount` (unknown or recycled prospects, short rows); nothing is
//! ever created. Real Pardot takes minutes; clients must poll either way.

mod wire;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::http::query_pairs;
use crate::pardot::errors::{PardotError, PardotResult};
use crate::pardot::fields::{PROSPECT, PROSPECT_READ_ONLY};
use crate::pardot::model::render_time;
use crate::pardot::request::{Caller, PardotPort, RecordId, created, json_body, param, with_unit};
use crate::pardot::state::BusinessUnit;
use crate::sync::lock;

use wire::{Part, csv_rows, multipart_parts};

const PATH: &str = "/api/v5/imports";
/// The column that names the prospect a row updates.
const MATCH_ID: &str = "matchId";
/// Fields an import read may ask for.
const FIELDS: &[&str] = &[
    "id",
    "status",
    "createdCount",
    "updatedCount",
    "errorCount",
    "errorRef",
    "isExpired",
    "createdAt",
    "updatedAt",
];

/// The import jobs of one listener, by business unit and id.
#[derive(Debug, Default)]
pub(crate) struct ImportStore {
    jobs: Mutex<BTreeMap<(String, i64), Job>>,
}

impl ImportStore {
    pub(crate) fn new() -> Arc<Self> {
        Arc::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Open,
    Complete,
}

#[derive(Debug)]
struct Job {
    id: i64,
    status: Status,
    header: Option<Vec<String>>,
    rows: Vec<Vec<String>>,
    updated: u64,
    errors: u64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl Job {
    fn render(&self, unit: &BusinessUnit, fields: &[&str]) -> Value {
        let status = match self.status {
            Status::Open => "Open",
            Status::Complete => "Complete",
        };
        let complete = self.status == Status::Complete;
        let error_ref = (complete && self.errors > 0).then(|| format!("{PATH}/{}/errors", self.id));
        let full = json!({
            "id": self.id,
            "status": status,
            "createdCount": if complete { json!(0) } else { Value::Null },
            "updatedCount": if complete { json!(self.updated) } else { Value::Null },
            "errorCount": if complete { json!(self.errors) } else { Value::Null },
            "errorRef": error_ref,
            "isExpired": false,
            "createdAt": render_time(self.created_at, unit.offset),
            "updatedAt": render_time(self.updated_at, unit.offset),
        });
        let mut out = Map::new();
        for field in fields {
            out.insert((*field).to_owned(), full[*field].clone());
        }
        Value::Object(out)
    }

    /// Adds CSV rows; the first upload fixes the header, later ones must repeat it.
    fn add_csv(&mut self, unit: &BusinessUnit, text: &str) -> Result<(), PardotError> {
        let mut rows = csv_rows(text).into_iter();
        let Some(header) = rows.next() else {
            return Ok(());
        };
        check_header(unit, &header)?;
        if self.header.as_ref().is_some_and(|h| *h != header) {
            return Err(PardotError::invalid_property(
                "file. Every batch must have the same header row",
            ));
        }
        self.header = Some(header);
        self.rows.extend(rows);
        Ok(())
    }

    /// Applies every row to the unit's prospects and completes the job.
    fn apply(&mut self, unit: &mut BusinessUnit, now: DateTime<Utc>) {
        let header = self.header.clone().unwrap_or_default();
        for row in std::mem::take(&mut self.rows) {
            let prospect = row
                .first()
                .and_then(|id| id.trim().parse::<i64>().ok())
                .and_then(|id| unit.prospects.get_mut(&id))
                .filter(|p| !p.is_deleted);
            match prospect {
                Some(prospect) if row.len() == header.len() => {
                    for (name, value) in header.iter().zip(&row).skip(1) {
                        let value = if value.is_empty() {
                            Value::Null
                        } else {
                            Value::String(value.clone())
                        };
                        prospect.fields.insert(name.clone(), value);
                    }
                    prospect.updated_at = now;
                    prospect.written_at = Some(now);
                    self.updated += 1;
                }
                _ => self.errors += 1,
            }
        }
        self.status = Status::Complete;
        self.updated_at = now;
    }
}

/// `matchId` first, then writable prospect fields, each once.
fn check_header(unit: &BusinessUnit, header: &[String]) -> Result<(), PardotError> {
    if header.first().map(String::as_str) != Some(MATCH_ID) {
        return Err(PardotError::invalid_property(format!(
            "file. The first column must be {MATCH_ID}"
        )));
    }
    let custom = unit.custom_field_keys();
    for (i, name) in header.iter().enumerate().skip(1) {
        let known = PROSPECT.contains(&name.as_str()) || custom.iter().any(|c| c == name);
        if !known || PROSPECT_READ_ONLY.contains(&name.as_str()) || header[..i].contains(name) {
            return Err(PardotError::invalid_property(name));
        }
    }
    Ok(())
}

/// Reads the `input` settings; only prospect upserts are simulated.
fn check_input(input: &Map<String, Value>) -> Result<bool, PardotError> {
    match input.get("operation").and_then(Value::as_str) {
        Some(op) if op.eq_ignore_ascii_case("upsert") => {}
        Some(_) => return Err(PardotError::invalid_property("operation")),
        None => return Err(PardotError::missing_property("operation")),
    }
    match input.get("object").and_then(Value::as_str) {
        Some(object) if object.eq_ignore_ascii_case("prospect") => {}
        Some(_) => return Err(PardotError::invalid_property("object")),
        None => return Err(PardotError::missing_property("object")),
    }
    match input.get("status").and_then(Value::as_str) {
        None => Ok(false),
        Some(s) if s.eq_ignore_ascii_case("open") => Ok(false),
        Some(s) if s.eq_ignore_ascii_case("ready") => Ok(true),
        Some(_) => Err(PardotError::invalid_property("status")),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.to_ascii_lowercase().contains("json"))
}

/// `POST /api/v5/imports`.
pub(crate) async fn create(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    Extension(store): Extension<Arc<ImportStore>>,
    headers: HeaderMap,
    body: Bytes,
) -> PardotResult {
    let (input, csv) = if is_json(&headers) {
        (json_body(&headers, &body)?, None)
    } else {
        let parts = multipart_parts(&headers, &body)?;
        let input = parts
            .iter()
            .find(|p| p.name == "input")
            .ok_or_else(|| PardotError::missing_property("input"))?;
        let input = match serde_json::from_str(&input.content) {
            Ok(Value::Object(map)) => map,
            _ => return Err(PardotError::invalid_json()),
        };
        let csv = parts
            .into_iter()
            .find(|p| p.name == "file" || p.name == "files")
            .map(|Part { content, .. }| content);
        (input, csv)
    };
    let ready = check_input(&input)?;
    let now = port.shared.clock.now();

    let mut jobs = lock(&store.jobs);
    let id = jobs.keys().map(|(_, id)| *id).max().unwrap_or(0) + 1;
    let rendered = with_unit(&port.shared, &caller, |unit| {
        let mut job = Job {
            id,
            status: Status::Open,
            header: None,
            rows: Vec::new(),
            updated: 0,
            errors: 0,
            created_at: now,
            updated_at: now,
        };
        if let Some(csv) = &csv {
            job.add_csv(unit, csv)?;
        }
        if ready {
            job.apply(unit, now);
        }
        let rendered = job.render(unit, FIELDS);
        jobs.insert((caller.bu.clone(), id), job);
        Ok(rendered)
    })?;
    Ok(created(format!("{PATH}/{id}"), Some(rendered)))
}

/// `POST /api/v5/imports/{id}/batches`: more CSV for an open job.
pub(crate) async fn add_batch(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    Extension(store): Extension<Arc<ImportStore>>,
    RecordId(id): RecordId,
    headers: HeaderMap,
    body: Bytes,
) -> PardotResult {
    let parts = multipart_parts(&headers, &body)?;
    let csv = parts
        .into_iter()
        .find(|p| p.name == "file" || p.name == "files")
        .ok_or_else(|| PardotError::missing_property("file"))?;

    let mut jobs = lock(&store.jobs);
    let job = open_job(&mut jobs, &caller, id)?;
    with_unit(&port.shared, &caller, |unit| {
        job.add_csv(unit, &csv.content)
    })?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

/// `PATCH /api/v5/imports/{id}` `{"status":"Ready"}`: starts an open job.
pub(crate) async fn update(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    Extension(store): Extension<Arc<ImportStore>>,
    RecordId(id): RecordId,
    headers: HeaderMap,
    body: Bytes,
) -> PardotResult {
    let body = json_body(&headers, &body)?;
    let ready = body
        .get("status")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("ready"));
    if !ready || body.len() != 1 {
        return Err(PardotError::invalid_property("status"));
    }
    let now = port.shared.clock.now();

    let mut jobs = lock(&store.jobs);
    let job = open_job(&mut jobs, &caller, id)?;
    let rendered = with_unit(&port.shared, &caller, |unit| {
        job.apply(unit, now);
        Ok(job.render(unit, FIELDS))
    })?;
    Ok(Json(rendered).into_response())
}

/// `GET /api/v5/imports/{id}?fields=…`.
pub(crate) async fn read(
    State(port): State<PardotPort>,
    Extension(caller): Extension<Caller>,
    Extension(store): Extension<Arc<ImportStore>>,
    RecordId(id): RecordId,
    uri: Uri,
) -> PardotResult {
    let params = query_pairs(&uri);
    let raw = param(&params, "fields")
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(PardotError::missing_fields)?;
    let mut fields = Vec::new();
    for name in raw.split(',').map(str::trim) {
        let known = FIELDS
            .iter()
            .find(|f| **f == name)
            .ok_or_else(|| PardotError::unknown_field(name))?;
        fields.push(*known);
    }

    let jobs = lock(&store.jobs);
    let job = jobs
        .get(&(caller.bu.clone(), id))
        .ok_or_else(PardotError::not_found)?;
    let rendered = with_unit(&port.shared, &caller, |unit| Ok(job.render(unit, &fields)))?;
    Ok(Json(rendered).into_response())
}

fn open_job<'a>(
    jobs: &'a mut BTreeMap<(String, i64), Job>,
    caller: &Caller,
    id: i64,
) -> Result<&'a mut Job, PardotError> {
    let job = jobs
        .get_mut(&(caller.bu.clone(), id))
        .ok_or_else(PardotError::not_found)?;
    if job.status != Status::Open {
        return Err(PardotError::invalid_property(
            "status. The import is no longer open",
        ));
    }
    Ok(job)
}
