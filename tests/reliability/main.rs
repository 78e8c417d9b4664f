//! Reliability scenarios of issue 6, measured: faults at 10 %, a worker crashed at random
//! points, concurrent workers and webhooks, and the daily budget and revoked grants. Each
//! scenario starts its own stack on 127.0.0.1, asserts that nothing is lost or duplicated, and
//! writes its figures to target/reliability/results.json (see docs/reliability.md).
//!
//! The default sizes fit `make test`; `RELIABILITY_FULL=1` runs the full sizes of the issue
//! (2,000 members at 10 % faults, 50 crash points).

// Tests may unwrap: a panic there is the assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod concurrency;
mod crash;
mod faults;
mod limits;
mod results;
mod state;
