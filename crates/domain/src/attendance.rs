//! The attendance split: every registrant of an ended event lands in exactly one of Show and
//! No Show, keyed by the prospect that registered. The list plan, the External Activities and
//! the retry rules of the write-back live in the submodules.

mod activity;
mod facts;
mod plan;
mod retry;

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::ids::{EventUserId, ProspectId};

pub use activity::{
    ActivityKind, MAX_ACTIVITY_VALUE, PlannedActivity, activity_value, plan_activities,
};
pub use facts::{AttendanceFacts, AttendanceRow};
pub use plan::{CurrentMembership, ListPlan, ListRole, MembershipStep, plan_lists};
pub use retry::{
    CatchUp, REQUEST_PATIENCE, RETRY_DELAYS, WriteBackHistory, catch_up, next_retry_at, should_run,
};

/// The longest reason written after `Failed: ` into the event property: enough for one plain
/// sentence, short enough for the Backstage's property field.
pub const MAX_FAILED_REASON: usize = 160;

/// The processing state of the Show/No Show write-back, kept in an event custom property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttendanceState {
    /// Waiting for the write-back (also what an admin sets to run it again).
    Pending,
    /// A write-back is running.
    Processing,
    /// Both lists are written.
    Success,
    /// The last write-back failed; the status says why.
    Failed,
}

impl AttendanceState {
    /// Reads the property value; an empty or cleared property means "not done yet".
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw.map(str::trim) {
            Some("Pending") => Some(Self::Pending),
            Some("Processing") => Some(Self::Processing),
            Some("Success") => Some(Self::Success),
            Some(value) if value.starts_with("Failed") => Some(Self::Failed),
            _ => None,
        }
    }

    /// The value written to the property (a failure is written by [`failed_value`]).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Processing => "Processing",
            Self::Success => "Success",
            Self::Failed => "Failed",
        }
    }
}

/// The property value of a failed write-back: `Failed: <reason>`, so the admin reads the
/// reason where they set `Pending` to run it again. The reason is cut at a character
/// boundary to [`MAX_FAILED_REASON`] characters.
pub fn failed_value(reason: &str) -> String {
    let flat = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut short: String = flat.chars().take(MAX_FAILED_REASON).collect();
    if flat.chars().count() > MAX_FAILED_REASON {
        short.push('…');
    }
    if short.is_empty() {
        "Failed".to_owned()
    } else {
        format!("Failed: {short}")
    }
}

/// What started a write-back. Only the poller's catch-up respects `Success` and the retry
/// delays; a webhook, an admin's re-run and the runner always run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceTrigger {
    /// The Backstage's event-state webhook said the event finished.
    Webhook,
    /// The poller found a finished event that never reached `Success`.
    Poller,
    /// An admin asked for a re-run through the admin API.
    Rerun,
    /// Someone ran `sbxy-pardot attendance` by hand.
    Runner,
}

/// How a write-back ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceOutcome {
    /// Every registrant is in its list (and recorded as an activity, when on).
    Success,
    /// Something stopped it; the property says `Failed: <reason>`.
    Failed,
    /// The deadline came first; the property is `Pending` again and the poller finishes it.
    Partial,
    /// Nothing to do: not finished, not linked, switched off, or already done.
    Skipped,
    /// Another worker held the business unit's lease for too long.
    Busy,
}

/// The figures of one write-back, for the report, the status and the demo summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AttendanceCounts {
    /// Prospects this service registered for the event.
    pub registrants: u64,
    /// Of them, who joined.
    pub show: u64,
    /// Of them, who did not.
    pub no_show: u64,
    /// Memberships created.
    pub added: u64,
    /// Archived memberships made active again.
    pub restored: u64,
    /// Memberships removed because the registrant belongs in the other list now.
    pub removed: u64,
    /// Memberships already as they should be (code 58 included).
    pub unchanged: u64,
    /// Registrants Pardot no longer has (recycle bin or deleted); left out.
    pub prospects_gone: u64,
    /// Membership writes that failed.
    pub failed: u64,
    /// External Activities recorded in this run.
    pub activities_written: u64,
    /// External Activities the ledger already had.
    pub activities_known: u64,
    /// External Activities sent without an answer: maybe recorded, never sent again.
    pub activities_uncertain: u64,
    /// External Activities Pardot refused for this e-mail (no prospect has it).
    pub activities_refused: u64,
}

