//! Lock helpers. A panicking handler must not take the whole simulator down with a poisoned
//! mutex, so every lock recovers the inner state instead of failing.

use std::sync::{Mutex, MutexGuard};

/// Locks `mutex`, recovering the data if a previous holder panicked.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
