//! A string that must never reach a log line, an error message or test output.

use std::fmt;

/// Holds a token, client secret or signing key.
///
/// `Debug` and `Display` print a fixed placeholder, so a secret that ends up inside a struct
/// that is logged or formatted into an error stays hidden. Call [`Secret::expose`] only at the
/// point where the value goes on the wire.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the wrapped value is empty, which no real secret is.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[test]
    fn formatting_hides_the_value() {
        let secret = Secret::new("5Aep861-refresh");

        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(format!("{secret}"), "***");
        assert_eq!(secret.expose(), "5Aep861-refresh");
    }
}
