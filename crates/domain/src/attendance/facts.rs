//! Who joined, reduced from STREAMBOXY's attendance rows to what the split and the External
//! Activities need: the attended users and e-mails, and each one's first join.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::ids::EventUserId;

/// One attendance row as the adapter read it.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendanceRow<'a> {
    /// The tenant user.
    pub user_id: &'a str,
    /// The user's e-mail, when STREAMBOXY sends it.
    pub email: Option<&'a str>,
    /// STREAMBOXY's own verdict.
    pub attended: bool,
    /// When the user first joined the main session.
    pub first_join: Option<DateTime<Utc>>,
}

/// The attendance of one event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttendanceFacts {
    /// Users who joined.
    pub attended_users: HashSet<EventUserId>,
    /// Folded e-mails of users who joined, for rows whose user id we do not know.
    pub attended_emails: HashSet<String>,
    /// The earliest join per user.
    pub first_join_by_user: HashMap<EventUserId, DateTime<Utc>>,
    /// The earliest join per folded e-mail.
    pub first_join_by_email: HashMap<String, DateTime<Utc>>,
}

impl AttendanceFacts {
    /// Collects the rows; a row whose user id is not a valid id still counts by its e-mail.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = AttendanceRow<'a>>) -> Self {
        let mut facts = Self::default();

        for row in rows.into_iter().filter(|r| r.attended) {
            let user = EventUserId::parse(row.user_id).ok();
            let email = row
                .email
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty());
            if let Some(user) = &user {
                facts.attended_users.insert(user.clone());
            }
            if let Some(email) = &email {
                facts.attended_emails.insert(email.clone());
            }
            let Some(at) = row.first_join else { continue };
            if let Some(user) = user {
                keep_earliest(&mut facts.first_join_by_user, user, at);
            }
            if let Some(email) = email {
                keep_earliest(&mut facts.first_join_by_email, email, at);
            }
        }
        facts
    }
}

fn keep_earliest<K: std::hash::Hash + Eq>(
    map: &mut HashMap<K, DateTime<Utc>>,
    key: K,
    at: DateTime<Utc>,
) {
    map.entry(key)
        .and_modify(|first| *first = (*first).min(at))
        .or_insert(at);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("2027-01-20T{hour:02}:00:00Z"))
            .expect("valid time")
            .with_timezone(&Utc)
    }

    #[test]
    fn only_attended_rows_count_and_the_earliest_join_wins() {
        let rows = [
            AttendanceRow {
                user_id: "u1",
                email: Some(" Ann@Example.com "),
                attended: true,
                first_join: Some(at(11)),
            },
            AttendanceRow {
                user_id: "u1",
                email: None,
                attended: true,
                first_join: Some(at(9)),
            },
            AttendanceRow {
                user_id: "u2",
                email: Some("bob@example.com"),
                attended: false,
                first_join: Some(at(8)),
            },
            AttendanceRow {
                user_id: "not a valid id",
                email: Some("eve@example.com"),
                attended: true,
                first_join: None,
            },
        ];

        let facts = AttendanceFacts::from_rows(rows);

        let u1 = EventUserId::parse("u1").expect("id");
        assert_eq!(facts.attended_users.len(), 1);
        assert_eq!(facts.first_join_by_user.get(&u1), Some(&at(9)));
        assert_eq!(
            facts.first_join_by_email.get("ann@example.com"),
            Some(&at(11))
        );
        assert!(facts.attended_emails.contains("eve@example.com"));
        assert!(!facts.attended_emails.contains("bob@example.com"));
    }
}
