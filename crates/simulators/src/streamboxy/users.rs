//! Tenant users, event grants, access links, attendance, and the `/join` page.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::http::{html_escape, query_pairs};
use crate::oauth::state::random_string;
use crate::shared::Shared;
use crate::streamboxy::model::User;
use crate::streamboxy::state::{Grant, Tenant, valid_email};
use crate::streamboxy::{PageParams, Problem, parse_body};
use crate::sync::lock;

type Answer = Result<Response, Problem>;

fn tenant_of<'a>(
    state: &'a mut crate::streamboxy::state::StreamboxyState,
    id: &str,
) -> Result<&'a mut Tenant, Problem> {
    state
        .tenant_mut(id)
        .ok_or_else(|| Problem::not_found("Unknown tenant."))
}

/// `GET /tenant/{t}/User[?email=]`: with `email`, the (0 or 1) user with that address,
/// matched trimmed and case-insensitively.
pub(crate) async fn find(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    uri: Uri,
) -> Answer {
    let params = query_pairs(&uri);
    let page = PageParams::parse(&params)?;
    let email = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("email"))
        .map(|(_, v)| v.clone());
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant)?;
    let users: Vec<User> = match email {
        Some(email) => tenant.user_by_email(&email).cloned().into_iter().collect(),
        None => tenant.users.clone(),
    };
    Ok(page.respond(users))
}

pub(crate) async fn read(
    State(shared): State<Arc<Shared>>,
    Path((tenant, user)): Path<(String, String)>,
) -> Answer {
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant)?;
    let user = tenant
        .user(&user)
        .ok_or_else(|| Problem::not_found("Unknown user."))?;
    Ok(Json(user).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewUser {
    email: String,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    external_key: Option<String>,
    // `sendNotifications` is accepted and ignored: the simulator sends no e-mail.
}

/// `POST /tenant/{t}/User`: 201, or 409 with `existingId` when the e-mail exists.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    Path(tenant_id): Path<String>,
    body: Bytes,
) -> Answer {
    let new: NewUser = parse_body(&body)?;
    let email = new.email.trim().to_owned();
    if !valid_email(&email) {
        return Err(Problem::bad_request("The e-mail address is not valid."));
    }
    let now = shared.clock.now();
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant_id)?;
    if let Some(existing) = tenant.user_by_email(&email) {
        return Err(Problem::duplicate_user(&existing.id));
    }
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        email,
        first_name: new.first_name,
        last_name: new.last_name,
        external_key: new.external_key,
        created_date_time_utc: now,
    };
    tenant.users.push(user.clone());
    let location = format!("/tenant/{tenant_id}/User/{}", user.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(user),
    )
        .into_response())
}

/// `PUT /tenant/{t}/Event/{e}/User/{u}`: 201 the first time, 200 after.
pub(crate) async fn grant(
    State(shared): State<Arc<Shared>>,
    Path((tenant, event, user)): Path<(String, String, String)>,
) -> Answer {
    let now = shared.clock.now();
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant)?;
    let event_id = tenant
        .event(&event)
        .map(|e| e.id.clone())
        .ok_or_else(|| Problem::not_found("Unknown event."))?;
    let user_id = tenant
        .user(&user)
        .map(|u| u.id.clone())
        .ok_or_else(|| Problem::not_found("Unknown user."))?;
    let status = if tenant.is_granted(&event_id, &user_id) {
        StatusCode::OK
    } else {
        tenant.grants.push(Grant {
            event_id: event_id.clone(),
            user_id: user_id.clone(),
            granted_at: now,
        });
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(json!({ "eventId": event_id, "userId": user_id })),
    )
        .into_response())
}

