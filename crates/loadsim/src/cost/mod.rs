//! The cost model per tenant-month (docs/cost.md): inputs with their sources, the computation,
//! and its Markdown. `sbxy-cost` wires them to files.

pub mod inputs;
pub mod model;
pub mod render;

use std::path::Path;

pub use inputs::Inputs;
pub use model::{CostReport, compute};

use crate::error::LoadSimError;
use crate::results::LoadResults;

/// The inputs from `file`, the measured ones replaced from `results` when that file exists,
/// then `overrides`. Returns the inputs and, when results were used, the names they replaced.
pub fn load_inputs(
    file: &Path,
    results: Option<&Path>,
    overrides: &[(String, f64)],
) -> Result<(Inputs, Option<Vec<&'static str>>), LoadSimError> {
    let mut values = inputs::read_file(file)?;

    let mut replaced = None;
    if let Some(path) = results.filter(|p| p.exists()) {
        let text = std::fs::read_to_string(path).map_err(|e| LoadSimError::file(path, e))?;
        let results: LoadResults = serde_json::from_str(&text)
            .map_err(|e| LoadSimError::Inputs(format!("{}: {e}", path.display())))?;
        replaced = Some(inputs::apply_measured(&mut values, &results)?);
    }
    for (name, value) in overrides {
        inputs::set(&mut values, name, *value)?;
    }
    Ok((Inputs::from_values(&values)?, replaced))
}

/// Writes the report as JSON (`usd_per_tenant_month` at the top level).
pub fn write_json(report: &CostReport, path: &Path) -> Result<(), LoadSimError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| LoadSimError::file(dir, e))?;
    }
    let text = serde_json::to_string_pretty(report)
        .map_err(|e| LoadSimError::Usage(format!("the report does not serialise: {e}")))?;
    std::fs::write(path, text + "\n").map_err(|e| LoadSimError::file(path, e))
}
