//! The request loop every Pardot call goes through: headers, the in-flight slot, the single
//! refresh-and-retry after 184, and bounded jittered retries of transient failures.

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use sbxy_domain::Secret;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::{Instrument, debug, info_span, warn};
use url::Url;

use super::PardotClient;
use crate::backoff;
use crate::error::{ApiErrorBody, PardotError};
use crate::json;
use crate::warning::PardotWarning;

const BUSINESS_UNIT_HEADER: &str = "Pardot-Business-Unit-Id";
const WARNING_HEADER: &str = "Pardot-Warning";

/// A successful (2xx) response, fully read.
pub(crate) struct Response {
    pub(crate) status: StatusCode,
    pub(crate) warnings: Vec<PardotWarning>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// Decodes the body as `T`.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, PardotError> {
        serde_json::from_slice(&self.body).map_err(|err| PardotError::Decode {
            status: self.status.as_u16(),
            detail: json::describe_error(&err),
        })
    }
}

/// A request body: JSON for every object call, raw bytes with their content type for the
/// Import API's multipart upload.
#[derive(Clone, Copy)]
pub(crate) enum Body<'a> {
    Json(&'a Value),
    Raw {
        content_type: &'a str,
        bytes: &'a [u8],
    },
}

/// How one attempt failed.
enum Failure {
    /// Code 184: the access token was refused.
    TokenRejected {
        message: String,
    },
    Other(PardotError),
}

impl PardotClient {
    /// Sends one logical request, retrying as the error calls for, and returns the 2xx
    /// response. The span names method and path only: query strings may carry page tokens.
    pub(crate) async fn execute(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
    ) -> Result<Response, PardotError> {
        self.execute_body(method, url, body.map(Body::Json)).await
    }

    /// [`Self::execute`] with any kind of body.
    pub(crate) async fn execute_body(
        &self,
        method: Method,
        url: Url,
        body: Option<Body<'_>>,
    ) -> Result<Response, PardotError> {
        let span = info_span!(
            "pardot_request",
            business_unit = %self.inner.business_unit_id,
            method = %method,
            path = %url.path(),
        );
        self.execute_with_retries(&method, &url, body)
            .instrument(span)
            .await
    }

    async fn execute_with_retries(
        &self,
        method: &Method,
        url: &Url,
        body: Option<Body<'_>>,
    ) -> Result<Response, PardotError> {
        let settings = &self.inner.settings;
        let mut token = self.inner.tokens.current().await?;
        let mut refreshed = false;
        let mut retries = 0;

        loop {
            let err = match self.attempt(method, url, body, &token).await {
                Ok(response) => return Ok(response),
                Err(Failure::TokenRejected { message }) if !refreshed => {
                    // Once per call: a second 184 with a fresh token is not a stale token.
                    debug!(reason = %message, "access token rejected; refreshing once");
                    refreshed = true;
                    self.inner.stats.record_refresh();
                    token = self.inner.tokens.refresh_after_rejection(&token).await?;
                    continue;
                }
                Err(Failure::TokenRejected { message }) => {
                    return Err(PardotError::AccessTokenRejected { message });
                }
                Err(Failure::Other(err)) => err,
            };

            if !err.is_retryable() || retries >= settings.max_retries {
                return Err(err);
            }
            let wait = backoff::full_jitter(settings.backoff_base, settings.backoff_cap, retries);
            retries += 1;
            self.inner.stats.record_retry(*method == Method::POST);
            warn!(
                retry = retries,
                code = ?err.code(),
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                error = %err,
                "Pardot request failed; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One HTTP attempt inside an in-flight slot.
    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        body: Option<Body<'_>>,
        token: &Secret,
    ) -> Result<Response, Failure> {
        let inner = &self.inner;
        let transport = |err: reqwest::Error| {
            inner.stats.record_transport_error();
            Failure::Other(PardotError::Transport {
                method: method.to_string(),
                path: url.path().to_owned(),
                source: err.without_url(),
            })
        };

        // The slot covers sending and reading the body, not the backoff between attempts.
        let permit = inner.slots.acquire().await;
        inner.stats.record_request();
        let mut request = inner
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.expose())
            .header(BUSINESS_UNIT_HEADER, inner.business_unit_id.as_str())
            .header(ACCEPT, "application/json")
            .timeout(inner.settings.request_timeout);
        match body {
            Some(Body::Json(value)) => request = request.json(value),
            Some(Body::Raw {
                content_type,
                bytes,
            }) => {
                request = request
                    .header(CONTENT_TYPE, content_type)
                    .body(bytes.to_vec())
            }
            None => {}
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let warnings = warnings(response.headers());
        let body = response.bytes().await.map_err(transport)?.to_vec();
        drop(permit);

        if status.is_success() {
            inner.stats.record_ok();
            debug!(status = status.as_u16(), "Pardot request succeeded");
            return Ok(Response {
                status,
                warnings,
                body,
            });
        }
        Err(self.failure(status, &body))
    }

    /// Classifies an error response by its Pardot code.
    fn failure(&self, status: StatusCode, body: &[u8]) -> Failure {
        let stats = &self.inner.stats;

        let Some(error) = ApiErrorBody::decode(body) else {
            stats.record_undecodable();
            return Failure::Other(PardotError::Decode {
                status: status.as_u16(),
                detail: "error response without Pardot's {code, message} body".to_owned(),
            });
        };
        stats.record_error_code(error.code);
        debug!(
            status = status.as_u16(),
            code = error.code,
            "Pardot returned an error"
        );

        if error.code == 184 {
            return Failure::TokenRejected {
                message: error.message,
            };
        }
        Failure::Other(PardotError::from_body(status.as_u16(), error))
    }
}

/// Every `Pardot-Warning` entry of every header line.
fn warnings(headers: &HeaderMap) -> Vec<PardotWarning> {
    headers
        .get_all(WARNING_HEADER)
        .iter()
        .flat_map(|value| PardotWarning::parse_header(&String::from_utf8_lossy(value.as_bytes())))
        .collect()
}
