//! Settles the External Activities a write-back left unsettled in the ledger: claimed by a
//! process that died before or during the send, or sent without an answer. Pardot is asked
//! which of them it recorded; those are marked written, and those it surely did not record
//! are handed back to be sent again. So the ledger keeps "never twice" and adds "never lost".
//!
//! Pardot's query shows an activity with the prospect it landed on, not the e-mail it was
//! sent with, and like every v5 query it may lag behind a create. So an unsettled activity is
//! sent again only when it is older than the read lag the service allows (`look_back`) and
//! no prospect with its e-mail has it; a younger one waits for a later run.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use sbxy_domain::attendance::{ActivityKind, PlannedActivity, Registrant};
use sbxy_domain::ids::EventId;
use sbxy_domain::settings::ExternalActivityNames;
use sbxy_pardot_client::PardotError;
use sbxy_storage::{ActivityEntry, LedgerEntry};

use super::session::Session;
use super::write_back::Halt;

/// Margin below the oldest unsettled claim where the query starts: Pardot's clock may run
/// behind ours, and a few minutes more only read a few more rows.
const CLOCK_SLACK: Duration = Duration::minutes(15);

/// How far back the query starts for a ledger item without a time (written before the time
/// was kept).
const UNDATED_REACH: Duration = Duration::days(30);

/// An activity planned by this run whose ledger item is unsettled.
pub(super) struct Unsettled {
    pub(super) planned: PlannedActivity,
    pub(super) entry: LedgerEntry,
}

/// What Pardot said about the unsettled activities.
#[derive(Default)]
pub(super) struct Reconciled {
    /// Found in Pardot; the ledger says written now.
    pub(super) confirmed: u64,
    /// Not found, but younger than the read lag: a later run looks again.
    pub(super) waiting: u64,
    /// Not found although older than the read lag: Pardot never recorded them.
    pub(super) resend: Vec<Unsettled>,
}

/// What identifies one of this event's activities in Pardot's answer.
struct Lookup<'a> {
    names: &'a ExternalActivityNames,
    registrants: &'a [Registrant],
    /// (activity type, prospect id) of this event's activities Pardot recorded.
    recorded: HashSet<(String, i64)>,
}

impl Lookup<'_> {
    fn type_name(&self, kind: ActivityKind) -> &str {
        match kind {
            ActivityKind::Show => &self.names.show_type,
            ActivityKind::NoShow => &self.names.no_show_type,
        }
    }

    fn recorded_on(&self, planned: &PlannedActivity, prospects: &[i64]) -> bool {
        let type_name = self.type_name(planned.kind);
        prospects
            .iter()
            .any(|id| self.recorded.contains(&(type_name.to_owned(), *id)))
    }

    /// The registrants' prospects with the activity's e-mail.
    fn registrant_prospects(&self, email: &str) -> Vec<i64> {
        self.registrants
            .iter()
            .filter(|r| r.email_folded == email)
            .map(|r| r.prospect_id.0)
            .collect()
    }
}

/// Asks Pardot about `unsettled` and settles what it can.
pub(super) async fn reconcile(
    s: &Session<'_>,
    event_id: &EventId,
    names: &ExternalActivityNames,
    value: &str,
    registrants: &[Registrant],
    unsettled: Vec<Unsettled>,
) -> Result<Reconciled, Halt> {
    let now = Utc::now();
    let oldest = unsettled
        .iter()
        .map(|u| u.entry.at.unwrap_or(now - UNDATED_REACH))
        .min()
        .unwrap_or(now);
    let lookup = Lookup {
        names,
        registrants,
        recorded: recorded_activities(s, names, value, oldest - CLOCK_SLACK).await?,
    };

    let mut reconciled = Reconciled::default();
    for item in unsettled {
        let mut found = lookup.recorded_on(
            &item.planned,
            &lookup.registrant_prospects(&item.planned.email),
        );
        let young = item
            .entry
            .at
            .is_some_and(|at| now.signed_duration_since(at) < s.ctx.config.look_back);
        if !found && !young {
            // Pardot puts the activity on the most recently active prospect with the e-mail,
            // which need not be one we registered.
            found = lookup.recorded_on(
                &item.planned,
                &prospects_with_email(s, &item.planned.email).await?,
            );
        }

        if found {
            let key = item.planned.ledger_key();
            s.ctx
                .store
                .settle_activity(&s.tenant, event_id, &key, ActivityEntry::Written, now)
                .await
                .map_err(|e| Halt::failed(format!("activity ledger: {e}; retried")))?;
            reconciled.confirmed += 1;
        } else if young {
            reconciled.waiting += 1;
        } else {
            reconciled.resend.push(item);
        }
    }
    tracing::info!(
        confirmed = reconciled.confirmed,
        waiting = reconciled.waiting,
        resend = reconciled.resend.len(),
        "unsettled External Activities checked in Pardot"
    );
    Ok(reconciled)
}

/// (type, prospect id) of every activity of this event's extension and value Pardot recorded
/// since `from`.
async fn recorded_activities(
    s: &Session<'_>,
    names: &ExternalActivityNames,
    value: &str,
    from: DateTime<Utc>,
) -> Result<HashSet<(String, i64)>, Halt> {
    let mut recorded = HashSet::new();
    let mut pager = s.pardot.query_external_activities(&from.fixed_offset());

    while let Some(page) = pager.next_page().await.map_err(query_failed)? {
        for row in page.values {
            if row.extension == names.extension
                && row.value == value
                && let Some(prospect) = row.prospect_id
            {
                recorded.insert((row.activity_type, prospect));
            }
        }
    }
    Ok(recorded)
}

/// Every prospect id Pardot has for `email`.
async fn prospects_with_email(s: &Session<'_>, email: &str) -> Result<Vec<i64>, Halt> {
    let prospects = s
        .pardot
        .query_prospects_by_email::<&str>(email, &[])
        .await
        .map_err(query_failed)?;
    Ok(prospects.iter().map(|p| p.id).collect())
}

fn query_failed(err: PardotError) -> Halt {
    Halt::for_pardot(&err).unwrap_or_else(|| {
        Halt::failed(format!(
            "could not check unsettled External Activities in Pardot ({err}); retried"
        ))
    })
}
