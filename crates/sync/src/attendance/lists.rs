//! The Show and No Show lists: found by name (created in the source list's folder when
//! missing, so a deleted list comes back), refused when a dynamic list has the name, then
//! brought in line with the split by the domain's list plan.

use futures::StreamExt;
use sbxy_domain::attendance::{
    AttendanceSplit, CurrentMembership, ListRole, MembershipStep, plan_lists,
};
use sbxy_domain::ids::{FolderId, ListId, MembershipId, ProspectId};
use sbxy_domain::list_link::{ListName, ListResolution, ListSummary, resolve_list};
use sbxy_pardot_client::PardotError;
use sbxy_pardot_client::model::{
    Deleted, ListQuery, MembershipCreated, MembershipOrder, MembershipQuery, PardotList,
};
use sbxy_storage::AttendanceRecord;

use super::session::Session;
use super::write_back::Halt;
use super::{AttendanceReport, WrittenList};

/// Pardot's code for "the record is in the recycle bin" (here: the registrant's prospect).
const IN_RECYCLE_BIN: i64 = 219;

/// Finds or creates both lists and writes the difference to the split.
pub(super) async fn write_lists(
    s: &Session<'_>,
    source: &str,
    split: &AttendanceSplit,
    record: &mut AttendanceRecord,
    report: &mut AttendanceReport,
) -> Result<(), Halt> {
    let show_name = s.settings.show_list_name(source);
    let no_show_name = s.settings.no_show_list_name(source);
    if show_name == no_show_name || show_name == source || no_show_name == source {
        return Err(Halt::failed(
            "the Show and No Show list patterns give the same name, or the event's own list \
             name; change a pattern in the settings",
        ));
    }

    let lists = all_lists(s).await?;
    let folder = source_folder(source, &lists)?;
    let show = ensure_list(
        s,
        ListRole::Show,
        &show_name,
        folder,
        &lists,
        record.show_list,
    )
    .await?;
    record.show_list = Some(ListId(show.id));
    report.show_list = Some(show.clone());
    let no_show = ensure_list(
        s,
        ListRole::NoShow,
        &no_show_name,
        folder,
        &lists,
        record.no_show_list,
    )
    .await?;
    record.no_show_list = Some(ListId(no_show.id));
    report.no_show_list = Some(no_show.clone());

    let show_rows = current_rows(s, &show).await?;
    let no_show_rows = current_rows(s, &no_show).await?;
    let plan = plan_lists(split, &show_rows, &no_show_rows);
    report.counts.unchanged += plan.unchanged;
    tracing::info!(
        show_list = show.id,
        no_show_list = no_show.id,
        writes = plan.steps.len(),
        unchanged = plan.unchanged,
        "list plan"
    );

    apply(s, &plan.steps, ListId(show.id), ListId(no_show.id), report).await
}

/// Every live list of the business unit (Pardot has no confirmed name filter).
async fn all_lists(s: &Session<'_>) -> Result<Vec<PardotList>, Halt> {
    let query = ListQuery {
        limit: Some(1000),
        ..ListQuery::default()
    };
    let mut pager = s.pardot.query_lists(&query);
    let mut lists = Vec::new();
    while let Some(page) = pager
        .next_page()
        .await
        .map_err(|e| pardot_halt(&e, "read the lists"))?
    {
        lists.extend(page.values);
    }
    Ok(lists)
}

/// The folder of the event's own list, which the Show and No Show lists go into.
fn source_folder(source: &str, lists: &[PardotList]) -> Result<Option<FolderId>, Halt> {
    let name = ListName::parse(source).map_err(|e| Halt::failed(e.to_string()))?;
    let summaries: Vec<ListSummary> = lists.iter().map(summary).collect();

    match resolve_list(&name, &summaries) {
        ListResolution::Found(list) => Ok(list.folder_id),
        ListResolution::Missing => Err(Halt::failed(format!(
            "no Pardot list is named \"{source}\"; the Show and No Show lists go into its \
             folder, so create it or correct the event's Pardot list name"
        ))),
        ListResolution::Ambiguous(ids) => Err(Halt::failed(format!(
            "{} Pardot lists are named \"{source}\"; rename all but one",
            ids.len()
        ))),
    }
}

fn summary(list: &PardotList) -> ListSummary {
    ListSummary {
        id: ListId(list.id),
        name: list.name.clone(),
        folder_id: list.folder_id.map(FolderId),
        is_dynamic: list.is_dynamic.unwrap_or(false),
    }
}

/// The one static list named `name`: found, found again by the id we created it with (a
/// list created less than a minute ago may be missing from queries), or created.
async fn ensure_list(
    s: &Session<'_>,
    role: ListRole,
    name: &str,
    folder: Option<FolderId>,
    lists: &[PardotList],
    known: Option<ListId>,
) -> Result<WrittenList, Halt> {
    let named: Vec<&PardotList> = lists.iter().filter(|l| l.name == name).collect();
    if named.iter().any(|l| l.is_dynamic == Some(true)) {
        return Err(Halt::failed(format!(
            "the Pardot list \"{name}\" is a dynamic list, whose members its rules decide; \
             rename it in Pardot, or change the {} list pattern in the settings",
            pattern_name(role)
        )));
    }
    match named.as_slice() {
        [one] => return Ok(written(one, false)),
        [] => {}
        many => {
            return Err(Halt::failed(format!(
                "{} Pardot lists are named \"{name}\"; rename all but one",
                many.len()
            )));
        }
    }

    if let Some(id) = known {
        match s.pardot.read_list(id.0).await {
            Ok(list)
                if list.name == name
                    && list.is_deleted != Some(true)
                    && list.is_dynamic != Some(true) =>
            {
                return Ok(written(&list, false));
            }
            Ok(_) => {}
            Err(err) if err.is_not_found() => {}
            Err(err) => return Err(pardot_halt(&err, "read the list")),
        }
    }

    let created = s
        .pardot
        .create_list(name, folder.map(|f| f.0))
        .await
        .map_err(|e| pardot_halt(&e, "create the list"))?;
    tracing::info!(list = created.id, name, folder = ?folder, "attendance list created");
    Ok(written(&created, true))
}

