//! The membership cursor of a business unit: how far the incremental sync has finished work.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::MembershipId;

/// Pardot's v5 reads may lag writes by up to 60 seconds, so each query starts this far before
/// the cursor; memberships seen twice are recognised as already done.
pub const DEFAULT_LOOK_BACK: Duration = Duration::seconds(90);

/// A position in the `updatedAt ASC, id ASC` order of list memberships.
///
/// Pardot renders times in the API user's time zone (`-07:00`), so positions compare as
/// instants in UTC, never as strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MembershipCursor {
    /// The `updatedAt` of the last finished membership, as an instant.
    pub updated_at: DateTime<Utc>,
    /// The id that breaks ties between memberships updated in the same second.
    pub id: MembershipId,
}

impl MembershipCursor {
    /// The cursor of a membership as Pardot rendered it.
    pub fn at(updated_at: DateTime<FixedOffset>, id: MembershipId) -> Self {
        Self {
            updated_at: updated_at.with_timezone(&Utc),
            id,
        }
    }

    /// A cursor before every membership updated at or after `instant`.
    pub fn starting(instant: DateTime<Utc>) -> Self {
        Self {
            updated_at: instant,
            id: MembershipId(i64::MIN),
        }
    }

    /// The `updatedAtAfterOrEqualTo` value for the next query, including the look-back.
    pub fn query_from(&self, look_back: Duration) -> DateTime<Utc> {
        self.updated_at - look_back
    }
}

/// Tracks which memberships of a page are finished, so the cursor only moves past work that is
/// done, even when the page was worked on concurrently and some items failed.
#[derive(Debug, Clone)]
pub struct CursorAdvance {
    current: MembershipCursor,
    first_unfinished: Option<MembershipCursor>,
    highest_finished: Option<MembershipCursor>,
}

impl CursorAdvance {
    /// Starts from the stored cursor.
    pub fn new(current: MembershipCursor) -> Self {
        Self {
            current,
            first_unfinished: None,
            highest_finished: None,
        }
    }

    /// Records the outcome of one membership at `position`.
    pub fn record(&mut self, position: MembershipCursor, finished: bool) {
        if finished {
            self.highest_finished = self.highest_finished.max(Some(position));
        } else {
            self.first_unfinished = Some(match self.first_unfinished {
                Some(earlier) => earlier.min(position),
                None => position,
            });
        }
    }

    /// True once any membership failed: later pages must not move the cursor past it.
    pub fn blocked(&self) -> bool {
        self.first_unfinished.is_some()
    }

    /// The new cursor: the highest finished position below the first unfinished one, never
    /// behind the stored cursor.
    pub fn cursor(&self) -> MembershipCursor {
        let Some(highest) = self.highest_finished else {
            return self.current;
        };
        let candidate = match self.first_unfinished {
            None => highest,
            Some(unfinished) if highest < unfinished => highest,
            Some(unfinished) => MembershipCursor {
                updated_at: unfinished.updated_at,
                id: MembershipId(unfinished.id.0.saturating_sub(1)),
            },
        };
        candidate.max(self.current)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(rfc3339: &str, id: i64) -> MembershipCursor {
        let time = DateTime::parse_from_rfc3339(rfc3339).expect("valid time");
        MembershipCursor::at(time, MembershipId(id))
    }

    #[test]
    fn offsets_compare_as_instants() {
        let pacific = at("2026-11-20T10:00:00-07:00", 1);
        let utc = at("2026-11-20T16:59:59+00:00", 2);

        assert!(utc < pacific, "16:59:59Z is before 17:00:00Z");
        assert_eq!(
            pacific.updated_at,
            Utc.with_ymd_and_hms(2026, 11, 20, 17, 0, 0).unwrap()
        );
    }

    #[test]
    fn the_cursor_stops_before_the_first_failure() {
        let start = at("2026-11-20T10:00:00+00:00", 0);
        let mut advance = CursorAdvance::new(start);

        advance.record(at("2026-11-20T10:01:00+00:00", 5), true);
        advance.record(at("2026-11-20T10:02:00+00:00", 6), false);
        advance.record(at("2026-11-20T10:03:00+00:00", 7), true);

        assert!(advance.blocked());
        let cursor = advance.cursor();
        assert!(cursor < at("2026-11-20T10:02:00+00:00", 6));
        assert!(cursor >= at("2026-11-20T10:01:00+00:00", 5));
    }

    #[test]
    fn the_cursor_never_moves_backwards() {
        let start = at("2026-11-20T10:00:00+00:00", 9);
        let mut advance = CursorAdvance::new(start);

        advance.record(at("2026-11-20T09:59:00+00:00", 3), true);

        assert_eq!(advance.cursor(), start);
    }

    #[test]
    fn look_back_widens_the_query() {
        let cursor = at("2026-11-20T10:00:00+00:00", 1);

        assert_eq!(
            cursor.query_from(Duration::seconds(90)),
            Utc.with_ymd_and_hms(2026, 11, 20, 9, 58, 30).unwrap()
        );
    }
}
