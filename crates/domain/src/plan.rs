//! The plan for a page of list memberships: which to skip and why, which are already done, and
//! which need a registration or a new access link. Pure, so every rule is tested without I/O.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::cursor::MembershipCursor;
use crate::email::{Email, EmailError};
use crate::ids::{EventId, ListId, MembershipId, ProspectId};
use crate::link::link_fingerprint;

/// Why a membership of a linked list does not lead to a registration. The snake_case names are
/// the keys of the `skipped` counts in status and summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The prospect unsubscribed from this list.
    OptedOut,
    /// The membership was removed from the list (it sits in Pardot's recycle bin).
    MembershipDeleted,
    /// The prospect itself is in the recycle bin.
    ProspectInRecycleBin,
    /// Pardot returned no prospect fields, e.g. the API user may not see this prospect.
    ProspectUnreadable,
    /// The prospect has no e-mail address.
    MissingEmail,
    /// The prospect's e-mail address is malformed.
    InvalidEmail,
    /// STREAMBOXY refused the registration for good (e.g. an e-mail it does not accept); the
    /// log names the membership and the reason.
    RejectedByStreamboxy,
    /// Pardot refused the link write for this prospect for good.
    RejectedByPardot,
}

impl SkipReason {
    /// The stable name used in counts, logs and summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OptedOut => "opted_out",
            Self::MembershipDeleted => "membership_deleted",
            Self::ProspectInRecycleBin => "prospect_in_recycle_bin",
            Self::ProspectUnreadable => "prospect_unreadable",
            Self::MissingEmail => "missing_email",
            Self::InvalidEmail => "invalid_email",
            Self::RejectedByStreamboxy => "rejected_by_streamboxy",
            Self::RejectedByPardot => "rejected_by_pardot",
        }
    }
}

/// The prospect fields that come nested in a membership (`prospect.*` dot notation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProspectView {
    /// The e-mail as stored in Pardot.
    pub email: Option<String>,
    /// First name, passed on to STREAMBOXY.
    pub first_name: Option<String>,
    /// Last name, passed on to STREAMBOXY.
    pub last_name: Option<String>,
    /// True when the prospect is in the recycle bin.
    pub is_deleted: bool,
    /// What the configured link field holds now.
    pub link_value: Option<String>,
}

/// One list membership as the sync sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipView {
    /// Pardot's membership id.
    pub id: MembershipId,
    /// The list.
    pub list_id: ListId,
    /// The prospect.
    pub prospect_id: ProspectId,
    /// Unsubscribed from this list.
    pub opted_out: bool,
    /// Removed from the list.
    pub is_deleted: bool,
    /// When Pardot last changed the membership, in the API user's offset.
    pub updated_at: DateTime<FixedOffset>,
    /// The nested prospect, `None` when Pardot returned `null`.
    pub prospect: Option<ProspectView>,
}

impl MembershipView {
    /// The membership's place in the cursor order.
    pub fn position(&self) -> MembershipCursor {
        MembershipCursor::at(self.updated_at, self.id)
    }
}

/// What the service already knows about a prospect's registration for one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRegistration {
    /// Fingerprint of the access link last written into the prospect's field, if any.
    pub written_link: Option<String>,
}

/// A prospect to register and link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncStep {
    /// The registrant.
    pub prospect_id: ProspectId,
    /// Its e-mail, which decides the event user.
    pub email: Email,
    /// First name for a new event user.
    pub first_name: Option<String>,
    /// Last name for a new event user.
    pub last_name: Option<String>,
    /// False when the prospect is registered already and only its link needs writing.
    pub needs_registration: bool,
    /// The link field's current value, so an unchanged link costs no write.
    pub current_link: Option<String>,
}

/// The decision for one membership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MembershipAction {
    /// Not registered, for this reason.
    Skip(SkipReason),
    /// Registered, and the field still holds the link we wrote: nothing to call.
    UpToDate,
    /// Register and/or write the link.
    Sync(SyncStep),
}

/// A membership of a linked list with its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMembership {
    /// Pardot's membership id, for counting each membership once.
    pub membership_id: MembershipId,
    /// Where the membership sits in the cursor order.
    pub position: MembershipCursor,
    /// The event the list is linked to.
    pub event_id: EventId,
    /// The list.
    pub list_id: ListId,
    /// The prospect; memberships of one prospect are worked in order.
    pub prospect_id: ProspectId,
    /// What to do.
    pub action: MembershipAction,
}

/// Plans a page: memberships of lists that are not linked are left out (they are other teams'
/// lists in the same business unit), every other membership gets exactly one action.
pub fn plan_page(
    memberships: &[MembershipView],
    linked: &HashMap<ListId, EventId>,
    known: &HashMap<(EventId, ProspectId), KnownRegistration>,
) -> Vec<PlannedMembership> {
    memberships
        .iter()
        .filter_map(|membership| {
            let event_id = linked.get(&membership.list_id)?;
            let registration = known.get(&(event_id.clone(), membership.prospect_id));
            Some(PlannedMembership {
                membership_id: membership.id,
                position: membership.position(),
                event_id: event_id.clone(),
                list_id: membership.list_id,
                prospect_id: membership.prospect_id,
                action: decide(membership, registration),
            })
        })
        .collect()
}

fn decide(membership: &MembershipView, known: Option<&KnownRegistration>) -> MembershipAction {
    if membership.is_deleted {
        return MembershipAction::Skip(SkipReason::MembershipDeleted);
    }
    if membership.opted_out {
        return MembershipAction::Skip(SkipReason::OptedOut);
    }
    let Some(prospect) = &membership.prospect else {
        return MembershipAction::Skip(SkipReason::ProspectUnreadable);
    };
    if prospect.is_deleted {
        return MembershipAction::Skip(SkipReason::ProspectInRecycleBin);
    }
    let email = match Email::parse(prospect.email.as_deref()) {
        Ok(email) => email,
        Err(EmailError::Missing) => return MembershipAction::Skip(SkipReason::MissingEmail),
        Err(EmailError::Invalid) => return MembershipAction::Skip(SkipReason::InvalidEmail),
    };

    let field_fingerprint = prospect.link_value.as_deref().map(link_fingerprint);
    let field_holds_our_link =
        known.is_some_and(|k| k.written_link.is_some() && k.written_link == field_fingerprint);
    if field_holds_our_link {
        return MembershipAction::UpToDate;
    }

    MembershipAction::Sync(SyncStep {
        prospect_id: membership.prospect_id,
        email,
        first_name: clean_name(prospect.first_name.as_deref()),
        last_name: clean_name(prospect.last_name.as_deref()),
        needs_registration: known.is_none(),
        current_link: prospect.link_value.clone(),
    })
}

/// Names go to STREAMBOXY as shown to attendees: control characters are dropped, emoji and
/// every script are kept.
fn clean_name(raw: Option<&str>) -> Option<String> {
    let cleaned: String = raw?.chars().filter(|c| !c.is_control()).collect();
    let trimmed = cleaned.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

#[cfg(test)]
mod tests;
