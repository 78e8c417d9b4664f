//! External Activities of a write-back: one per registrant e-mail and kind (Show or No Show).
//!
//! Pardot's API takes only an e-mail and picks that e-mail's most recently active prospect,
//! so two prospects sharing an e-mail get one activity. The ledger key is
//! (event, folded e-mail, kind), which is what "never written twice" is kept by.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use super::{AttendanceFacts, AttendanceSplit, Registrant};
use crate::ids::ProspectId;

pub use super::plan::ListRole as ActivityKind;

/// Pardot refuses an activity `value` longer than this.
pub const MAX_ACTIVITY_VALUE: usize = 100;

/// One activity to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedActivity {
    /// The folded e-mail; the ledger and Pardot both match on it.
    pub email: String,
    /// Show or No Show.
    pub kind: ActivityKind,
    /// The first join for a Show, else the event's end (or the run's time without one).
    pub activity_date: DateTime<Utc>,
}

impl PlannedActivity {
    /// The ledger key below the event: `<kind>#<folded e-mail>`.
    pub fn ledger_key(&self) -> String {
        format!("{}#{}", self.kind.as_str(), self.email)
    }
}

/// The activity `value`: the event id, cut to Pardot's 100 characters (a GUID has 36).
pub fn activity_value(event_id: &str) -> String {
    event_id.chars().take(MAX_ACTIVITY_VALUE).collect()
}

/// Plans the activities of a split: one per (folded e-mail, kind). An e-mail shared by a
/// Show and a No Show registrant (two prospects, two event users) gets both, as the lists do.
pub fn plan_activities(
    registrants: &[Registrant],
    split: &AttendanceSplit,
    facts: &AttendanceFacts,
    event_end: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Vec<PlannedActivity> {
    let shows: HashSet<ProspectId> = split.show.iter().copied().collect();
    let fallback = event_end.unwrap_or(now);
    let mut planned: BTreeMap<(String, &'static str), PlannedActivity> = BTreeMap::new();

    for registrant in registrants {
        let email = registrant.email_folded.trim().to_lowercase();
        if email.is_empty() {
            continue;
        }
        let kind = if shows.contains(&registrant.prospect_id) {
            ActivityKind::Show
        } else {
            ActivityKind::NoShow
        };
        let activity_date = match kind {
            ActivityKind::Show => facts
                .first_join_by_user
                .get(&registrant.user_id)
                .or_else(|| facts.first_join_by_email.get(&email))
                .copied()
                .unwrap_or(fallback),
            ActivityKind::NoShow => fallback,
        };
        planned
            .entry((email.clone(), kind.as_str()))
            .and_modify(|known| known.activity_date = known.activity_date.min(activity_date))
            .or_insert(PlannedActivity {
                email,
                kind,
                activity_date,
            });
    }
    planned.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::{AttendanceRow, split_attendance};
    use crate::ids::EventUserId;

    fn at(hour: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2027-01-20T{hour:02}:00:00Z"))
            .expect("valid time")
            .with_timezone(&Utc)
    }

    fn registrant(prospect: i64, user: &str, email: &str) -> Registrant {
        Registrant {
            prospect_id: ProspectId(prospect),
            user_id: EventUserId::parse(user).expect("user id"),
            email_folded: email.into(),
        }
    }

    #[test]
    fn one_activity_per_email_and_kind_dated_by_first_join_or_event_end() {
        let registrants = [
            registrant(1, "u1", "ann@example.com"),
            registrant(2, "u1", "ann@example.com"),
            registrant(3, "u3", "bob@example.com"),
            registrant(4, "u4", ""),
        ];
        let facts = AttendanceFacts::from_rows([AttendanceRow {
            user_id: "u1",
            email: None,
            attended: true,
            first_join: Some(at(9)),
        }]);
        let split = split_attendance(&registrants, &facts.attended_users, &facts.attended_emails);

        let planned = plan_activities(&registrants, &split, &facts, Some(at(15)), at(18));

        assert_eq!(
            planned,
            vec![
                PlannedActivity {
                    email: "ann@example.com".into(),
                    kind: ActivityKind::Show,
                    activity_date: at(9),
                },
                PlannedActivity {
                    email: "bob@example.com".into(),
                    kind: ActivityKind::NoShow,
                    activity_date: at(15),
                },
            ]
        );
        assert_eq!(planned[0].ledger_key(), "Show#ann@example.com");
    }

    #[test]
    fn the_value_is_the_event_id_within_pardots_limit() {
        assert_eq!(activity_value("3f1c2a4b-8d7e"), "3f1c2a4b-8d7e");
        assert_eq!(
            activity_value(&"é".repeat(150)).chars().count(),
            MAX_ACTIVITY_VALUE
        );
    }
}
