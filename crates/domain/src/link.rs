//! Access links: which event's link a prospect's single field holds, and how we recognise a
//! link we wrote without storing the URL itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::EventId;

/// A short, stable fingerprint of a link. Stored instead of the URL, because the URL is a
/// credential-like personal join link.
pub fn link_fingerprint(url: &str) -> String {
    let digest = Sha256::digest(url.trim().as_bytes());
    hex::encode(&digest[..16])
}

/// The event whose link a prospect's field shows, and when the prospect was registered for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkTarget {
    /// The event shown first when the link is opened.
    pub event_id: EventId,
    /// When the prospect was registered for that event.
    pub registered_at: DateTime<Utc>,
}

/// Chooses the field's event when a prospect sits on several linked lists: the most recently
/// registered event wins, and an unchanged set of registrations leaves the choice alone (ties
/// keep the current target, so a re-run never flips the link).
pub fn choose_link_target(current: Option<&LinkTarget>, registered: &LinkTarget) -> LinkTarget {
    match current {
        Some(current) if current.registered_at >= registered.registered_at => current.clone(),
        _ => registered.clone(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn target(event: &str, minute: u32) -> LinkTarget {
        LinkTarget {
            event_id: EventId::parse(event).expect("event id"),
            registered_at: Utc.with_ymd_and_hms(2026, 12, 1, 10, minute, 0).unwrap(),
        }
    }

    #[test]
    fn the_most_recent_registration_wins() {
        assert_eq!(
            choose_link_target(Some(&target("e1", 0)), &target("e2", 5)),
            target("e2", 5)
        );
        assert_eq!(
            choose_link_target(Some(&target("e2", 5)), &target("e1", 0)),
            target("e2", 5)
        );
        assert_eq!(choose_link_target(None, &target("e1", 0)), target("e1", 0));
    }

    #[test]
    fn a_rerun_keeps_the_current_target() {
        assert_eq!(
            choose_link_target(Some(&target("e1", 3)), &target("e2", 3)),
            target("e1", 3)
        );
    }

    #[test]
    fn fingerprints_ignore_surrounding_whitespace_and_hide_the_url() {
        let fingerprint = link_fingerprint("https://x/join/abc");

        assert_eq!(fingerprint, link_fingerprint(" https://x/join/abc\n"));
        assert_eq!(fingerprint.len(), 32);
        assert!(!fingerprint.contains("join"));
    }
}
