//! What the page's handlers answer besides their own work: the page itself (read and
//! rendered), the checks every POST passes (tenant, session, CSRF token), the plain pages for
//! a refusal, the post/redirect/get redirect, and the banner a redirect's query asks for.

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sbxy_domain::connect_state::ConnectOutcome;
use sbxy_domain::ids::TenantId;
use sbxy_domain::locale::Language;
use sbxy_domain::settings::SettingsInput;
use serde::Deserialize;

use super::form::FieldMessage;
use super::handlers::PlainForm;
use super::i18n::text;
use super::model::PageModel;
use super::render::{self, Banner};
use super::session::{PageSession, SessionError, SessionKey, cookie_value};
use super::{PagePaths, Resolved};
use crate::state::ApiState;

/// Every connect outcome, to turn the callback's `outcome` code back into its message.
pub(super) const OUTCOMES: [ConnectOutcome; 9] = [
    ConnectOutcome::Connected,
    ConnectOutcome::ConnectedUnverified,
    ConnectOutcome::Denied,
    ConnectOutcome::AuthorizeFailed,
    ConnectOutcome::ExchangeFailed,
    ConnectOutcome::ScopeMissing,
    ConnectOutcome::StateInvalid,
    ConnectOutcome::StateExpired,
    ConnectOutcome::StateReused,
];

/// The notices a POST redirects with.
pub(super) const SAVED: &str = "saved";
pub(super) const DISCONNECTED: &str = "disconnected";
pub(super) const RERUN: &str = "rerun_requested";

/// The page's query: the language switch and what the last action did.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PageQuery {
    pub(super) lang: Option<String>,
    notice: Option<String>,
    outcome: Option<String>,
}

/// What one page render needs besides the status and banner.
pub(super) struct Page<'a> {
    state: &'a ApiState,
    resolved: &'a Resolved,
    paths: &'a PagePaths,
    tenant: &'a TenantId,
    csrf: &'a str,
}

impl<'a> Page<'a> {
    pub(super) fn new(
        state: &'a ApiState,
        resolved: &'a Resolved,
        paths: &'a PagePaths,
        tenant: &'a TenantId,
        csrf: &'a str,
    ) -> Self {
        Self {
            state,
            resolved,
            paths,
            tenant,
            csrf,
        }
    }

    /// Reads the tenant's data and renders the page; a storage failure gives a plain
    /// "try again" page.
    pub(super) async fn render(
        &self,
        status: StatusCode,
        banner: Option<&Banner>,
        form: Option<(&SettingsInput, &[FieldMessage])>,
    ) -> Response {
        let model = match PageModel::load(self.state, self.tenant).await {
            Ok(model) => model,
            Err(err) => {
                tracing::error!(tenant = %self.tenant, error = %err, "admin page data unreadable");
                let t = text(self.resolved.language);
                let body = render::message(self.resolved, t.title, t.unavailable, "");
                return self
                    .resolved
                    .html(self.state, StatusCode::SERVICE_UNAVAILABLE, body);
            }
        };
        let body = render::page(self.resolved, self.paths, &model, self.csrf, banner, form);
        self.resolved.html(self.state, status, body)
    }
}

/// The tenant, its page paths and the session of a POST whose cookie and CSRF token hold.
pub(super) fn authorize(
    state: &ApiState,
    resolved: &Resolved,
    headers: &HeaderMap,
    tenant: &str,
    csrf: Option<&str>,
) -> Result<(TenantId, PagePaths, PageSession), Box<Response>> {
    let Ok(tenant) = TenantId::parse(tenant) else {
        return Err(Box::new(unknown_tenant(state, resolved)));
    };
    let key = SessionKey::derive(&state.connect.state_key);
    let now = state.clock.now().timestamp();
    let session = key
        .open(cookie_value(headers), &tenant, now)
        .map_err(|err| Box::new(signed_out(state, resolved, err, None)))?;

    if !key.csrf_matches(&session, csrf) {
        tracing::warn!(tenant = %tenant, "admin page form refused: CSRF token missing or wrong");
        let t = text(resolved.language);
        let body = render::message(resolved, t.title, t.csrf_refused, "");
        return Err(Box::new(resolved.html(state, StatusCode::FORBIDDEN, body)));
    }
    let paths = PagePaths::new(state, &tenant);
    Ok((tenant, paths, session))
}

pub(super) fn parse_plain(
    form: Result<Form<PlainForm>, FormRejection>,
    headers: &HeaderMap,
) -> (Resolved, Option<PlainForm>) {
    let form = form.ok().map(|Form(form)| form);
    let resolved = Resolved::new(form.as_ref().and_then(|f| f.lang.as_deref()), headers);
    (resolved, form)
}

/// "Not signed in", with what to do for the reason `err`, and the outcome of a connect.
pub(super) fn signed_out(
    state: &ApiState,
    resolved: &Resolved,
    err: SessionError,
    banner: Option<&Banner>,
) -> Response {
    let t = text(resolved.language);
    tracing::info!(reason = %err, "admin page without a usable session");
    let message = match err {
        SessionError::Missing => t.session_missing,
        SessionError::Expired => t.session_expired,
        SessionError::Forged | SessionError::WrongTenant => t.session_refused,
    };
    let extra = match banner {
        Some(Banner::Notice(notice) | Banner::Alert(notice, _)) => format!(
            "<p class=\"notice\" id=\"notice\" role=\"status\">{}</p>",
            super::html::escape(notice)
        ),
        None => String::new(),
    };
    let body = render::message(resolved, t.signed_out_heading, message, &extra);
    resolved.html(state, StatusCode::UNAUTHORIZED, body)
}

pub(super) fn unknown_tenant(state: &ApiState, resolved: &Resolved) -> Response {
    let t = text(resolved.language);
    let body = render::message(resolved, t.title, t.unknown_tenant, "");
    resolved.html(state, StatusCode::NOT_FOUND, body)
}

pub(super) fn bad_form(state: &ApiState, resolved: &Resolved) -> Response {
    let t = text(resolved.language);
    let body = render::message(resolved, t.title, t.bad_form, "");
    resolved.html(state, StatusCode::BAD_REQUEST, body)
}

/// The banner of the page's query: a connect outcome or a notice, only from fixed texts.
pub(super) fn banner_of(query: &PageQuery, language: Language) -> Option<Banner> {
    if let Some(outcome) = query
        .outcome
        .as_deref()
        .and_then(|code| OUTCOMES.iter().find(|o| o.code() == code))
    {
        let message = outcome.message(language).to_owned();
        return Some(if outcome.is_connected() {
            Banner::Notice(message)
        } else {
            Banner::Alert(message, vec![])
        });
    }
    let t = text(language);
    let notice = match query.notice.as_deref()? {
        SAVED => t.notice_saved,
        DISCONNECTED => t.notice_disconnected,
        RERUN => t.notice_rerun,
        _ => return None,
    };
    Some(Banner::Notice(notice.to_owned()))
}

/// A 303 to `location`, never cached (the consent URL carries the signed `state`).
pub(super) fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
