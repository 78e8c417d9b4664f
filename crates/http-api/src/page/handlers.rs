//! The page's request handlers. Each POST checks, in this order, the tenant in the path, the
//! session cookie and the form's CSRF token, then calls the function the JSON route calls
//! (`start_connect`, `disconnect`, `check_and_save`, `request_attendance`) and answers with a
//! redirect back to the page (post/redirect/get), or the page again with the refusal inline.

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use sbxy_domain::admin_token::verify_hs256;
use sbxy_domain::attendance::AttendanceTrigger;
use sbxy_domain::ids::{EventId, TenantId};
use sbxy_domain::settings::PardotEnvironment;
use sbxy_sync::attendance::request_attendance;
use sbxy_sync::connection::start_connect;
use serde::Deserialize;

use super::form::{FieldMessage, SettingsForm, parse_environment};
use super::i18n::text;
use super::render::{self, Banner};
use super::respond::{
    DISCONNECTED, OUTCOMES, Page, PageQuery, RERUN, SAVED, authorize, bad_form, banner_of,
    parse_plain, see_other, signed_out, unknown_tenant,
};
use super::session::{PageSession, SessionKey, cookie_value, set_cookie};
use super::{PagePaths, Resolved};
use crate::admin::settings::check_and_save;
use crate::problem::ApiError;
use crate::state::ApiState;

/// `GET …/pardot/page`: the page, or "not signed in" without a valid session.
pub(super) async fn show(
    State(state): State<ApiState>,
    Path(tenant): Path<String>,
    query: Result<Query<PageQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Query(query) = query.unwrap_or_default();
    let resolved = Resolved::new(query.lang.as_deref(), &headers);
    let banner = banner_of(&query, resolved.language);
    let Ok(tenant) = TenantId::parse(&tenant) else {
        return unknown_tenant(&state, &resolved);
    };
    let paths = PagePaths::new(&state, &tenant);

    let key = SessionKey::derive(&state.connect.state_key);
    let now = state.clock.now().timestamp();
    match key.open(cookie_value(&headers), &tenant, now) {
        Ok(session) => {
            let csrf = key.csrf_token(&session);
            let page = Page::new(&state, &resolved, &paths, &tenant, &csrf);
            page.render(StatusCode::OK, banner.as_ref(), None).await
        }
        Err(err) => signed_out(&state, &resolved, err, banner.as_ref()),
    }
}

/// The sign-in form the Backstage posts once.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SignInForm {
    token: Option<String>,
    lang: Option<String>,
}

/// `POST …/pardot/page/session`: checks the Backstage admin token like every admin route
/// (signature, expiry, tenant, role) and sets the session cookie.
pub(super) async fn sign_in(
    State(state): State<ApiState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Form(form) = form.unwrap_or_default();
    let resolved = Resolved::new(form.lang.as_deref(), &headers);
    let t = text(resolved.language);
    let Ok(tenant) = TenantId::parse(&tenant) else {
        return unknown_tenant(&state, &resolved);
    };
    let paths = PagePaths::new(&state, &tenant);

    let now = state.clock.now().timestamp();
    let key = state.admin_jwt_secret.expose().as_bytes();
    let verified = form
        .token
        .as_deref()
        .map(|token| verify_hs256(token.trim(), key, now));
    let claims = match verified {
        Some(Ok(claims)) => claims,
        Some(Err(err)) => {
            tracing::warn!(tenant = %tenant, error = %err, "admin page sign-in refused");
            let body = render::message(&resolved, t.signed_out_heading, t.token_refused, "");
            return resolved.html(&state, StatusCode::UNAUTHORIZED, body);
        }
        None => {
            let body = render::message(&resolved, t.signed_out_heading, t.session_missing, "");
            return resolved.html(&state, StatusCode::UNAUTHORIZED, body);
        }
    };
    if let Err(err) = claims.authorize(&tenant) {
        tracing::warn!(tenant = %tenant, error = %err, "admin page sign-in refused for tenant");
        let body = render::message(&resolved, t.signed_out_heading, t.token_refused, "");
        return resolved.html(&state, StatusCode::FORBIDDEN, body);
    }

    let session = SessionKey::new_session(&tenant, claims.admin(), now);
    let cookie = SessionKey::derive(&state.connect.state_key).seal(&session);
    tracing::info!(tenant = %tenant, "admin page session started");
    let target = paths.page_with(resolved.language, None);
    let mut response = resolved.html(&state, StatusCode::OK, render::hop(&resolved, &target));
    if let Ok(value) = HeaderValue::from_str(&set_cookie(&cookie, &paths.page)) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// A form with nothing but the CSRF token and the language.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PlainForm {
    pub(super) csrf: Option<String>,
    pub(super) lang: Option<String>,
    environment: Option<String>,
}

