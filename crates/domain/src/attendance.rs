//! The attendance split: every registrant of an ended event lands in exactly one of Show and
//! No Show, keyed by the prospect that registered.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::ids::{EventUserId, ProspectId};

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
}
