//! Running a product binary as its own process, so its memory is measured apart from the
//! simulators and moto: the environment it gets, and its peak resident set size.
//!
//! The peak is the kernel's high-water mark (`VmHWM` in /proc/<pid>/status), read every few
//! milliseconds while the process lives. It only grows, so the last reading misses at most
//! what the process adds in its final milliseconds, when it is already shutting down.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::AsyncReadExt;
use tokio::process::Command;

/// How often the high-water mark is read.
const SAMPLE_EVERY: Duration = Duration::from_millis(5);

/// What a finished child process left behind.
#[derive(Debug, Clone)]
pub struct Finished {
    pub stdout: String,
    pub wall: Duration,
    /// Peak resident set size in KiB (`None` without /proc).
    pub peak_rss_kib: Option<u64>,
}

/// The product's environment for a child: the stack's variables plus the AWS SDK's local
/// settings, and nothing inherited, so no profile, credential or metadata lookup leaves the
/// machine.
pub fn product_env(stack_env: &HashMap<String, String>) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = stack_env
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (name, value) in [
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("RUST_LOG", "warn"),
    ] {
        env.push((name.to_owned(), value.to_owned()));
    }
    env
}

/// Runs `program args` with exactly `env`, samples its peak RSS, and fails when it exits
/// unsuccessfully (its stderr, kept in `log`, says why).
pub async fn run_measured(
    program: &Path,
    args: &[&str],
    env: &[(String, String)],
    log: &Path,
) -> anyhow::Result<Finished> {
    let stderr =
        std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::from(stderr))
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", program.display()))?;
    let pid = child.id().context("the child has no pid")?;
    let mut stdout = child.stdout.take().context("the child's stdout")?;
    let reader = tokio::spawn(async move {
        let mut text = String::new();
        stdout.read_to_string(&mut text).await.map(|_| text)
    });

    let mut peak = peak_rss_kib(pid);
    let status = loop {
        tokio::select! {
            status = child.wait() => break status?,
            () = tokio::time::sleep(SAMPLE_EVERY) => {
                peak = peak.max(peak_rss_kib(pid));
            }
        }
    };
    let wall = started.elapsed();
    let stdout = reader.await.context("reading the child's stdout")??;
    if !status.success() {
        bail!(
            "{} {} exited with {status}; see {}",
            program.display(),
            args.join(" "),
            log.display()
        );
    }
    Ok(Finished {
        stdout,
        wall,
        peak_rss_kib: peak,
    })
}

/// `VmHWM` of a live process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// A binary in `dir`, when it was built.
pub fn binary(dir: Option<&Path>, name: &str) -> Option<PathBuf> {
    let path = dir?.join(name);
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_has_a_high_water_mark() {
        let kib = peak_rss_kib(std::process::id());

        assert!(kib.is_some_and(|k| k > 0), "{kib:?}");
    }

    #[tokio::test]
    async fn a_child_is_measured_and_its_output_kept() {
        let dir = std::env::temp_dir().join(format!("sbxy-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let env = vec![("PATH".to_owned(), "/usr/bin:/bin".to_owned())];

        let finished = run_measured(
            Path::new("/bin/sh"),
            &["-c", "echo hi"],
            &env,
            &dir.join("sh.log"),
        )
        .await
        .expect("runs");

        assert_eq!(finished.stdout.trim(), "hi");
    }
}
