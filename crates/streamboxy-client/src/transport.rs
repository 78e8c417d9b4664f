//! Sending one call: the auth header, a per-attempt timeout, bounded retries of 429, 5xx and
//! network failures, counters, and turning a final error answer into a [`StreamboxyError`].
//!
//! Every contract-v0 call may be retried: reads and PUT/PATCH/DELETE are idempotent, the
//! access link is stable per user and event, and a repeated user creation answers 409 with
//! the existing id.

use std::time::Duration;

use chrono::Utc;
use reqwest::header::{ACCEPT, CONTENT_TYPE, IF_MATCH};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{ProblemBody, is_transient_status};
use crate::model::decode;
use crate::retry;
use crate::stats::Outcome;
use crate::{StreamboxyClient, StreamboxyError};

/// One request to make, possibly several times.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) if_match: Option<&'a str>,
}

impl Call<'_> {
    pub(crate) fn new(method: Method, url: Url) -> Self {
        Self {
            method,
            url,
            body: None,
            if_match: None,
        }
    }

    /// Attaches a JSON body, serialised once for all attempts.
    ///
    /// Only this crate's request types and `serde_json` maps come here: string keys and plain
    /// values, which `serde_json` always encodes.
    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Self {
        let bytes = serde_json::to_vec(body)
            .expect("request bodies have string keys and plain values, which always encode");
        self.body = Some(bytes);
        self
    }
}

/// The answer that ended a call: a success, or an error the caller may want to inspect
/// (409, 412) before turning it into a [`StreamboxyError`].
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    retry_after: Option<Duration>,
    pub(crate) body: Vec<u8>,

    /// The request path without its query, for error messages.
    path: String,
}

impl Answer {
    /// The body as `T` for a 2xx answer, else the matching error.
    pub(crate) fn json<T: DeserializeOwned>(&self) -> Result<T, StreamboxyError> {
        if !self.status.is_success() {
            return Err(self.error());
        }

        decode(self.status.as_u16(), &self.body)
    }

    /// Succeeds for any 2xx answer, ignoring the body.
    pub(crate) fn ok(&self) -> Result<(), StreamboxyError> {
        if self.status.is_success() {
            Ok(())
        } else {
            Err(self.error())
        }
    }

    pub(crate) fn problem(&self) -> ProblemBody {
        ProblemBody::parse(&self.body)
    }

    /// The error this (non-2xx) answer stands for.
    pub(crate) fn error(&self) -> StreamboxyError {
        let status = self.status.as_u16();

        match status {
            401 | 403 => StreamboxyError::Unauthorized { status },
            404 => StreamboxyError::NotFound {
                path: self.path.clone(),
            },
            409 => StreamboxyError::Conflict {
                detail: self.problem().summary(),
            },
            412 => StreamboxyError::PreconditionFailed,
            429 => StreamboxyError::RateLimited {
                retry_after: self.retry_after,
            },
            _ => {
                let problem = self.problem();
                StreamboxyError::Problem {
                    status,
                    title: problem.title,
                    detail: problem.detail,
                }
            }
        }
    }
}

impl StreamboxyClient {
    /// Sends `call`, repeating it while the failure is transient and retries remain.
    ///
    /// Returns the final answer whatever its status; only a network failure that outlived
    /// the retries is an `Err`.
    pub(crate) async fn send(&self, call: &Call<'_>) -> Result<Answer, StreamboxyError> {
        let mut retry = 0;

        loop {
            let result = self.attempt(call).await;

            let (retry_after, reason) = match &result {
                Ok(answer) => {
                    self.stats
                        .attempt(Outcome::of_status(answer.status.as_u16()));
                    (answer.retry_after, answer.status.as_str().to_owned())
                }
                Err(err) => {
                    self.stats.attempt(Outcome::Transport);
                    (None, err.to_string())
                }
            };

            let transient = match &result {
                Ok(answer) => is_retryable_status(answer.status),
                Err(err) => err.is_retryable(),
            };
            if !transient || retry >= self.policy.max_retries {
                return result;
            }

            let delay = self.policy.delay(retry, retry_after);
            tracing::warn!(
                method = %call.method,
                path = call.url.path(),
                reason,
                retry = retry + 1,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "STREAMBOXY call failed transiently; retrying"
            );
            self.stats.retry();
            retry += 1;
            tokio::time::sleep(delay).await;
        }
    }

    /// One HTTP exchange, body read in full so a reset mid-body counts as a failed attempt.
    async fn attempt(&self, call: &Call<'_>) -> Result<Answer, StreamboxyError> {
        let (auth_name, auth_value) = &self.auth;
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .timeout(self.config.request_timeout)
            .header(ACCEPT, "application/json")
            .header(auth_name.clone(), auth_value.clone());

        if let Some(tag) = call.if_match {
            request = request.header(IF_MATCH, tag);
        }
        if let Some(body) = &call.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }

        let response = request.send().await.map_err(StreamboxyError::transport)?;
        let status = response.status();
        let retry_after = retry::retry_after(response.headers(), Utc::now());
        let body = response.bytes().await.map_err(StreamboxyError::transport)?;

        tracing::debug!(
            method = %call.method,
            path = call.url.path(),
            status = status.as_u16(),
            "STREAMBOXY answered"
        );

        Ok(Answer {
            status,
            retry_after,
            body: body.to_vec(),
            path: call.url.path().to_owned(),
        })
    }
}

fn is_retryable_status(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || is_transient_status(status.as_u16())
}
