//! Attack suite of the main sync (Pardot list members → STREAMBOXY event users → link written
//! back): random faults, concurrent runs, hostile input, tiny deadlines and secret leaks. Each
//! test starts its own stack on 127.0.0.1 only. Written by the reliability review; the lead
//! decides whether to keep it.

// Tests may unwrap: a panic there is the assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cursor;
mod deadline;
mod faults;
mod inputs;
mod leaks;
mod lease;
mod page;
mod token_shards;
mod util;
