//! End-to-end tests of the main job: the product's sync core, talking to a real moto_server
//! and to the simulators over HTTP, exactly as the Lambdas do. Each test starts its own stack
//! on free loopback ports, so tests run in parallel without sharing state.

mod faults;
mod interrupted;
mod paging;
mod sync;
