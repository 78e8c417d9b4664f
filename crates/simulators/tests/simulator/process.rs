//! The `sbxy-sim` binary: one ready line on stdout (and in --ready-file), serving until
//! SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::common::http;

#[tokio::test]
async fn binary_prints_one_ready_line_and_stops_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("sbxy-sim-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    let ready_file = dir.join("ready.json");
    std::fs::write(&seed, sbxy_simulators::demo_seed_json()).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_sbxy-sim"))
        .args([
            "--seed",
            seed.to_str().unwrap(),
            "--ready-file",
            ready_file.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).expect("one JSON line");
    assert_eq!(
        std::fs::read_to_string(&ready_file).unwrap().trim(),
        line.trim()
    );
    for key in ["oauth", "pardot", "pardot_demo", "streamboxy"] {
        assert!(
            ready[key]
                .as_str()
                .unwrap()
                .starts_with("http://127.0.0.1:")
        );
    }

    let stats = http()
        .get(format!("{}/_sim/stats", ready["pardot"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(stats.status(), 200);

    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "clean exit on SIGTERM, got {status}");
    let _ = std::fs::remove_dir_all(&dir);
}
