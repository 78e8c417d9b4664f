//! Pardot v5 error answers: body `{"code": N, "message": "…"}` with the HTTP status the
//! reference gives for each code (§3.6; the unverified ones are our proposal from §6).

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One Pardot error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PardotError {
    pub(crate) status: StatusCode,
    pub(crate) code: u32,
    pub(crate) message: String,
    /// Sent as `Pardot-Warning` (e.g. a read of a record in the recycle bin).
    pub(crate) warning: Option<&'static str>,
}

impl PardotError {
    fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            warning: None,
        }
    }

    pub(crate) fn missing_fields() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            13,
            "One or more required parameters are missing: fields",
        )
    }

    pub(crate) fn access_denied() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            49,
            "Access Denied: User associated with access token is not valid for the Pardot \
             Business Unit ID specified in Pardot-Business-Unit-Id header",
        )
    }

    pub(crate) fn invalid_parameter(detail: impl AsRef<str>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            51,
            format!("Invalid parameter: {}", detail.as_ref()),
        )
    }

    pub(crate) fn unknown_field(field: &str) -> Self {
        Self::invalid_parameter(format!(
            "fields. It contains an invalid or unknown field: {field}."
        ))
    }

    pub(crate) fn out_of_range(detail: impl AsRef<str>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            52,
            format!("Parameter out of range: {}", detail.as_ref()),
        )
    }

    pub(crate) fn already_member() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            58,
            "The prospect is already a member of the list. Update the list membership instead.",
        )
    }

    pub(crate) fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            60,
            "The HTTP method is not allowed for this endpoint.",
        )
    }

    pub(crate) fn too_many_concurrent() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            66,
            "The account has too many concurrent requests. Please wait and try again.",
        )
    }

    pub(crate) fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            109,
            "The requested record was not found.",
        )
    }

    pub(crate) fn in_recycle_bin() -> Self {
        Self {
            warning: Some("201;Record In Recycle Bin"),
            ..Self::not_found()
        }
    }

    pub(crate) fn daily_limit() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            122,
            "Daily API rate limit met.",
        )
    }

    pub(crate) fn invalid_json() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            150,
            "Invalid JSON in request body.",
        )
    }

    pub(crate) fn unsupported_content_type() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            151,
            "Unsupported content type; send application/json.",
        )
    }

    pub(crate) fn empty_body() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 152, "The request body is empty.")
    }

    pub(crate) fn missing_property(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            153,
            format!("Required property is missing: {name}"),
        )
    }

    pub(crate) fn invalid_property(detail: impl AsRef<str>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            154,
            format!("Invalid property in request: {}", detail.as_ref()),
        )
    }

    pub(crate) fn not_writable(name: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            180,
            format!("Property is not writable: {name}"),
        )
    }

    pub(crate) fn missing_bu_header() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            181,
            "A required header is missing: Pardot-Business-Unit-Id header not found on request.",
        )
    }

    pub(crate) fn malformed_bu_header() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            182,
            "Invalid header value: Pardot-Business-Unit-Id",
        )
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            183,
            "An internal error occurred. Please try again.",
        )
    }

    pub(crate) fn invalid_token(status: u16) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::UNAUTHORIZED);
        Self::new(
            status,
            184,
            "access_token is invalid, unknown, or malformed",
        )
    }

    pub(crate) fn unknown_bu() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            201,
            "Business Unit specified in Pardot-Business-Unit-Id header not found or inactive.",
        )
    }

    pub(crate) fn too_many_filters() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            209,
            "Too many filters: at most 3 distinct fields can be filtered in one query.",
        )
    }

    pub(crate) fn page_token_expired() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 210, "Page token has expired.")
    }

    pub(crate) fn page_token_invalid() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 211, "Page token is invalid.")
    }

    pub(crate) fn deleted_record() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            219,
            "The record is in the recycle bin and cannot be updated. Undelete it first.",
        )
    }

    pub(crate) fn invalid_email() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 4, "Invalid prospect email address")
    }

    pub(crate) fn unknown_object() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            192,
            "The requested object does not exist.",
        )
    }
}

impl IntoResponse for PardotError {
    fn into_response(self) -> Response {
        let body = json!({ "code": self.code, "message": self.message });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(warning) = self.warning {
            response
                .headers_mut()
                .insert("Pardot-Warning", HeaderValue::from_static(warning));
        }
        response
    }
}

/// The result type of Pardot handlers.
pub(crate) type PardotResult = Result<Response, PardotError>;