/// `POST …/pardot/page/connect`: starts a connect attempt and sends the browser to
/// Salesforce's consent page.
pub(super) async fn connect(
    State(state): State<ApiState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<PlainForm>, FormRejection>,
) -> Response {
    let (resolved, form) = parse_plain(form, &headers);
    let Some(form) = form else {
        return bad_form(&state, &resolved);
    };
    let (tenant, paths, session) =
        match authorize(&state, &resolved, &headers, &tenant, form.csrf.as_deref()) {
            Ok(ok) => ok,
            Err(response) => return *response,
        };
    let environment = form
        .environment
        .as_deref()
        .and_then(parse_environment)
        .unwrap_or_default();

    let now = state.clock.now();
    match start_connect(
        &state.ctx,
        &state.connect,
        &tenant,
        &session.admin,
        environment,
        now,
    )
    .await
    {
        Ok(url) => see_other(url.as_str()),
        Err(err) => {
            tracing::error!(tenant = %tenant, error = %err, "admin page connect failed");
            unavailable(&state, &resolved, &paths, &tenant, &session).await
        }
    }
}

/// `POST …/pardot/page/disconnect`: revokes the grant and marks the tenant not connected.
pub(super) async fn disconnect(
    State(state): State<ApiState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<PlainForm>, FormRejection>,
) -> Response {
    let (resolved, form) = parse_plain(form, &headers);
    let Some(form) = form else {
        return bad_form(&state, &resolved);
    };
    let (tenant, paths, session) =
        match authorize(&state, &resolved, &headers, &tenant, form.csrf.as_deref()) {
            Ok(ok) => ok,
            Err(response) => return *response,
        };

    match sbxy_sync::connection::disconnect(&state.ctx, &tenant).await {
        Ok(_) => see_other(&paths.page_with(resolved.language, Some(("notice", DISCONNECTED)))),
        Err(err) => {
            tracing::error!(tenant = %tenant, error = %err, "admin page disconnect failed");
            unavailable(&state, &resolved, &paths, &tenant, &session).await
        }
    }
}

/// `POST …/pardot/page/settings`: the API's checks and save; a refusal comes back as the
/// form with each message next to its field.
pub(super) async fn save_settings(
    State(state): State<ApiState>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    form: Result<Form<SettingsForm>, FormRejection>,
) -> Response {
    let form = form.ok().map(|Form(form)| form);
    let lang = form.as_ref().and_then(|f| f.lang.as_deref());
    let resolved = Resolved::new(lang, &headers);
    let Some(form) = form else {
        return bad_form(&state, &resolved);
    };
    let (tenant, paths, session) =
        match authorize(&state, &resolved, &headers, &tenant, form.csrf.as_deref()) {
            Ok(ok) => ok,
            Err(response) => return *response,
        };
    let input = form.input(PardotEnvironment::default());

    let t = text(resolved.language);
    let (status, banner, problems) =
        match check_and_save(&state, &tenant, resolved.language, input.clone()).await {
            Ok(_) => {
                return see_other(&paths.page_with(resolved.language, Some(("notice", SAVED))));
            }
            Err(ApiError::InvalidSettings { problems, language }) => {
                let problems: Vec<FieldMessage> = problems
                    .iter()
                    .map(|p| FieldMessage {
                        field: p.field,
                        message: p.rule.message(language),
                    })
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    t.settings_refused,
                    problems,
                )
            }
            Err(ApiError::ReconnectNeeded) => (StatusCode::CONFLICT, t.reconnect_first, vec![]),
            Err(err) => {
                tracing::error!(tenant = %tenant, error = %err, "admin page settings failed");
                (StatusCode::SERVICE_UNAVAILABLE, t.unavailable, vec![])
            }
        };
    let csrf = SessionKey::derive(&state.connect.state_key).csrf_token(&session);
    let page = Page::new(&state, &resolved, &paths, &tenant, &csrf);
    let banner = Banner::Alert(banner.to_owned(), problems.clone());
    page.render(status, Some(&banner), Some((&input, &problems)))
        .await
}

