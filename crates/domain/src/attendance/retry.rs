//! When a write-back runs: the poller's catch-up of finished events (a lost webhook, a
//! `Pending` set by an admin, a failure whose retry is due) and the check a job makes when it
//! starts. A failure is retried with growing delays, a bounded number of times, and then waits
//! for the admin; it is never retried on every tick.

use chrono::{DateTime, Duration, Utc};

use super::{AttendanceState, AttendanceTrigger};

/// The delay before each automatic retry of a failed write-back. After the last one, the
/// write-back waits until an admin sets the property to `Pending` again.
pub const RETRY_DELAYS: [Duration; 5] = [
    Duration::minutes(15),
    Duration::minutes(30),
    Duration::hours(1),
    Duration::hours(2),
    Duration::hours(4),
];

/// A job the poller asked for and that has not started yet is not asked for again within
/// this time; after it, the request counts as lost and is repeated.
pub const REQUEST_PATIENCE: Duration = Duration::minutes(10);

/// What the service remembers about an event's write-backs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteBackHistory {
    /// Failed runs in a row.
    pub failures: u32,
    /// When the poller may retry the last failure; `None` after the last retry.
    pub next_retry_at: Option<DateTime<Utc>>,
    /// When the poller last asked for a run.
    pub requested_at: Option<DateTime<Utc>>,
    /// When a run last started.
    pub started_at: Option<DateTime<Utc>>,
}

/// When the poller may retry after `failures` failures in a row, the last at `failed_at`;
/// `None` when the automatic retries are spent.
pub fn next_retry_at(failures: u32, failed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let index = usize::try_from(failures.checked_sub(1)?).ok()?;
    RETRY_DELAYS.get(index).map(|delay| failed_at + *delay)
}

/// What the poller does about one finished event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchUp {
    /// Ask for a write-back.
    Run,
    /// Done: the property says `Success`.
    Done,
    /// A request is on its way; asking again would only queue a duplicate.
    AlreadyRequested,
    /// A failure whose next retry is not due yet.
    RetryAt(DateTime<Utc>),
    /// A failure whose retries are spent: an admin sets `Pending` to run it again.
    WaitsForAdmin,
}

/// Decides for a finished event from its property value (`state`, as read) and its history.
/// A missing, `Pending`, `Processing` (a run that died) or unknown value means "never reached
/// `Success`" and runs.
pub fn catch_up(state: Option<&str>, history: &WriteBackHistory, now: DateTime<Utc>) -> CatchUp {
    let decision = match AttendanceState::parse(state) {
        Some(AttendanceState::Success) => CatchUp::Done,
        Some(AttendanceState::Failed) => failed(history, now),
        _ => CatchUp::Run,
    };
    if decision != CatchUp::Run {
        return decision;
    }

    let waiting = history.requested_at.is_some_and(|asked| {
        now - asked < REQUEST_PATIENCE && history.started_at.is_none_or(|s| s < asked)
    });
    if waiting {
        CatchUp::AlreadyRequested
    } else {
        CatchUp::Run
    }
}

fn failed(history: &WriteBackHistory, now: DateTime<Utc>) -> CatchUp {
    match history.next_retry_at {
        Some(at) if at <= now => CatchUp::Run,
        Some(at) => CatchUp::RetryAt(at),
        // `Failed` typed by hand, with no failure of ours behind it: run.
        None if history.failures == 0 => CatchUp::Run,
        None => CatchUp::WaitsForAdmin,
    }
}

/// Whether a job runs once it starts. The poller's jobs check again, because the state may
/// have changed since they were asked for; every other trigger always runs.
pub fn should_run(
    trigger: AttendanceTrigger,
    state: Option<&str>,
    history: &WriteBackHistory,
    now: DateTime<Utc>,
) -> bool {
    match trigger {
        AttendanceTrigger::Poller => {
            let history = WriteBackHistory {
                requested_at: None,
                ..*history
            };
            catch_up(state, &history, now) == CatchUp::Run
        }
        AttendanceTrigger::Webhook | AttendanceTrigger::Rerun | AttendanceTrigger::Runner => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid instant")
    }

    #[test]
    fn missing_pending_processing_and_unknown_values_run() {
        let none = WriteBackHistory::default();

        for state in [None, Some("Pending"), Some("Processing"), Some("done?")] {
            assert_eq!(catch_up(state, &none, now()), CatchUp::Run, "{state:?}");
        }
        assert_eq!(catch_up(Some("Success"), &none, now()), CatchUp::Done);
    }

    #[test]
    fn failures_are_retried_with_growing_delays_and_then_wait_for_the_admin() {
        let delays: Vec<Duration> = (1..=5)
            .map(|n| next_retry_at(n, now()).expect("a retry") - now())
            .collect();

        assert!(delays.windows(2).all(|w| w[0] < w[1]), "{delays:?}");
        assert_eq!(next_retry_at(6, now()), None);
        assert_eq!(next_retry_at(0, now()), None);

        let due_later = WriteBackHistory {
            failures: 1,
            next_retry_at: next_retry_at(1, now()),
            ..WriteBackHistory::default()
        };
        let spent = WriteBackHistory {
            failures: 6,
            next_retry_at: None,
            ..WriteBackHistory::default()
        };
        let state = Some("Failed: the Show list is dynamic");
        assert!(matches!(
            catch_up(state, &due_later, now()),
            CatchUp::RetryAt(_)
        ));
        assert_eq!(
            catch_up(state, &due_later, now() + Duration::minutes(15)),
            CatchUp::Run
        );
        assert_eq!(catch_up(state, &spent, now()), CatchUp::WaitsForAdmin);
        assert_eq!(catch_up(Some("Pending"), &spent, now()), CatchUp::Run);
    }

    #[test]
    fn a_fresh_request_is_not_repeated_but_a_lost_one_is() {
        let asked = WriteBackHistory {
            requested_at: Some(now() - Duration::minutes(2)),
            ..WriteBackHistory::default()
        };
        let lost = WriteBackHistory {
            requested_at: Some(now() - Duration::minutes(11)),
            ..WriteBackHistory::default()
        };
        let started = WriteBackHistory {
            requested_at: Some(now() - Duration::minutes(2)),
            started_at: Some(now() - Duration::minutes(1)),
            ..WriteBackHistory::default()
        };

        assert_eq!(catch_up(None, &asked, now()), CatchUp::AlreadyRequested);
        assert_eq!(catch_up(None, &lost, now()), CatchUp::Run);
        assert_eq!(catch_up(None, &started, now()), CatchUp::Run);
    }

    #[test]
    fn only_the_pollers_jobs_respect_success_and_delays() {
        let history = WriteBackHistory {
            requested_at: Some(now()),
            ..WriteBackHistory::default()
        };

        assert!(!should_run(
            AttendanceTrigger::Poller,
            Some("Success"),
            &history,
            now()
        ));
        assert!(should_run(AttendanceTrigger::Poller, None, &history, now()));
        assert!(should_run(
            AttendanceTrigger::Webhook,
            Some("Success"),
            &history,
            now()
        ));
        assert!(should_run(
            AttendanceTrigger::Rerun,
            Some("Success"),
            &history,
            now()
        ));
    }
}
