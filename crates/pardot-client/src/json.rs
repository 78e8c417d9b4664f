//! JSON helpers shared by the OAuth and Pardot decoders: error text that never quotes the
//! payload, and lenient field deserializers for values Pardot may send as `null`.

use serde::{Deserialize, Deserializer};

/// Describes a decode failure by position and category only. serde_json's own message quotes
/// offending values, which could be a token or a prospect's e-mail address.
pub(crate) fn describe_error(err: &serde_json::Error) -> String {
    let category = match err.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "not valid JSON",
        serde_json::error::Category::Data => "unexpected JSON shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{category} at line {} column {}", err.line(), err.column())
}

/// Reads a value whose `null` means "empty", e.g. a list name Pardot never leaves unset but a
/// single odd record must not fail a whole page.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
