//! The figures file: target/reliability/results.json, one object per scenario, merged by
//! name so that scenarios running in parallel threads (or separate invocations) keep each
//! other's figures.

use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::{Map, Value, json};

/// Serialises the read-modify-write of the file between the test threads.
static FILE: Mutex<()> = Mutex::new(());

/// The figures of one scenario.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    /// Sync or write-back runs, crashed ones included.
    pub runs: u64,
    /// Memberships (or registrants) the scenario worked on.
    pub members: u64,
    /// Registrable members missing from the final state.
    pub lost: u64,
    /// Users, grants or activities beyond one per member.
    pub duplicates: u64,
    /// Faulty answers the clients had to absorb by retrying (injected faults, 429s).
    pub retries: u64,
    /// Write requests beyond those of an uninterrupted, fault-free run.
    pub extra_write_attempts: u64,
    /// Scenario-specific figures (crash points, in-flight peak, calls while paused, …).
    pub extra: Map<String, Value>,
}

/// True when the full-size runs were asked for (`RELIABILITY_FULL=1`).
pub(crate) fn full() -> bool {
    std::env::var("RELIABILITY_FULL").is_ok_and(|v| v == "1")
}

/// Merges one scenario's figures into the results file and prints them.
pub(crate) fn record(scenario: &str, figures: &Figures) {
    let mut object = json!({
        "runs": figures.runs,
        "members": figures.members,
        "lost": figures.lost,
        "duplicates": figures.duplicates,
        "retries": figures.retries,
        "extra_write_attempts": figures.extra_write_attempts,
        "size": if full() { "full" } else { "ci" },
    });
    for (key, value) in &figures.extra {
        object[key] = value.clone();
    }
    println!("reliability {scenario}: {object}");

    let _guard = FILE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let path = path();
    std::fs::create_dir_all(path.parent().expect("the file has a directory")).expect("mkdir");
    let mut all: Map<String, Value> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    all.insert(scenario.to_owned(), object);
    let text = serde_json::to_string_pretty(&Value::Object(all)).expect("encodable");
    std::fs::write(&path, text + "\n").expect("results written");
}

fn path() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
        PathBuf::from,
    );
    target.join("reliability/results.json")
}
