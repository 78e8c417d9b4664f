//! The contract-v0 routes of the fake, over its in-memory state.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{FakeState, Shared};

pub(super) fn routes() -> Router<Shared> {
    let t = "/tenant/{tenant}";
    Router::new()
        .route(&format!("{t}/Event"), get(list_events))
        .route(
            &format!("{t}/Event/{{event}}"),
            get(get_event).patch(patch_event),
        )
        .route(&format!("{t}/CustomPropertyDefinition"), get(definitions))
        .route(&format!("{t}/User"), get(find_users).post(create_user))
        .route(&format!("{t}/Event/{{event}}/User"), get(granted_users))
        .route(
            &format!("{t}/Event/{{event}}/User/{{user}}"),
            put(grant).delete(revoke),
        )
        .route(&format!("{t}/User/{{user}}/AccessLink"), post(access_link))
        .route(&format!("{t}/Event/{{event}}/Attendance"), get(attendance))
}

pub(super) fn problem(
    status: StatusCode,
    title: &str,
    detail: &str,
    extra: Option<(&str, &str)>,
) -> Response {
    let mut body = json!({
        "type": "about:blank", "title": title, "status": status.as_u16(),
        "detail": detail, "traceId": "00-fake-00"
    });
    if let Some((key, value)) = extra {
        body[key] = json!(value);
    }
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(
        "content-type",
        "application/problem+json".parse().expect("static header"),
    );
    response
}

#[derive(Deserialize)]
struct Paging {
    take: Option<usize>,
    skip: Option<usize>,
    email: Option<String>,
    target: Option<String>,
}

fn page(state: &FakeState, items: Vec<Value>, query: &Paging) -> Response {
    let take = query.take.unwrap_or(100);
    if take > 100 {
        return problem(
            StatusCode::BAD_REQUEST,
            "Bad Request",
            "take must be ≤ 100",
            None,
        );
    }

    let result: Vec<Value> = items
        .iter()
        .skip(query.skip.unwrap_or(0))
        .take(take.min(state.max_take))
        .cloned()
        .collect();
    let body = if state.omit_count {
        json!({ "result": result })
    } else {
        json!({ "count": items.len(), "result": result })
    };
    axum::Json(body).into_response()
}

async fn list_events(State(state): State<Shared>, Query(query): Query<Paging>) -> Response {
    let state = state.lock().expect("fake state lock");
    page(&state, state.events.clone(), &query)
}

fn find_event<'a>(state: &'a mut FakeState, id: &str) -> Option<&'a mut Value> {
    state.events.iter_mut().find(|event| event["id"] == id)
}

fn not_found() -> Response {
    problem(StatusCode::NOT_FOUND, "Not Found", "no such resource", None)
}

async fn get_event(
    State(state): State<Shared>,
    Path((_tenant, event)): Path<(String, String)>,
) -> Response {
    let mut state = state.lock().expect("fake state lock");
    find_event(&mut state, &event).map_or_else(not_found, |e| axum::Json(e.clone()).into_response())
}

async fn patch_event(
    State(state): State<Shared>,
    Path((_tenant, event)): Path<(String, String)>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let mut state = state.lock().expect("fake state lock");
    let Some(event) = find_event(&mut state, &event) else {
        return not_found();
    };

    let current = event["rowVersion"].as_str().unwrap_or_default().to_owned();
    if let Some(tag) = headers.get("if-match")
        && tag.to_str().ok() != Some(current.as_str())
    {
        return problem(
            StatusCode::PRECONDITION_FAILED,
            "Precondition Failed",
            "",
            None,
        );
    }

    let props = event["customProperties"]
        .as_object_mut()
        .expect("seeded as object");
    let patch: Map<String, Value> = body["customProperties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for (key, value) in patch {
        if value.is_null() {
            props.remove(&key);
        } else {
            props.insert(key, value);
        }
    }
    event["rowVersion"] = json!(format!("{current}+"));
    axum::Json(event.clone()).into_response()
}

async fn definitions(State(state): State<Shared>, Query(query): Query<Paging>) -> Response {
    let state = state.lock().expect("fake state lock");
    let wanted = query.target.clone().unwrap_or_default();
    let matching = state
        .definitions
        .iter()
        .filter(|def| def["target"] == wanted.as_str())
        .cloned()
        .collect();
    page(&state, matching, &query)
}

fn same_email(user: &Value, email: &str) -> bool {
    let stored = user["email"].as_str().unwrap_or_default();
    stored.trim().to_lowercase() == email.trim().to_lowercase()
}

async fn find_users(State(state): State<Shared>, Query(query): Query<Paging>) -> Response {
    let state = state.lock().expect("fake state lock");
    let email = query.email.clone().unwrap_or_default();
    let users = state
        .users
        .iter()
        .filter(|u| same_email(u, &email))
        .cloned()
        .collect();
    page(&state, users, &query)
}

async fn create_user(State(state): State<Shared>, axum::Json(body): axum::Json<Value>) -> Response {
    let mut state = state.lock().expect("fake state lock");
    let email = body["email"].as_str().unwrap_or_default().to_owned();

    if let Some(existing) = state.users.iter().find(|u| same_email(u, &email)) {
        let id = existing["id"].as_str().unwrap_or_default().to_owned();
        return problem(
            StatusCode::CONFLICT,
            "Conflict",
            "e-mail exists",
            Some(("existingId", &id)),
        );
    }

    let user = json!({
        "id": format!("u-{}", state.users.len() + 1), "email": email,
        "firstName": body["firstName"], "lastName": body["lastName"],
        "externalKey": body["externalKey"], "createdDateTimeUtc": "2026-11-28T10:00:00.000Z"
    });
    state.users.push(user.clone());
    (StatusCode::CREATED, axum::Json(user)).into_response()
}

async fn grant(
    State(state): State<Shared>,
    Path((_tenant, event, user)): Path<(String, String, String)>,
) -> StatusCode {
    let mut state = state.lock().expect("fake state lock");
    if state.grants.insert((event, user)) {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

async fn revoke(
    State(state): State<Shared>,
    Path((_tenant, event, user)): Path<(String, String, String)>,
) -> StatusCode {
    state
        .lock()
        .expect("fake state lock")
        .grants
        .remove(&(event, user));
    StatusCode::NO_CONTENT
}

async fn granted_users(
    State(state): State<Shared>,
    Path((_tenant, event)): Path<(String, String)>,
    Query(query): Query<Paging>,
) -> Response {
    let state = state.lock().expect("fake state lock");
    let users = state
        .users
        .iter()
        .filter(|u| {
            state.grants.contains(&(
                event.clone(),
                u["id"].as_str().unwrap_or_default().to_owned(),
            ))
        })
        .cloned()
        .collect();
    page(&state, users, &query)
}

async fn access_link(
    Path((_tenant, user)): Path<(String, String)>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let event = body["eventId"].as_str().unwrap_or_default();
    let url = format!("https://join.example.com/join/{user}?event={event}");
    axum::Json(json!({ "url": url, "expiresDateTimeUtc": null })).into_response()
}

async fn attendance(
    State(state): State<Shared>,
    Path((_tenant, event)): Path<(String, String)>,
    Query(query): Query<Paging>,
) -> Response {
    let state = state.lock().expect("fake state lock");
    let rows = state
        .attendance
        .iter()
        .filter(|(id, _)| *id == event)
        .map(|(_, row)| row.clone())
        .collect();
    page(&state, rows, &query)
}
