//! The list plan of a write-back: which memberships to create, restore or remove so that
//! every registrant is an active member of exactly one of the Show and No Show lists.
//!
//! It works from what the lists hold now, so a re-run writes only the difference: a member
//! who is now a Show leaves No Show, and the reverse. Members who are not registrants of the
//! event (added by hand in Pardot) are left alone.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::AttendanceSplit;
use crate::ids::{MembershipId, ProspectId};

/// Which of the two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListRole {
    /// Registrants who joined.
    Show,
    /// Registrants who did not.
    NoShow,
}

impl ListRole {
    /// The other list.
    pub fn other(self) -> Self {
        match self {
            Self::Show => Self::NoShow,
            Self::NoShow => Self::Show,
        }
    }

    /// The name used in logs, reports and the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Show => "Show",
            Self::NoShow => "NoShow",
        }
    }
}

/// A membership row of a list as Pardot has it (`deleted=all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentMembership {
    /// The row.
    pub id: MembershipId,
    /// Its prospect.
    pub prospect_id: ProspectId,
    /// Archived: the prospect was removed from the list.
    pub is_deleted: bool,
}

/// One write of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipStep {
    /// Make the prospect an active member; `restores` names the archived row Pardot brings
    /// back (a create answers 58 or reactivates it).
    Add {
        /// The list.
        role: ListRole,
        /// The prospect.
        prospect_id: ProspectId,
        /// The archived row, when there is one.
        restores: Option<MembershipId>,
    },
    /// Remove the prospect's active membership: it belongs in the other list now.
    Remove {
        /// The list.
        role: ListRole,
        /// The row to delete.
        membership_id: MembershipId,
        /// Its prospect, for logs.
        prospect_id: ProspectId,
    },
}

/// The writes that bring both lists in line with the split.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPlan {
    /// Adds first, then removals, so a registrant who moves is never in neither list.
    pub steps: Vec<MembershipStep>,
    /// Registrants whose membership is already right.
    pub unchanged: u64,
}

