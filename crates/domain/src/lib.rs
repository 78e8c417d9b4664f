//! The pure domain of sbxy-pardot: the rules and plans of the integration, with no I/O, no async
//! and no AWS or HTTP types. Clients and handlers translate the wire into these types.

pub mod admin_token;
pub mod attendance;
pub mod connect_state;
pub mod cursor;
pub mod email;
pub mod ids;
pub mod link;
pub mod list_link;
pub mod locale;
pub mod plan;
pub mod secret;
pub mod settings;
pub mod status;
pub mod webhook;

pub use secret::Secret;
