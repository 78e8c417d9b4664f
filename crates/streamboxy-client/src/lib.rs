//! The one adapter that knows STREAMBOXY's Public API.
//!
//! No public reference of that API exists, so this crate implements the project's "contract
//! v0" (docs/streamboxy-api.md): tenant-scoped routes, camelCase JSON, `take`/`skip` pages and
//! RFC 7807 errors. Every guess about the wire is either a [`StreamboxyConfig`] setting or sits
//! in `model`, so a tenant's real OpenAPI document can replace it in one place.

mod access;
mod client;
mod config;
mod error;
mod events;
pub mod model;
mod paging;
mod properties;
mod retry;
mod stats;
mod transport;
mod users;

pub use client::StreamboxyClient;
pub use config::{ConfigError, MAX_PAGE_SIZE, StreamboxyConfig};
pub use error::StreamboxyError;
pub use model::{
    AccessLink, Attendance, Event, EventState, Grant, NewUser, Page, User, UserCreated,
};
pub use properties::{ProcessingState, PropertyDefinition, PropertyNames};
pub use stats::CallStats;
