//! The resources of contract v0 as Rust types, and the one function that reads a success body.
//!
//! Decoders are lenient where the contract is vague (missing optional fields, `null` strings,
//! state as a string or a number, timestamps with or without a zone) and strict where a wrong
//! guess would silently corrupt data (a missing id, a timestamp that is not one).

mod attendance;
mod event;
mod page;
mod timestamp;
mod user;

pub use attendance::Attendance;
pub use event::{Event, EventState};
pub use page::Page;
pub use user::{AccessLink, Grant, NewUser, User, UserCreated};

use serde::de::DeserializeOwned;

use crate::StreamboxyError;

/// Reads a JSON body into `T`; never panics, whatever the bytes.
///
/// The status goes into the error so an operator can see which answer was unreadable.
pub fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, StreamboxyError> {
    serde_json::from_slice(body).map_err(|err| StreamboxyError::Decode {
        status,
        reason: err.to_string(),
    })
}

/// Deserialises `null` (or a missing field, with `#[serde(default)]`) as the type's default.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    let value: Option<T> = serde::Deserialize::deserialize(deserializer)?;
    Ok(value.unwrap_or_default())
}
