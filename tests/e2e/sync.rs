//! The demo data synced twice: everything accounted for once, nothing written the second time.

use sbxy_e2e::{connected_stack, final_state, pardot_calls_to, sync};
use sbxy_harness::StackOptions;
use sbxy_sync::SyncOutcome;

#[tokio::test]
async fn the_demo_lists_become_registered_event_users_with_links() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");

    let first = sync(&stack).await.expect("first run");
    let state = final_state(&stack);
    let second = sync(&stack).await.expect("second run");

    assert_eq!(first.outcome, SyncOutcome::Completed, "{:?}", first.problem);
    assert!(first.counts.memberships >= 560, "{:?}", first.counts);
    assert_eq!(
        first.counts.registered + first.counts.skipped_total(),
        first.counts.memberships,
        "every membership is registered or skipped"
    );
    assert_eq!(first.counts.skipped.get("opted_out"), Some(&1));
    assert_eq!(first.lists.len(), 2);

    // One write per registered membership; overlapping prospects are written once per list.
    let writes = pardot_calls_to(&stack, "PATCH /api/v5/objects/prospects");
    assert_eq!(writes, first.counts.links_written);
    assert!(first.pardot_calls as f64 <= 1.01 * first.counts.registered as f64 + 5.0);

    assert_eq!(second.counts.users_created, 0);
    assert_eq!(second.counts.grants, 0);
    assert_eq!(second.counts.links_written, 0);
    assert_eq!(second.pardot_calls, 1, "an idle run costs one Pardot call");
    assert_eq!(final_state(&stack), state, "the second run changed nothing");
    stack.stop().await;
}

#[tokio::test]
async fn prospects_sharing_an_email_in_any_case_share_one_event_user() {
    let stack = connected_stack(StackOptions::default())
        .await
        .expect("stack");

    sync(&stack).await.expect("run");

    let users = stack.sim.users(sbxy_harness::DEMO_TENANT);
    let seed = sbxy_harness::demo_seed().expect("seed");
    let prospects = &seed.pardot.business_units[0].prospects;
    let mut shared = std::collections::HashMap::<String, Vec<i64>>::new();
    for prospect in prospects.iter().filter(|p| !p.is_deleted) {
        if let Some(email) = prospect.email() {
            shared
                .entry(email.trim().to_lowercase())
                .or_default()
                .push(prospect.id);
        }
    }
    let (email, ids) = shared
        .iter()
        .find(|(_, ids)| ids.len() > 1)
        .expect("the demo seed has two prospects sharing an e-mail");
    let matching = users
        .iter()
        .filter(|u| u.email.trim().to_lowercase() == *email)
        .count();
    assert_eq!(matching, 1, "one STREAMBOXY user for {email}");

    let links: Vec<_> = ids
        .iter()
        .map(|id| {
            stack.sim.prospect_field(
                sbxy_harness::DEMO_BUSINESS_UNIT,
                *id,
                sbxy_harness::DEMO_LINK_FIELD,
            )
        })
        .collect();
    assert!(
        links
            .iter()
            .all(|l| l.as_ref().and_then(|v| v.as_str()).is_some()),
        "{links:?}"
    );
    assert_eq!(
        links[0], links[1],
        "both prospects carry the shared user's link"
    );
    final_state(&stack);
    stack.stop().await;
}