/// `POST …/pardot/page/events/{event}/attendance`: asks for the event's Show / No Show
/// write-back again, as `POST …/events/{event}/attendance/rerun` does.
pub(super) async fn rerun_attendance(
    State(state): State<ApiState>,
    Path((tenant, event)): Path<(String, String)>,
    headers: HeaderMap,
    form: Result<Form<PlainForm>, FormRejection>,
) -> Response {
    let (resolved, form) = parse_plain(form, &headers);
    let Some(form) = form else {
        return bad_form(&state, &resolved);
    };
    let (tenant, paths, session) =
        match authorize(&state, &resolved, &headers, &tenant, form.csrf.as_deref()) {
            Ok(ok) => ok,
            Err(response) => return *response,
        };
    let Ok(event) = EventId::parse(&event) else {
        return bad_form(&state, &resolved);
    };

    match request_attendance(&state.ctx, &tenant, &event, AttendanceTrigger::Rerun).await {
        Ok(()) => {
            tracing::info!(tenant = %tenant, event = %event, "attendance re-run requested");
            see_other(&paths.page_with(resolved.language, Some(("notice", RERUN))))
        }
        Err(err) => {
            tracing::error!(tenant = %tenant, error = %err, "admin page re-run failed");
            unavailable(&state, &resolved, &paths, &tenant, &session).await
        }
    }
}

/// The page again with a "try again shortly" alert, when a form's action failed for a reason
/// the admin cannot fix (storage, Salesforce or the bus unavailable).
async fn unavailable(
    state: &ApiState,
    resolved: &Resolved,
    paths: &PagePaths,
    tenant: &TenantId,
    session: &PageSession,
) -> Response {
    let csrf = SessionKey::derive(&state.connect.state_key).csrf_token(session);
    let page = Page::new(state, resolved, paths, tenant, &csrf);
    let banner = Banner::Alert(text(resolved.language).unavailable.into(), vec![]);
    page.render(StatusCode::SERVICE_UNAVAILABLE, Some(&banner), None)
        .await
}

/// Where the OAuth callback sends the browser.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct AfterConnect {
    tenant: Option<String>,
    outcome: Option<String>,
}

/// `GET /admin?tenant=…&outcome=…`: moves on to the tenant's page with the outcome. It answers
/// a page that navigates by itself rather than a redirect, because the browser arrives from
/// Salesforce and would not send the `SameSite=Strict` session on a redirect of that chain.
pub(super) async fn after_connect(
    State(state): State<ApiState>,
    query: Result<Query<AfterConnect>, QueryRejection>,
    headers: HeaderMap,
) -> Response {
    let Query(query) = query.unwrap_or_default();
    let resolved = Resolved::new(None, &headers);
    let Some(tenant) = query
        .tenant
        .as_deref()
        .and_then(|t| TenantId::parse(t).ok())
    else {
        return unknown_tenant(&state, &resolved);
    };
    let paths = PagePaths::new(&state, &tenant);

    let outcome = query
        .outcome
        .as_deref()
        .and_then(|code| OUTCOMES.iter().find(|o| o.code() == code))
        .map(|outcome| ("outcome", outcome.code()));
    let target = paths.page_with(resolved.language, outcome);
    resolved.html(&state, StatusCode::OK, render::hop(&resolved, &target))
}
