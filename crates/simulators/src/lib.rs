//! Local simulators of the three outside systems sbxy-pardot talks to: Salesforce OAuth,
//! Pardot (Account Engagement) v5 on a production and a demo host, and STREAMBOXY's Public API
//! (contract v0). One process holds the state of all three, so a test can drive the product
//! against them and then inspect what the product wrote.
//!
//! Start it in-process with [`start`], or run the `sbxy-sim` binary. Everything binds to
//! 127.0.0.1 only.

// Tests may unwrap: a panic there is the assertion.
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod clock;
mod config;
mod control;
pub mod demo_seed;
mod error;
mod faults;
mod handle;
mod http;
mod oauth;
mod pardot;
mod seed;
mod server;
mod shared;
mod stats;
mod streamboxy;
mod sync;

pub use config::{Latency, OAuthOptions, PardotOptions, Ports, SimConfig, StreamboxyOptions};
pub use demo_seed::{demo_seed, demo_seed_json};
pub use error::SimError;
pub use faults::{FaultConfig, FaultKind, FaultRate, LatencyOverride};
pub use handle::{SimHandle, start};
pub use pardot::CEILING_WARNING;
pub use pardot::model::{
    Account, CustomField, Environment, ExternalActivity, ExternalActivityType, Folder, List,
    Membership, Prospect,
};
pub use seed::{
    ApiKeySeed, AttendanceSeed, BusinessUnitSeed, GrantSeed, PardotSeed, RefreshTokenSeed,
    SalesforceSeed, SalesforceUserSeed, Seed, StreamboxySeed, TenantSeed,
};
pub use stats::{DailyUsage, PardotStats, Stats, StreamboxyStats, SystemStats};
pub use streamboxy::model::{Attendance, Event, PropertyDefinition, User};
