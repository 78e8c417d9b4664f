//! Counting the bytes of the product's log lines, formatted as the Lambdas format them (JSON
//! lines at `info`, see crates/sync/src/telemetry.rs), per run: what CloudWatch Logs would
//! ingest. The lines themselves are dropped; only their length is kept.

use std::io;

use tracing_subscriber::EnvFilter;

use crate::meter::record_log_bytes;

/// Installs the counting subscriber for the whole process. The simulators' and this crate's
/// own lines are filtered out: they are not the product. Returns false when another subscriber
/// was installed first, in which case log bytes stay 0.
pub fn install_log_meter() -> bool {
    let filter = EnvFilter::new("info,sbxy_simulators=off,sbxy_harness=off,sbxy_loadsim=off");
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| CountingWriter)
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .try_init()
        .is_ok()
}

/// A writer that counts what it is given towards the current run's usage.
struct CountingWriter;

impl io::Write for CountingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        record_log_bytes(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
