//! RFC 7807 problem answers of the STREAMBOXY simulator (contract v0: `{type, title, status,
//! detail, traceId}`, `application/problem+json`).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// One problem answer.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    status: StatusCode,
    detail: String,
    extra: Map<String, Value>,
    retry_after: Option<u32>,
}

impl Problem {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            status,
            detail: detail.into(),
            extra: Map::new(),
            retry_after: None,
        }
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "A valid API key is required.")
    }

    pub(crate) fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "The API key is not valid for this tenant.",
        )
    }

    /// 409 for an e-mail that already has a user; carries `existingId`.
    pub(crate) fn duplicate_user(existing_id: &str) -> Self {
        let mut problem = Self::new(
            StatusCode::CONFLICT,
            "A user with this e-mail already exists.",
        );
        problem
            .extra
            .insert("existingId".into(), json!(existing_id));
        problem
    }

    pub(crate) fn too_many_requests() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many concurrent requests for this tenant.",
            )
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut body = json!({
            "type": format!("https://httpstatuses.io/{}", self.status.as_u16()),
            "title": title,
            "status": self.status.as_u16(),
            "detail": self.detail,
            "traceId": format!("00-{}-01", uuid::Uuid::new_v4().simple()),
        });
        if let Some(map) = body.as_object_mut() {
            map.extend(self.extra);
        }
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