impl AttendanceCounts {
    /// True when the run changed nothing in Pardot.
    pub fn changed_nothing(&self) -> bool {
        self.added + self.restored + self.removed + self.activities_written == 0
    }
}

/// A prospect this service registered for the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registrant {
    /// The prospect that registered; the memberships go to this id.
    pub prospect_id: ProspectId,
    /// The event user it became.
    pub user_id: EventUserId,
    /// The folded e-mail, for attendance records that carry no user id.
    pub email_folded: String,
}

/// Who came and who did not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttendanceSplit {
    /// Registrants who joined the main session.
    pub show: Vec<ProspectId>,
    /// Registrants who did not.
    pub no_show: Vec<ProspectId>,
}

/// Splits registrants by attendance. A registrant counts as a Show when its event user, or its
/// e-mail, is among those who joined; two prospects sharing an e-mail share one event user and
/// so share the outcome.
pub fn split_attendance(
    registrants: &[Registrant],
    attended_users: &HashSet<EventUserId>,
    attended_emails: &HashSet<String>,
) -> AttendanceSplit {
    let mut split = AttendanceSplit::default();

    for registrant in registrants {
        let attended = attended_users.contains(&registrant.user_id)
            || attended_emails.contains(&registrant.email_folded);
        if attended {
            split.show.push(registrant.prospect_id);
        } else {
            split.no_show.push(registrant.prospect_id);
        }
    }
    split
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registrant(prospect: i64, user: &str, email: &str) -> Registrant {
        Registrant {
            prospect_id: ProspectId(prospect),
            user_id: EventUserId::parse(user).expect("user id"),
            email_folded: email.into(),
        }
    }

    #[test]
    fn each_registrant_lands_in_exactly_one_list() {
        let registrants = [
            registrant(1, "u1", "a@example.com"),
            registrant(2, "u2", "b@example.com"),
            registrant(3, "u1", "a@example.com"),
            registrant(4, "u4", "d@example.com"),
        ];
        let users = HashSet::from([EventUserId::parse("u1").expect("id")]);
        let emails = HashSet::from(["d@example.com".to_owned()]);

        let split = split_attendance(&registrants, &users, &emails);

        assert_eq!(
            split.show,
            vec![ProspectId(1), ProspectId(3), ProspectId(4)]
        );
        assert_eq!(split.no_show, vec![ProspectId(2)]);
    }

    #[test]
    fn states_parse_and_unknown_values_mean_not_done() {
        assert_eq!(
            AttendanceState::parse(Some("Success")),
            Some(AttendanceState::Success)
        );
        assert_eq!(
            AttendanceState::parse(Some("Failed: list")),
            Some(AttendanceState::Failed)
        );
        assert_eq!(AttendanceState::parse(None), None);
        assert_eq!(AttendanceState::parse(Some("")), None);
    }

    #[test]
    fn a_failure_is_written_with_a_short_readable_reason() {
        let long = "word ".repeat(100);

        let value = failed_value(&long);

        assert!(value.starts_with("Failed: word word"));
        assert_eq!(
            value.chars().count(),
            "Failed: ".len() + MAX_FAILED_REASON + 1
        );
        assert_eq!(failed_value("  \n "), "Failed");
        assert_eq!(
            AttendanceState::parse(Some(&failed_value("list \"X Show\" is dynamic"))),
            Some(AttendanceState::Failed)
        );
    }
}
