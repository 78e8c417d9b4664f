//! The demo's summary: what one poll did, in the keys `target/demo/summary.json` promises.

use std::collections::BTreeMap;

use sbxy_domain::status::SyncCounts;
use sbxy_sync::SyncReport;
use serde::Serialize;

/// Counts of one list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ListFigures {
    /// Memberships of the list seen.
    pub memberships: u64,
    /// Of them, registered for the event.
    pub registered: u64,
    /// Of them, skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
}

/// What one poll (tick plus sync runs) did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RunFigures {
    /// Memberships of linked lists seen, each once.
    pub memberships: u64,
    /// Memberships whose prospect is registered.
    pub registered: u64,
    /// Memberships skipped, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// Memberships that failed and wait for the next run.
    pub failed: u64,
    /// STREAMBOXY users created.
    pub users_created: u64,
    /// Existing STREAMBOXY users reused.
    pub users_reused: u64,
    /// Event grants made.
    pub grants: u64,
    /// Links written into Pardot.
    pub links_written: u64,
    /// Requests the Pardot simulator answered.
    pub pardot_calls: u64,
    /// Requests the STREAMBOXY simulator answered.
    pub streamboxy_calls: u64,
    /// Per list name.
    pub lists: BTreeMap<String, ListFigures>,
}

impl RunFigures {
    /// Adds up the reports of a poll; the call counts come from the simulators.
    pub fn from_reports(reports: &[SyncReport], pardot_calls: u64, streamboxy_calls: u64) -> Self {
        let mut total = SyncCounts::default();
        let mut lists = BTreeMap::new();
        for report in reports {
            total.add(&report.counts);
            for (name, counts) in &report.lists {
                let list: &mut ListFigures = lists.entry(name.clone()).or_default();
                list.memberships += counts.memberships;
                list.registered += counts.registered;
                for (reason, count) in &counts.skipped {
                    *list.skipped.entry(reason.clone()).or_default() += count;
                }
            }
        }
        Self {
            memberships: total.memberships,
            registered: total.registered,
            skipped: total.skipped,
            failed: total.failed,
            users_created: total.users_created,
            users_reused: total.users_reused,
            grants: total.grants,
            links_written: total.links_written,
            pardot_calls,
            streamboxy_calls,
            lists,
        }
    }

    /// Memberships skipped for any reason.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }

    /// True when every membership is accounted for once: registered or skipped.
    pub fn balanced(&self) -> bool {
        self.failed == 0 && self.registered + self.skipped_total() == self.memberships
    }
}

/// A Show or No Show list as it sits in the Pardot simulator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlacedList {
    /// Pardot's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its folder (the source list's).
    pub folder_id: Option<i64>,
    /// Prospects with an active membership.
    pub members: u64,
}

/// What one end-of-event write-back did, read back from the simulators.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AttendanceFigures {
    /// Prospects registered for the ended event (the service's records).
    pub registrants: u64,
    /// Members of the Show list.
    pub show: u64,
    /// Members of the No Show list.
    pub no_show: u64,
    /// External Activities recorded for the event.
    pub external_activities: u64,
    /// Memberships this run created, restored or removed.
    pub memberships_written: u64,
    /// External Activities this run recorded.
    pub activities_written: u64,
    /// Pardot requests this run made.
    pub pardot_calls: u64,
    /// The Show list.
    pub show_list: Option<PlacedList>,
    /// The No Show list.
    pub no_show_list: Option<PlacedList>,
}

impl AttendanceFigures {
    /// True when every registrant sits in exactly one of the two lists.
    pub fn balanced(&self) -> bool {
        self.show + self.no_show == self.registrants
    }
}

/// The whole demo summary.
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    /// The first poll.
    #[serde(flatten)]
    pub first_run: RunFigures,
    /// The second poll, which should find nothing to do.
    pub second_run: RunFigures,
    /// Prospects registered for the ended event (event 1).
    pub registrants: u64,
    /// Of them, in the Show list.
    pub show: u64,
    /// Of them, in the No Show list.
    pub no_show: u64,
    /// External Activities recorded for the ended event.
    pub external_activities: u64,
    /// The end-of-event write-back started by the webhook.
    pub attendance: AttendanceFigures,
    /// The same write-back once more, which should change nothing.
    pub attendance_second_run: AttendanceFigures,
}
