//! Paging against the simulator's real page tokens: an exactly-full last page is followed by
//! the empty page, and nothing is lost or repeated.

use sbxy_e2e::{connected_stack, final_state, options_with, pardot_calls_to, sync};
use sbxy_sync::SyncOutcome;

#[tokio::test]
async fn an_exactly_full_last_page_is_followed_by_the_empty_page() {
    // "SBXY Partner Summit" has 50 members: two full pages of 25, then an empty page.
    let stack = connected_stack(options_with(&[("PARDOT_PAGE_SIZE", "25")]))
        .await
        .expect("stack");

    let report = sync(&stack).await.expect("run");

    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    let summit = &report.lists["SBXY Partner Summit"];
    assert_eq!(summit.memberships, 50);
    assert_eq!(summit.registered, 50);
    let big = &report.lists["SBXYPardotTest"];
    assert_eq!(
        big.registered + big.skipped.values().sum::<u64>(),
        big.memberships
    );

    // 520 members → 21 pages; 50 members → 2 full pages + 1 empty; plus 1 incremental query.
    let queries = pardot_calls_to(&stack, "GET /api/v5/objects/list-memberships");
    assert_eq!(queries, 21 + 3 + 1);
    final_state(&stack);
    stack.stop().await;
}

#[tokio::test]
async fn a_chain_cut_at_the_record_ceiling_restarts_after_the_last_key() {
    // A ceiling of 100 records per token chain stands in for Pardot's 100,000.
    let mut options = options_with(&[("PARDOT_PAGE_SIZE", "50")]);
    options.sim.pardot.page_chain_ceiling = 100;
    let stack = connected_stack(options).await.expect("stack");

    let report = sync(&stack).await.expect("run");

    assert_eq!(
        report.outcome,
        SyncOutcome::Completed,
        "{:?}",
        report.problem
    );
    let big = &report.lists["SBXYPardotTest"];
    assert_eq!(
        big.memberships, 520,
        "every member read despite the ceiling"
    );
    assert_eq!(big.registered + big.skipped.values().sum::<u64>(), 520);
    final_state(&stack);
    stack.stop().await;
}
