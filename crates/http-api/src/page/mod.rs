//! The admin page, "Integrationen → Pardot": one server-rendered HTML page per tenant that
//! the Backstage embeds, with plain forms that work without JavaScript. It signs in once with
//! the Backstage's admin token (`session`), and every form is a POST that calls the same
//! connection, settings and attendance functions as the JSON routes (`handlers`).
//!
//! Routes (all under the tenant's page path, which scopes the session cookie):
//! `GET …/pardot/page`, `POST …/pardot/page/session`, `POST …/pardot/page/connect`,
//! `POST …/pardot/page/disconnect`, `POST …/pardot/page/settings`,
//! `POST …/pardot/page/events/{event}/attendance`, and `GET /admin`, where the OAuth callback
//! sends the browser with the outcome. docs/admin-page.md explains the choices.

mod form;
mod handlers;
mod html;
mod i18n;
mod model;
mod render;
mod respond;
mod session;

use std::sync::OnceLock;

use axum::http::header::{
    ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_SECURITY_POLICY, CONTENT_TYPE,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sbxy_domain::ids::TenantId;
use sbxy_domain::locale::Language;
use url::Url;

use crate::routes::Routes;
use crate::state::ApiState;

pub use session::{COOKIE_NAME, SESSION_TTL_SECS};

/// The variable that lists the origins allowed to frame the page (the Backstage), separated
/// by spaces. Unset: no one may frame it, and the Backstage opens it as a window.
pub const FRAME_ANCESTORS_VAR: &str = "ADMIN_PAGE_FRAME_ANCESTORS";

/// The page's routes with their table.
pub(crate) fn routes() -> Routes {
    Routes::new()
        .get("/admin", handlers::after_connect)
        .get("/tenants/{tenant}/pardot/page", handlers::show)
        .post("/tenants/{tenant}/pardot/page/session", handlers::sign_in)
        .post("/tenants/{tenant}/pardot/page/connect", handlers::connect)
        .post(
            "/tenants/{tenant}/pardot/page/disconnect",
            handlers::disconnect,
        )
        .post(
            "/tenants/{tenant}/pardot/page/settings",
            handlers::save_settings,
        )
        .post(
            "/tenants/{tenant}/pardot/page/events/{event}/attendance",
            handlers::rerun_attendance,
        )
}

/// The page's addresses for one tenant, below the public base URL's path (a stage prefix).
pub(crate) struct PagePaths {
    /// The page, also the session cookie's `Path`.
    pub(crate) page: String,
    pub(crate) connect: String,
    pub(crate) disconnect: String,
    pub(crate) settings: String,
}

impl PagePaths {
    fn new(state: &ApiState, tenant: &TenantId) -> Self {
        // The admin page URL is `<PUBLIC_BASE_URL>/admin`; its parent is the base path.
        let admin = state.connect.admin_page.path();
        let base = admin.strip_suffix("/admin").unwrap_or_default();
        let page = format!("{base}/tenants/{tenant}/pardot/page");
        Self {
            connect: format!("{page}/connect"),
            disconnect: format!("{page}/disconnect"),
            settings: format!("{page}/settings"),
            page,
        }
    }

    /// The re-run form's address for `event`.
    pub(crate) fn rerun(&self, event: &str) -> String {
        format!("{}/events/{event}/attendance", self.page)
    }

    /// The page with `lang` and an optional `key=value` (from a fixed set, never request data).
    pub(crate) fn page_with(&self, language: Language, extra: Option<(&str, &str)>) -> String {
        let mut target = format!("{}?lang={}", self.page, language.tag());
        if let Some((key, value)) = extra {
            target.push_str(&format!("&{key}={}", html::query_value(value)));
        }
        target
    }
}

/// Per-response facts: the admin's language and the nonce of the inline style and script.
pub(crate) struct Resolved {
    pub(crate) language: Language,
    pub(crate) nonce: String,
}

impl Resolved {
    /// The language of `?lang=` (the page's switch, carried through forms), else of
    /// `Accept-Language`.
    fn new(lang: Option<&str>, headers: &HeaderMap) -> Self {
        let language = match lang {
            Some("de") => Language::De,
            Some("en") => Language::En,
            _ => Language::from_accept_language(
                headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
            ),
        };
        let mut nonce = [0_u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        Self {
            language,
            nonce: URL_SAFE_NO_PAD.encode(nonce),
        }
    }

    /// An HTML response with the page's security headers.
    fn html(&self, state: &ApiState, status: StatusCode, body: String) -> Response {
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        let csp = content_security_policy(state, &self.nonce);
        let pairs = [
            (CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (CONTENT_SECURITY_POLICY, csp),
            (CACHE_CONTROL, "no-store".to_owned()),
            (REFERRER_POLICY, "no-referrer".to_owned()),
            (X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (CONTENT_LANGUAGE, self.language.tag().to_owned()),
        ];
        for (name, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        // X-Frame-Options cannot name an allowed origin; it only backs up "nobody" for
        // browsers without CSP frame-ancestors.
        if frame_ancestors().is_empty() {
            headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        }
        response
    }
}

/// No scripts or styles but the nonce'd inline ones; forms post only to us and, through the
/// connect redirect, to Salesforce's login (Chrome checks `form-action` on redirects too).
fn content_security_policy(state: &ApiState, nonce: &str) -> String {
    let config = &state.ctx.config;
    let logins = [
        &config.salesforce_login_url,
        &config.salesforce_sandbox_login_url,
    ]
    .map(|url| url.origin().ascii_serialization())
    .join(" ");
    let ancestors = frame_ancestors();
    let ancestors = if ancestors.is_empty() {
        "'none'"
    } else {
        ancestors
    };
    format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; \
         img-src 'self'; form-action 'self' {logins} https://*.salesforce.com \
         https://*.force.com; frame-ancestors {ancestors}; base-uri 'none'"
    )
}

/// The origins of [`FRAME_ANCESTORS_VAR`], read once; entries that are not http(s) origins
/// are dropped with a warning.
fn frame_ancestors() -> &'static str {
    static ANCESTORS: OnceLock<String> = OnceLock::new();
    ANCESTORS.get_or_init(|| {
        let raw = std::env::var(FRAME_ANCESTORS_VAR).unwrap_or_default();
        raw.split_whitespace()
            .filter_map(|entry| match Url::parse(entry) {
                Ok(url) if matches!(url.scheme(), "https" | "http") && url.has_host() => {
                    Some(url.origin().ascii_serialization())
                }
                _ => {
                    tracing::warn!(entry, "{FRAME_ANCESTORS_VAR}: not an origin; ignored");
                    None
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}
