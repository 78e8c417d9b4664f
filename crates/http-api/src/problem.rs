//! The API's error answers: a status, a stable `error` code for programs and a `message` for
//! people. Internal details are logged, never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sbxy_domain::admin_token::AdminTokenError;
use sbxy_domain::locale::Language;
use sbxy_domain::settings::SettingProblem;
use serde_json::json;

/// A request that did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid admin token (HTTP 401).
    #[error("{0}")]
    Unauthenticated(AdminTokenError),
    /// A valid token that may not act on this tenant (HTTP 403).
    #[error("{0}")]
    Forbidden(AdminTokenError),
    /// The request itself is unusable (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// Settings broke rules (HTTP 422); each problem names its field and fix.
    #[error("the settings were not saved")]
    InvalidSettings {
        /// The admin's language.
        language: Language,
        /// What is wrong.
        problems: Vec<SettingProblem>,
    },
    /// The tenant must connect again first (HTTP 409).
    #[error("Salesforce no longer accepts the connection; connect again first")]
    ReconnectNeeded,
    /// An outside system failed; the same request may work shortly (HTTP 503).
    #[error("{0}")]
    Unavailable(String),
    /// Our own fault (HTTP 500); the detail goes to the log only.
    #[error("internal error")]
    Internal(String),
}

impl From<AdminTokenError> for ApiError {
    fn from(err: AdminTokenError) -> Self {
        if err.is_forbidden() {
            Self::Forbidden(err)
        } else {
            Self::Unauthenticated(err)
        }
    }
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            Self::InvalidSettings { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_settings"),
            Self::ReconnectNeeded => (StatusCode::CONFLICT, "reconnect_needed"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();

        let body = match &self {
            Self::InvalidSettings { language, problems } => {
                let message = match language {
                    Language::En => "The settings were not saved. Correct the fields below.",
                    Language::De => {
                        "Die Einstellungen wurden nicht gespeichert. Korrigieren Sie die \
                         folgenden Felder."
                    }
                };
                let problems: Vec<_> = problems
                    .iter()
                    .map(|p| json!({ "field": p.field, "message": p.rule.message(*language) }))
                    .collect();
                json!({ "error": code, "message": message, "problems": problems })
            }
            Self::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                json!({ "error": code, "message": "internal error; try again later" })
            }
            other => json!({ "error": code, "message": other.to_string() }),
        };

        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sbxy-pardot\""),
            );
        }
        if let Self::InvalidSettings { language, .. } = &self {
            response.headers_mut().insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(language.tag()),
            );
        }
        response
    }
}
