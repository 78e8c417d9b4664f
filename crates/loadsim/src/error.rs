//! What can stop the load simulation or the cost computation, each saying what to do.

use std::path::PathBuf;

/// A failure of the load simulation or the cost model.
#[derive(Debug, thiserror::Error)]
pub enum LoadSimError {
    /// The generated fleet was refused (a bug in the generator, not in the product).
    #[error("the simulated fleet could not be built: {0}")]
    Fleet(String),
    /// moto or the simulators did not start.
    #[error("the local stack did not start: {0} (run `make tools` to install moto)")]
    Stack(String),
    /// The product's storage failed while the fleet was set up or a tick ran.
    #[error("storage failed: {0}")]
    Storage(#[from] sbxy_storage::StorageError),
    /// The poller or a sync run failed its own bookkeeping.
    #[error("the sync core failed: {0}")]
    Sync(#[from] sbxy_sync::SyncError),
    /// moto refused a request the simulation itself made (not the product's).
    #[error("moto refused the simulation's {operation}: {detail}")]
    Aws {
        /// The operation.
        operation: &'static str,
        /// moto's answer.
        detail: String,
    },
    /// The simulator refused churn data.
    #[error("the simulator refused a seed: {0}")]
    Seed(#[from] sbxy_simulators::SimError),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A cost input is missing, unknown or not a number; the message names it.
    #[error("cost inputs: {0}")]
    Inputs(String),
    /// The command line was not understood; the message shows the usage.
    #[error("{0}")]
    Usage(String),
    /// A property the simulation must show did not hold (e.g. a business unit over its cap).
    #[error("check failed: {0}")]
    Check(String),
}

impl LoadSimError {
    /// The process exit code: 2 when the product broke a promise, 1 when the tool failed.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Check(_) => 2,
            _ => 1,
        }
    }

    pub(crate) fn file(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::File {
            path: path.into(),
            source,
        }
    }
}