/// Plans the writes for one split against the two lists' current rows.
pub fn plan_lists(
    split: &AttendanceSplit,
    show: &[CurrentMembership],
    no_show: &[CurrentMembership],
) -> ListPlan {
    let rows = |role| {
        if role == ListRole::Show {
            show
        } else {
            no_show
        }
    };
    let wanted: HashMap<ListRole, HashSet<ProspectId>> = HashMap::from([
        (ListRole::Show, split.show.iter().copied().collect()),
        (ListRole::NoShow, split.no_show.iter().copied().collect()),
    ]);
    let mut plan = ListPlan::default();
    let mut removals = Vec::new();

    for role in [ListRole::Show, ListRole::NoShow] {
        let current = rows(role);
        let active: HashSet<ProspectId> = current
            .iter()
            .filter(|m| !m.is_deleted)
            .map(|m| m.prospect_id)
            .collect();

        // Every registrant of this list: already active, or added (restoring a row).
        let mut targets: Vec<ProspectId> = wanted[&role].iter().copied().collect();
        targets.sort_unstable();
        for prospect_id in targets {
            if active.contains(&prospect_id) {
                plan.unchanged += 1;
                continue;
            }
            let restores = current
                .iter()
                .filter(|m| m.prospect_id == prospect_id && m.is_deleted)
                .map(|m| m.id)
                .max();
            plan.steps.push(MembershipStep::Add {
                role,
                prospect_id,
                restores,
            });
        }

        // Registrants of the other list leave this one.
        let mut leaving: Vec<&CurrentMembership> = current
            .iter()
            .filter(|m| !m.is_deleted && wanted[&role.other()].contains(&m.prospect_id))
            .filter(|m| !wanted[&role].contains(&m.prospect_id))
            .collect();
        leaving.sort_unstable_by_key(|m| m.id);
        removals.extend(leaving.into_iter().map(|m| MembershipStep::Remove {
            role,
            membership_id: m.id,
            prospect_id: m.prospect_id,
        }));
    }

    plan.steps.extend(removals);
    plan
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn row(id: i64, prospect: i64, is_deleted: bool) -> CurrentMembership {
        CurrentMembership {
            id: MembershipId(id),
            prospect_id: ProspectId(prospect),
            is_deleted,
        }
    }

    fn split(show: &[i64], no_show: &[i64]) -> AttendanceSplit {
        AttendanceSplit {
            show: show.iter().copied().map(ProspectId).collect(),
            no_show: no_show.iter().copied().map(ProspectId).collect(),
        }
    }

    #[test]
    fn first_run_adds_everyone_once() {
        let plan = plan_lists(&split(&[1, 2], &[3]), &[], &[]);

        assert_eq!(plan.steps.len(), 3);
        assert_eq!(plan.unchanged, 0);
        assert!(
            plan.steps
                .iter()
                .all(|s| matches!(s, MembershipStep::Add { restores: None, .. }))
        );
    }

    #[test]
    fn a_new_show_moves_out_of_no_show_after_being_added() {
        let show_rows = [row(10, 1, false)];
        let no_show_rows = [row(20, 2, false), row(21, 3, false), row(22, 99, false)];

        let plan = plan_lists(&split(&[1, 2], &[3]), &show_rows, &no_show_rows);

        assert_eq!(
            plan.steps,
            vec![
                MembershipStep::Add {
                    role: ListRole::Show,
                    prospect_id: ProspectId(2),
                    restores: None,
                },
                MembershipStep::Remove {
                    role: ListRole::NoShow,
                    membership_id: MembershipId(20),
                    prospect_id: ProspectId(2),
                },
            ]
        );
        assert_eq!(plan.unchanged, 2, "prospect 99 is not ours and stays");
    }

    #[test]
    fn an_archived_row_is_restored_and_an_unchanged_split_writes_nothing() {
        let plan = plan_lists(&split(&[1], &[]), &[row(10, 1, true)], &[]);
        assert_eq!(
            plan.steps,
            vec![MembershipStep::Add {
                role: ListRole::Show,
                prospect_id: ProspectId(1),
                restores: Some(MembershipId(10)),
            }]
        );

        let settled = plan_lists(
            &split(&[1], &[2]),
            &[row(10, 1, false)],
            &[row(11, 2, false)],
        );
        assert!(settled.steps.is_empty());
        assert_eq!(settled.unchanged, 2);
    }

    /// Applies a plan to the active prospect sets of both lists.
    fn apply(
        plan: &ListPlan,
        show: &[CurrentMembership],
        no_show: &[CurrentMembership],
    ) -> HashMap<ListRole, HashSet<ProspectId>> {
        let active = |rows: &[CurrentMembership]| -> HashSet<ProspectId> {
            rows.iter()
                .filter(|m| !m.is_deleted)
                .map(|m| m.prospect_id)
                .collect()
        };
        let mut lists = HashMap::from([
            (ListRole::Show, active(show)),
            (ListRole::NoShow, active(no_show)),
        ]);
        for step in &plan.steps {
            match *step {
                MembershipStep::Add {
                    role, prospect_id, ..
                } => {
                    lists.entry(role).or_default().insert(prospect_id);
                }
                MembershipStep::Remove {
                    role, prospect_id, ..
                } => {
                    lists.entry(role).or_default().remove(&prospect_id);
                }
            }
        }
        lists
    }

    fn rows_strategy() -> impl Strategy<Value = Vec<CurrentMembership>> {
        proptest::collection::vec((0_i64..30, any::<bool>()), 0..30).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (p, deleted))| row(i as i64 + 1, p, deleted))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn after_the_plan_every_registrant_is_in_exactly_one_list(
            attended in proptest::collection::btree_map(0_i64..20, any::<bool>(), 0..20),
            show in rows_strategy(),
            no_show in rows_strategy(),
        ) {
            let with = |came: bool| -> Vec<ProspectId> {
                attended
                    .iter()
                    .filter(|(_, a)| **a == came)
                    .map(|(p, _)| ProspectId(*p))
                    .collect()
            };
            let split = AttendanceSplit { show: with(true), no_show: with(false) };

            let plan = plan_lists(&split, &show, &no_show);
            let lists = apply(&plan, &show, &no_show);

            for (prospect, came) in &attended {
                let p = ProspectId(*prospect);
                prop_assert_eq!(lists[&ListRole::Show].contains(&p), *came);
                prop_assert_eq!(lists[&ListRole::NoShow].contains(&p), !*came);
            }
            for p in 20_i64..30 {
                let before = show.iter().any(|m| !m.is_deleted && m.prospect_id.0 == p);
                prop_assert_eq!(lists[&ListRole::Show].contains(&ProspectId(p)), before);
            }

            let show_now = as_rows(&lists[&ListRole::Show]);
            let no_show_now = as_rows(&lists[&ListRole::NoShow]);
            let again = plan_lists(&split, &show_now, &no_show_now);
            prop_assert!(again.steps.is_empty(), "a re-run converged: {:?}", again.steps);
        }
    }

    fn as_rows(prospects: &HashSet<ProspectId>) -> Vec<CurrentMembership> {
        prospects
            .iter()
            .enumerate()
            .map(|(i, p)| row(i as i64, p.0, false))
            .collect()
    }
}
