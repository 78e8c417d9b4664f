//! What an admin reads about a tenant and its linked events: counts, the last problem in plain
//! words, and what to do about it.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A problem that stops some or all of a tenant's sync until someone acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SyncProblem {
    /// No Pardot list has the name in the event property.
    ListMissing {
        /// The name that was looked up.
        name: String,
    },
    /// Several Pardot lists have that name.
    ListAmbiguous {
        /// The name that was looked up.
        name: String,
        /// The lists that share it.
        list_ids: Vec<i64>,
    },
    /// The event property holds something that cannot be a list name.
    ListNameInvalid {
        /// Why.
        reason: String,
    },
    /// Salesforce no longer accepts the refresh token.
    ReconnectNeeded,
    /// The business unit spent its daily API budget.
    DailyLimitReached {
        /// When the sync resumes.
        until: DateTime<Utc>,
    },
    /// Pardot refused the connection's configuration (codes 181, 182, 201, 49).
    Configuration {
        /// Pardot's error code.
        code: i64,
        /// What Pardot said, with our hint.
        detail: String,
    },
    /// The configured link field does not exist (any more) in Pardot.
    LinkFieldMissing {
        /// The field name.
        field: String,
    },
    /// A passing fault; the next run retries.
    Transient {
        /// What failed.
        detail: String,
    },
}

impl SyncProblem {
    /// The problem in plain words.
    pub fn message(&self) -> String {
        match self {
            Self::ListMissing { name } => format!("no Pardot list is named \"{name}\""),
            Self::ListAmbiguous { name, list_ids } => {
                format!(
                    "{} Pardot lists are named \"{name}\": {list_ids:?}",
                    list_ids.len()
                )
            }
            Self::ListNameInvalid { reason } => reason.clone(),
            Self::ReconnectNeeded => "Salesforce no longer accepts the connection".into(),
            Self::DailyLimitReached { until } => {
                format!("the business unit's daily Pardot API budget is spent until {until}")
            }
            Self::Configuration { code, detail } => {
                format!("Pardot refused (code {code}): {detail}")
            }
            Self::LinkFieldMissing { field } => {
                format!("the prospect field \"{field}\" does not exist in Pardot")
            }
            Self::Transient { detail } => format!("a temporary error: {detail}"),
        }
    }

    /// What the admin should do next.
    pub fn action(&self) -> &'static str {
        match self {
            Self::ListMissing { .. } => {
                "create the list in Pardot, or correct the Pardot list name in the event's \
                 custom properties"
            }
            Self::ListAmbiguous { .. } => "rename all but one of the lists in Pardot",
            Self::ListNameInvalid { .. } => "correct the Pardot list name in the event",
            Self::ReconnectNeeded => "reconnect: press \"Mit Pardot verbinden\" again",
            Self::DailyLimitReached { .. } => "wait; the sync resumes after the daily reset",
            Self::Configuration { .. } => {
                "check the Business Unit ID, the environment (production or sandbox) and the \
                 Salesforce user's access to the business unit"
            }
            Self::LinkFieldMissing { .. } => "choose an existing prospect field for the SSO link",
            Self::Transient { .. } => "nothing; the next run retries",
        }
    }

    /// True when retrying without a change by the admin cannot help.
    pub fn needs_admin(&self) -> bool {
        !matches!(
            self,
            Self::Transient { .. } | Self::DailyLimitReached { .. }
        )
    }
}

/// Counts of one run or one event, as shown in status and the demo summary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncCounts {
    /// Memberships of linked lists seen, each once.
    pub memberships: u64,
    /// Memberships whose prospect is registered for the event.
    pub registered: u64,
    /// Memberships not registered, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// STREAMBOXY users created.
    pub users_created: u64,
    /// Existing STREAMBOXY users reused.
    pub users_reused: u64,
    /// Event grants made.
    pub grants: u64,
    /// Access links written to Pardot.
    pub links_written: u64,
    /// Memberships that failed and will be retried.
    pub failed: u64,
}

impl SyncCounts {
    /// Adds another set of counts to this one.
    pub fn add(&mut self, other: &Self) {
        self.memberships += other.memberships;
        self.registered += other.registered;
        for (reason, count) in &other.skipped {
            *self.skipped.entry(reason.clone()).or_default() += count;
        }
        self.users_created += other.users_created;
        self.users_reused += other.users_reused;
        self.grants += other.grants;
        self.links_written += other.links_written;
        self.failed += other.failed;
    }

    /// Memberships that were skipped, whatever the reason.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_add_up_per_reason() {
        let mut total = SyncCounts::default();
        let run = SyncCounts {
            memberships: 3,
            registered: 2,
            skipped: BTreeMap::from([("opted_out".into(), 1)]),
            ..SyncCounts::default()
        };

        total.add(&run);
        total.add(&run);

        assert_eq!(total.memberships, 6);
        assert_eq!(total.skipped_total(), 2);
        assert_eq!(total.registered + total.skipped_total(), total.memberships);
    }

    #[test]
    fn problems_say_what_to_do() {
        let missing = SyncProblem::ListMissing {
            name: "Webinar".into(),
        };

        assert!(missing.message().contains("Webinar"));
        assert!(missing.action().contains("list name"));
        assert!(missing.needs_admin());
        assert!(
            !SyncProblem::Transient {
                detail: "timeout".into()
            }
            .needs_admin()
        );
    }
}
