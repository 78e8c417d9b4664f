//! The benchmark's cases. Each starts its own stack (moto + simulators) so no case sees
//! another's data or call counts.

pub mod attendance;
pub mod baseline;
pub mod idle;
pub mod lambdas;
pub mod members;
pub mod memory;
pub mod naive;
