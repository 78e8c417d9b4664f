//! No DynamoDB Scan in the product: every `.rs` file under `crates/*/src` is read and any line
//! that builds a Scan request fails the test. Unit-test files (`tests.rs`, `tests/`) are left
//! out, as are benches; the load simulation additionally counts the Scan requests it sees at
//! run time (`checks.no_scan` in target/loadsim/results.json).
//!
//! A Scan reads the whole table: at 10,000 tenants it would cost thousands of read units per
//! tick and grow with every registration. Queries on a key or the sparse index never do.

use std::path::{Path, PathBuf};

/// What building a DynamoDB Scan looks like in Rust with the AWS SDK, whitespace removed.
/// `Iterator::scan` takes two arguments, so `.scan()` with none is the SDK's.
const SCAN_PATTERNS: &[&str] = &[
    ".scan()",
    "operation::scan",
    "ScanInput",
    "ScanOutput",
    "ScanFluentBuilder",
    "ScanPaginator",
    "parallel_scan",
];

/// The lines of `source` that build a Scan, with their 1-based numbers.
fn scan_lines(source: &str) -> Vec<(usize, String)> {
    source
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            SCAN_PATTERNS.iter().any(|p| compact.contains(p))
        })
        .map(|(n, line)| (n + 1, line.trim().to_owned()))
        .collect()
}

fn is_test_file(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c.as_os_str().to_str(), Some("tests" | "benches")))
        || path.file_name().is_some_and(|name| name == "tests.rs")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn the_product_never_scans_dynamodb() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let mut files = Vec::new();
    for krate in std::fs::read_dir(&crates)
        .expect("crates/ is readable")
        .flatten()
    {
        rust_files(&krate.path().join("src"), &mut files);
    }
    assert!(files.len() > 20, "found only {} source files", files.len());

    let mut offending = Vec::new();
    for file in files
        .iter()
        .filter(|f| !is_test_file(f.strip_prefix(&crates).unwrap_or(f.as_path())))
    {
        let source = std::fs::read_to_string(file).expect("source is readable");
        for (line, text) in scan_lines(&source) {
            offending.push(format!("{}:{line}: {text}", file.display()));
        }
    }
    assert!(
        offending.is_empty(),
        "DynamoDB Scan in product code (query a key or the sparse index instead):\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_check_recognises_a_scan_and_not_an_iterator_scan() {
    let sdk = "let out = ddb\n    .scan ()\n    .table_name(t)\n    .send()\n    .await?;";
    let import = "use aws_sdk_dynamodb::operation::scan::ScanOutput;";
    let iterator = "let sums: Vec<u32> = xs.iter().scan(0, |acc, x| Some(*acc + x)).collect();";

    assert_eq!(scan_lines(sdk), vec![(2, ".scan ()".to_owned())]);
    assert_eq!(scan_lines(import).len(), 1);
    assert!(scan_lines(iterator).is_empty());
}