/// `DELETE /tenant/{t}/Event/{e}/User/{u}`: 204, also when there was no grant.
pub(crate) async fn revoke(
    State(shared): State<Arc<Shared>>,
    Path((tenant, event, user)): Path<(String, String, String)>,
) -> Answer {
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant)?;
    if tenant.event(&event).is_none() {
        return Err(Problem::not_found("Unknown event."));
    }
    tenant.grants.retain(|g| {
        !(g.event_id.eq_ignore_ascii_case(&event) && g.user_id.eq_ignore_ascii_case(&user))
    });
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /tenant/{t}/Event/{e}/User`: granted users in grant order.
pub(crate) async fn granted(
    State(shared): State<Arc<Shared>>,
    Path((tenant, event)): Path<(String, String)>,
    uri: Uri,
) -> Answer {
    let page = PageParams::parse(&query_pairs(&uri))?;
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant)?;
    if tenant.event(&event).is_none() {
        return Err(Problem::not_found("Unknown event."));
    }
    let users: Vec<User> = tenant
        .grants
        .iter()
        .filter(|g| g.event_id.eq_ignore_ascii_case(&event))
        .filter_map(|g| tenant.user(&g.user_id).cloned())
        .collect();
    Ok(page.respond(users))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LinkRequest {
    event_id: String,
}

/// `POST /tenant/{t}/User/{u}/AccessLink` `{eventId}`: the user's one link, showing that
/// event first; the same URL on every call.
pub(crate) async fn access_link(
    State(shared): State<Arc<Shared>>,
    Path((tenant, user)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let request: LinkRequest = parse_body(&body)?;
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant)?;
    let user_id = tenant
        .user(&user)
        .map(|u| u.id.clone())
        .ok_or_else(|| Problem::not_found("Unknown user."))?;
    let event_id = tenant
        .event(&request.event_id)
        .map(|e| e.id.clone())
        .ok_or_else(|| Problem::bad_request("eventId names no event of this tenant."))?;
    let opaque = tenant
        .links
        .entry(user_id)
        .or_insert_with(|| random_string(32))
        .clone();
    let url = format!("{}/join/{opaque}?event={event_id}", shared.urls.streamboxy);
    Ok(Json(json!({ "url": url, "expiresDateTimeUtc": null })).into_response())
}

/// `GET /tenant/{t}/Event/{e}/Attendance`.
pub(crate) async fn attendance(
    State(shared): State<Arc<Shared>>,
    Path((tenant, event)): Path<(String, String)>,
    uri: Uri,
) -> Answer {
    let page = PageParams::parse(&query_pairs(&uri))?;
    let mut state = lock(&shared.streamboxy);
    let tenant = tenant_of(&mut state, &tenant)?;
    if tenant.event(&event).is_none() {
        return Err(Problem::not_found("Unknown event."));
    }
    Ok(page.respond(tenant.attendance_of(&event)))
}

/// `GET /join/{opaque}?event=…`: a tiny page naming the user and the event shown first.
pub(crate) async fn join_page(
    State(shared): State<Arc<Shared>>,
    Path(opaque): Path<String>,
    uri: Uri,
) -> Response {
    let event_id = query_pairs(&uri)
        .into_iter()
        .find(|(k, _)| k == "event")
        .map(|(_, v)| v)
        .unwrap_or_default();
    let state = lock(&shared.streamboxy);
    let found = state.tenants.values().find_map(|tenant| {
        let (user_id, _) = tenant.links.iter().find(|(_, o)| **o == opaque)?;
        let user = tenant.user(user_id)?;
        let event = tenant.event(&event_id).map(|e| e.title.clone());
        Some((user.clone(), event))
    });
    let Some((user, event)) = found else {
        return (
            StatusCode::NOT_FOUND,
            Html("<p>Unknown link.</p>".to_owned()),
        )
            .into_response();
    };
    let name = [user.first_name.as_deref(), user.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let event = event.unwrap_or_else(|| "(no event)".to_owned());
    Html(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>STREAMBOXY (simulated)</title></head><body>\
         <h1>Welcome, <span id=\"user\">{}</span></h1>\
         <p>Event shown first: <strong id=\"event\">{}</strong></p>\
         <p id=\"email\">{}</p></body></html>",
        html_escape(&name),
        html_escape(&event),
        html_escape(&user.email)
    ))
    .into_response()
}
