//! Integration tests of the simulators: each test starts its own instance on free ports and
//! talks to it with reqwest, the way the product's clients will.

// Tests may unwrap: a panic there is the assertion.
#![allow(clippy::unwrap_used)]

mod common;
mod demo;
mod faults;
mod fixtures_shape;
mod oauth;
mod pardot_errors;
mod pardot_imports;
mod pardot_objects;
mod pardot_paging;
mod process;
mod streamboxy;
