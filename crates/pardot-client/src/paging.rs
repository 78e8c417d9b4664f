//! Query paging: a [`Pager`] fetches one page per call by following Pardot's `nextPageUrl`
//! verbatim, so callers stream large lists without holding them, and a page link to another
//! host is refused before the token could leak.

use std::marker::PhantomData;

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::{debug, warn};
use url::Url;

use crate::client::PardotClient;
use crate::error::PardotError;
use crate::json;
use crate::warning::PardotWarning;

/// One page of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub values: Vec<T>,
    /// Warnings sent with this page, e.g. 202 "records redacted" (why a page can be short).
    pub warnings: Vec<PardotWarning>,
    /// The chain stopped at Pardot's 100,000-record ceiling, not at the end of the data:
    /// start a new query after the last key seen (e.g. `id_greater_than`).
    pub ceiling_reached: bool,
}

/// The query response envelope: `{nextPageToken, nextPageUrl, values}`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryEnvelope<T> {
    /// `None` on the last page of a chain.
    pub next_page_token: Option<String>,
    pub next_page_url: Option<String>,
    pub values: Vec<T>,
}

impl<T: DeserializeOwned> QueryEnvelope<T> {
    /// Decodes a query body. A value that does not fit `T` fails the page, naming its index
    /// but not its content (it may hold personal data).
    pub fn decode(status: u16, body: &[u8]) -> Result<Self, PardotError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            #[serde(default)]
            next_page_token: Option<String>,
            #[serde(default)]
            next_page_url: Option<String>,
            values: Vec<Value>,
        }

        let wire: Wire = serde_json::from_slice(body).map_err(|err| PardotError::Decode {
            status,
            detail: json::describe_error(&err),
        })?;
        let values = wire
            .values
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                serde_json::from_value(value).map_err(|err| PardotError::Decode {
                    status,
                    detail: format!("value #{index}: {}", json::describe_error(&err)),
                })
            })
            .collect::<Result<Vec<T>, _>>()?;

        Ok(Self {
            next_page_token: wire.next_page_token,
            next_page_url: wire.next_page_url,
            values,
        })
    }
}

/// Where the chain goes next.
#[derive(Debug, Clone)]
enum Next {
    Fetch(Url),
    Done,
    /// Refused before sending; every further call returns this error again.
    Refused(Refusal),
}

#[derive(Debug, Clone)]
enum Refusal {
    ForeignHost { origin: String },
    BadLink { detail: String },
    BadQuery { reason: String },
}

impl Refusal {
    fn to_error(&self) -> PardotError {
        match self {
            Self::ForeignHost { origin } => PardotError::HostNotAllowed {
                origin: origin.clone(),
            },
            Self::BadLink { detail } => PardotError::Decode {
                status: 200,
                detail: detail.clone(),
            },
            Self::BadQuery { reason } => PardotError::InvalidRequest {
                reason: reason.clone(),
            },
        }
    }
}

/// Streams the pages of one query chain. A failed call leaves the position unchanged, so
/// calling [`Pager::next_page`] again retries the same page.
#[derive(Debug)]
pub struct Pager<T> {
    client: PardotClient,
    next: Next,
    ceiling_reached: bool,
    pages: u64,
    _values: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> Pager<T> {
    pub(crate) fn new(client: PardotClient, first: Url) -> Self {
        Self {
            client,
            next: Next::Fetch(first),
            ceiling_reached: false,
            pages: 0,
            _values: PhantomData,
        }
    }

    /// A pager that fails on first use, for a query refused before sending.
    pub(crate) fn refused(client: PardotClient, reason: String) -> Self {
        Self {
            client,
            next: Next::Refused(Refusal::BadQuery { reason }),
            ceiling_reached: false,
            pages: 0,
            _values: PhantomData,
        }
    }

    /// The next page, or `None` once the chain ended (`nextPageToken` was null). Short and
    /// empty pages do not end the chain; only the missing token does.
    pub async fn next_page(&mut self) -> Result<Option<Page<T>>, PardotError> {
        let url = match &self.next {
            Next::Done => return Ok(None),
            Next::Refused(refusal) => return Err(refusal.to_error()),
            Next::Fetch(url) => url.clone(),
        };
        if !self.client.is_own_origin(&url) {
            return Err(PardotError::HostNotAllowed {
                origin: url.origin().ascii_serialization(),
            });
        }

        let response = self.client.execute(Method::GET, url, None).await?;
        let envelope = QueryEnvelope::<T>::decode(response.status.as_u16(), &response.body)?;
        self.pages += 1;

        let ceiling_reached = match envelope.next_page_token {
            Some(_) => {
                self.next = self.follow(envelope.next_page_url.as_deref());
                false
            }
            None => {
                self.next = Next::Done;
                response.warnings.iter().any(PardotWarning::is_ceiling)
            }
        };
        if ceiling_reached {
            warn!(pages = self.pages, "page chain hit Pardot's record ceiling");
            self.ceiling_reached = true;
        }
        debug!(
            page = self.pages,
            values = envelope.values.len(),
            last = matches!(self.next, Next::Done),
            "Pardot page fetched"
        );

        Ok(Some(Page {
            values: envelope.values,
            warnings: response.warnings,
            ceiling_reached,
        }))
    }

    /// True once the chain ended at the record ceiling.
    pub fn ceiling_reached(&self) -> bool {
        self.ceiling_reached
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u64 {
        self.pages
    }

    /// Decides where a page link leads; checked now, refused on the next call.
    fn follow(&self, link: Option<&str>) -> Next {
        let Some(link) = link else {
            return Next::Refused(Refusal::BadLink {
                detail: "nextPageToken without nextPageUrl".to_owned(),
            });
        };
        let Ok(url) = Url::parse(link) else {
            return Next::Refused(Refusal::BadLink {
                detail: "nextPageUrl is not a valid URL".to_owned(),
            });
        };

        if self.client.is_own_origin(&url) {
            Next::Fetch(url)
        } else {
            Next::Refused(Refusal::ForeignHost {
                origin: url.origin().ascii_serialization(),
            })
        }
    }
}
