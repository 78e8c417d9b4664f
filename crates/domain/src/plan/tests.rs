//! Tests of the membership plan.

use super::*;

fn membership(id: i64, list: i64, prospect: i64) -> MembershipView {
    MembershipView {
        id: MembershipId(id),
        list_id: ListId(list),
        prospect_id: ProspectId(prospect),
        opted_out: false,
        is_deleted: false,
        updated_at: DateTime::parse_from_rfc3339("2026-11-20T10:00:00-07:00").expect("time"),
        prospect: Some(ProspectView {
            email: Some(format!(" User{prospect}@Example.com ")),
            first_name: Some("Jürgen".into()),
            last_name: Some("Müller".into()),
            is_deleted: false,
            link_value: None,
        }),
    }
}

fn event(id: &str) -> EventId {
    EventId::parse(id).expect("event id")
}

fn linked() -> HashMap<ListId, EventId> {
    HashMap::from([(ListId(10), event("e1")), (ListId(20), event("e2"))])
}

fn only_action(memberships: &[MembershipView]) -> MembershipAction {
    let planned = plan_page(memberships, &linked(), &HashMap::new());
    assert_eq!(planned.len(), 1);
    planned[0].action.clone()
}

#[test]
fn unlinked_lists_are_left_out() {
    let planned = plan_page(&[membership(1, 99, 5)], &linked(), &HashMap::new());

    assert!(planned.is_empty());
}

#[test]
fn a_new_member_is_registered_with_a_trimmed_email() {
    let MembershipAction::Sync(step) = only_action(&[membership(1, 10, 5)]) else {
        panic!("expected a sync step");
    };

    assert!(step.needs_registration);
    assert_eq!(step.email.as_str(), "User5@Example.com");
    assert_eq!(step.email.folded(), "user5@example.com");
    assert_eq!(step.last_name.as_deref(), Some("Müller"));
}

#[test]
fn every_skip_reason_is_decided_in_order() {
    let mut deleted = membership(1, 10, 5);
    deleted.is_deleted = true;
    deleted.opted_out = true;
    let mut opted_out = membership(1, 10, 5);
    opted_out.opted_out = true;
    let mut unreadable = membership(1, 10, 5);
    unreadable.prospect = None;
    let mut recycled = membership(1, 10, 5);
    recycled.prospect.as_mut().expect("prospect").is_deleted = true;
    let mut no_email = membership(1, 10, 5);
    no_email.prospect.as_mut().expect("prospect").email = None;
    let mut bad_email = membership(1, 10, 5);
    bad_email.prospect.as_mut().expect("prospect").email = Some("not an address".into());

    let cases = [
        (deleted, SkipReason::MembershipDeleted),
        (opted_out, SkipReason::OptedOut),
        (unreadable, SkipReason::ProspectUnreadable),
        (recycled, SkipReason::ProspectInRecycleBin),
        (no_email, SkipReason::MissingEmail),
        (bad_email, SkipReason::InvalidEmail),
    ];
    for (view, reason) in cases {
        assert_eq!(only_action(&[view]), MembershipAction::Skip(reason));
    }
}

#[test]
fn a_registered_member_whose_field_holds_our_link_costs_nothing() {
    let mut view = membership(1, 10, 5);
    view.prospect.as_mut().expect("prospect").link_value = Some("https://x/join/a".into());
    let known = HashMap::from([(
        (event("e1"), ProspectId(5)),
        KnownRegistration {
            written_link: Some(link_fingerprint("https://x/join/a")),
        },
    )]);

    let planned = plan_page(&[view], &linked(), &known);

    assert_eq!(planned[0].action, MembershipAction::UpToDate);
}

#[test]
fn a_registered_member_whose_field_was_changed_gets_the_link_again() {
    let mut view = membership(1, 10, 5);
    view.prospect.as_mut().expect("prospect").link_value = Some("edited by hand".into());
    let known = HashMap::from([(
        (event("e1"), ProspectId(5)),
        KnownRegistration {
            written_link: Some(link_fingerprint("https://x/join/a")),
        },
    )]);

    let planned = plan_page(&[view], &linked(), &known);

    let MembershipAction::Sync(step) = &planned[0].action else {
        panic!("expected sync")
    };
    assert!(!step.needs_registration);
}

#[test]
fn control_characters_are_dropped_from_names_but_emoji_stay() {
    let mut view = membership(1, 10, 5);
    view.prospect.as_mut().expect("prospect").first_name = Some("An\u{7}na 🎉".into());

    let MembershipAction::Sync(step) = only_action(&[view]) else {
        panic!("expected sync")
    };

    assert_eq!(step.first_name.as_deref(), Some("Anna 🎉"));
}
