//! The application core of sbxy-pardot: configuration, the process context, the list poller
//! and the sync worker. The Lambda binaries and the local runner are thin wrappers around it,
//! so the same code runs in AWS and on a laptop.

pub mod attendance;
pub mod config;
pub mod connection;
pub mod context;
pub mod deadline;
pub mod error;
pub mod metrics;
pub mod poller;
pub mod report;
pub mod settings_check;
pub mod telemetry;
pub mod worker;

pub use config::ServiceConfig;
pub use context::AppContext;
pub use deadline::Deadline;
pub use error::SyncError;
pub use report::{SyncOutcome, SyncReport};
pub use worker::sync_tenant;
