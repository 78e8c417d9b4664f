//! Client for Salesforce OAuth and the Pardot (Account Engagement) API v5, as sbxy-pardot
//! needs it: list members with their prospects, the link field write-back, lists, and
//! external activities. Works against the real hosts and the local simulator alike.
//!
//! Wire reference: `shared/reference/pardot-api.md`. The rules that matter most live here:
//! errors are decided by Pardot's code (not the HTTP status), page chains follow
//! `nextPageUrl` verbatim and end only on a null token, and no business unit ever has more
//! than five requests in flight.

mod backoff;
mod client;
pub mod config;
pub mod error;
mod http;
mod json;
mod limiter;
pub mod model;
pub mod oauth;
pub mod paging;
mod stats;
pub mod token;
pub mod warning;

pub use client::PardotClient;
pub use config::{
    ClientSettings, LoginEndpoints, PardotEndpoints, PardotHost, SalesforceEnvironment,
};
pub use error::PardotError;
pub use http::build_http_client;
pub use limiter::{BusinessUnitSlots, InFlightLimiter, InFlightPermit};
pub use oauth::{Identity, OAuthClient, OAuthError, TokenGrant};
pub use paging::{Page, Pager};
pub use sbxy_domain::Secret;
pub use stats::{CallStats, CallStatsSnapshot};
pub use token::{AccessTokens, RefreshTokenStore, RefreshingTokens, TokenError};
pub use warning::PardotWarning;
