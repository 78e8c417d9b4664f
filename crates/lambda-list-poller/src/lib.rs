//! The list poller's handler, apart from `main` so a test can feed it the schedule's payload
//! (events/schedule-tick.json) exactly as EventBridge delivers it.

use sbxy_sync::poller::{POLL_SLOTS, PollReport, buckets_of_slot, poll_tick};
use sbxy_sync::{AppContext, SyncError};
use serde_json::Value;

/// Handles one scheduled tick: the minute of the event's `time` picks the slot, and the slot's
/// buckets of syncable tenants are fanned out.
pub async fn handle(ctx: &AppContext, tick: &Value) -> Result<PollReport, SyncError> {
    poll_tick(ctx, &buckets_of_slot(slot_of(tick))).await
}

/// The slot of a tick: its minute modulo [`POLL_SLOTS`]. A retried tick keeps its `time`, so
/// it serves the slot it missed. A tick without a readable time serves slot 0 and says so.
pub fn slot_of(tick: &Value) -> u32 {
    match minute_of(tick) {
        Some(minute) => minute % POLL_SLOTS,
        None => {
            tracing::warn!("the scheduled event has no readable time; serving slot 0");
            0
        }
    }
}

/// The minute of the scheduled event's `time` (`2026-12-04T17:05:00Z`).
fn minute_of(tick: &Value) -> Option<u32> {
    let time = tick.get("time")?.as_str()?;
    time.get(14..16)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_minute_picks_the_slot() {
        assert_eq!(slot_of(&json!({"time": "2026-12-04T17:07:00Z"})), 2);
        assert_eq!(slot_of(&json!({"time": "2026-12-04T17:55:00Z"})), 0);
        assert_eq!(slot_of(&json!({})), 0);
    }
}
