//! Errors of starting and feeding the simulator (not the errors it serves on the wire).

use std::path::PathBuf;

/// What went wrong while loading a seed or starting the servers.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The seed file could not be read; check the path.
    #[error("cannot read seed file {path}: {source}")]
    ReadSeed {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The seed is not valid JSON of the documented schema (see the crate README).
    #[error("seed is not valid: {0}")]
    InvalidSeed(String),

    /// A port could not be bound on 127.0.0.1; pick another port or 0 for a free one.
    #[error("cannot bind 127.0.0.1:{port} for {system}: {source}")]
    Bind {
        system: &'static str,
        port: u16,
        #[source]
        source: std::io::Error,
    },
}

impl SimError {
    /// None of these heal by retrying: each needs a different seed, path or port.
    pub fn is_retryable(&self) -> bool {
        false
    }
}