fn pattern_name(role: ListRole) -> &'static str {
    match role {
        ListRole::Show => "Show",
        ListRole::NoShow => "No Show",
    }
}

fn written(list: &PardotList, created: bool) -> WrittenList {
    WrittenList {
        id: list.id,
        name: list.name.clone(),
        folder_id: list.folder_id,
        created,
    }
}

/// The list's membership rows, archived ones included. A chain cut at Pardot's 100,000-row
/// ceiling restarts after the last id.
async fn current_rows(s: &Session<'_>, list: &WrittenList) -> Result<Vec<CurrentMembership>, Halt> {
    let mut rows = Vec::new();
    if list.created {
        return Ok(rows);
    }
    let mut after = None;

    'chains: loop {
        let query = MembershipQuery {
            list_id: Some(list.id),
            id_greater_than: after,
            order_by: MembershipOrder::Id,
            deleted: Deleted::All,
            limit: Some(1000),
            ..MembershipQuery::default()
        };
        let mut pager = s.pardot.query_list_memberships(&query);
        while let Some(page) = pager
            .next_page()
            .await
            .map_err(|e| pardot_halt(&e, "read the list's members"))?
        {
            for membership in page.values {
                after = Some(membership.id);
                rows.push(CurrentMembership {
                    id: MembershipId(membership.id),
                    prospect_id: ProspectId(membership.prospect_id),
                    is_deleted: membership.is_deleted,
                });
            }
            if s.deadline.reached() {
                return Err(Halt::Deadline);
            }
            if page.ceiling_reached {
                continue 'chains;
            }
        }
        return Ok(rows);
    }
}

/// What one membership write did.
enum Written {
    Added,
    Restored,
    Unchanged,
    Removed,
    ProspectGone,
    NotStarted,
    Failed(String),
    Stop(Halt),
}

/// Runs the plan's writes, as many at once as the business unit allows (the process-wide
/// limiter caps them again), stopping at the first error that ends the run.
async fn apply(
    s: &Session<'_>,
    steps: &[MembershipStep],
    show: ListId,
    no_show: ListId,
    report: &mut AttendanceReport,
) -> Result<(), Halt> {
    let list_of = |role| {
        if role == ListRole::Show {
            show
        } else {
            no_show
        }
    };
    let mut results = futures::stream::iter(steps.iter().copied())
        .map(|step| write_one(s, step, list_of))
        .buffer_unordered(s.ctx.config.pardot_max_in_flight.max(1));
    let counts = &mut report.counts;
    let (mut first_error, mut deadline) = (None, false);

    while let Some(result) = results.next().await {
        match result {
            Written::Added => counts.added += 1,
            Written::Restored => counts.restored += 1,
            Written::Unchanged => counts.unchanged += 1,
            Written::Removed => counts.removed += 1,
            Written::ProspectGone => counts.prospects_gone += 1,
            Written::NotStarted => deadline = true,
            Written::Failed(error) => {
                counts.failed += 1;
                first_error.get_or_insert(error);
            }
            Written::Stop(halt) => return Err(halt),
        }
    }

    if let Some(error) = first_error {
        return Err(Halt::failed(format!(
            "{} list memberships could not be written ({error}); they are retried",
            counts.failed
        )));
    }
    if deadline {
        return Err(Halt::Deadline);
    }
    Ok(())
}

async fn write_one(
    s: &Session<'_>,
    step: MembershipStep,
    list_of: impl Fn(ListRole) -> ListId,
) -> Written {
    if s.deadline.reached() {
        return Written::NotStarted;
    }
    match step {
        MembershipStep::Add {
            role,
            prospect_id,
            restores,
        } => match s
            .pardot
            .create_list_membership(list_of(role).0, prospect_id.0)
            .await
        {
            Ok(MembershipCreated::Created(_)) if restores.is_some() => Written::Restored,
            Ok(MembershipCreated::Created(_)) => Written::Added,
            Ok(MembershipCreated::AlreadyMember) => Written::Unchanged,
            Err(err) if err.code() == Some(IN_RECYCLE_BIN) || err.is_not_found() => {
                tracing::debug!(prospect = %prospect_id, "registrant's prospect is gone");
                Written::ProspectGone
            }
            Err(err) => failed(&err),
        },
        MembershipStep::Remove {
            membership_id,
            prospect_id,
            role,
        } => match s.pardot.delete_list_membership(membership_id.0).await {
            Ok(()) => {
                tracing::debug!(prospect = %prospect_id, list = role.as_str(), "moved out");
                Written::Removed
            }
            Err(err) if err.is_not_found() => Written::Unchanged,
            Err(err) => failed(&err),
        },
    }
}

fn failed(err: &PardotError) -> Written {
    match Halt::for_pardot(err) {
        Some(halt) => Written::Stop(halt),
        None => Written::Failed(err.to_string()),
    }
}

/// A failed read or list write ends the run: with the problem's own words when it needs
/// someone, else as a passing error that is retried.
fn pardot_halt(err: &PardotError, what: &str) -> Halt {
    Halt::for_pardot(err)
        .unwrap_or_else(|| Halt::failed(format!("could not {what} in Pardot ({err}); retried")))
}
