//! The load simulation and the cost model of sbxy-pardot (issue 9).
//!
//! `sbxy-loadsim` runs the list poller and the sync workers in one process against moto and
//! the simulators with a fleet of tenants (1,000 by default), tick by tick, and measures what a
//! tick costs: wall time, DynamoDB requests (counted by an interceptor on the product's SDK
//! clients, see [`meter`]), Pardot requests per tenant, and the largest number of requests in
//! flight for any one business unit. `sbxy-cost` turns those measurements and the public AWS
//! prices into a cost per tenant-month (docs/cost.md).

pub mod cost;
pub mod docs;
pub mod emf;
pub mod error;
pub mod fleet;
pub mod logs;
pub mod meter;
pub mod report;
pub mod results;
pub mod run;
pub mod scale;
pub mod sim;
pub mod stats;
pub mod units;

use std::path::{Path, PathBuf};

pub use error::LoadSimError;
pub use results::LoadResults;
pub use run::{LoadOptions, run};

/// The workspace root, for the default paths of both tools.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the simulation's results go, below the workspace root.
pub const RESULTS_PATH: &str = "target/loadsim/results.json";

/// Writes `results.json` and, when `doc` is given, the simulation's section of that file.
pub fn write_outputs(
    results: &LoadResults,
    options: &LoadOptions,
    json_path: &Path,
    doc: Option<&Path>,
) -> Result<(), LoadSimError> {
    if let Some(dir) = json_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| LoadSimError::file(dir, e))?;
    }
    let text = serde_json::to_string_pretty(results)
        .map_err(|e| LoadSimError::Usage(format!("results do not serialise: {e}")))?;
    std::fs::write(json_path, text + "\n").map_err(|e| LoadSimError::file(json_path, e))?;

    if let Some(doc) = doc {
        let body = report::render(results, options);
        docs::write_section(doc, "# Benchmarks", report::BEGIN, report::END, &body)?;
    }
    Ok(())
}
