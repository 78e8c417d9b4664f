//! `GET …/pardot/status`: the connection and its Salesforce user, each linked event's last
//! sync, counts and last error, the Pardot calls spent today, and what the admin must do next.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use sbxy_domain::locale::Language;
use sbxy_domain::settings::PardotEnvironment;
use sbxy_domain::status::{SyncCounts, SyncProblem};
use sbxy_storage::{ConnectionState, LinkedEventRecord, TenantRecord};
use serde::Serialize;

use super::auth::{Lang, TenantAdmin};
use crate::problem::ApiError;
use crate::state::ApiState;

/// The tenant's status page.
#[derive(Debug, Serialize)]
pub(super) struct StatusView {
    tenant_id: String,
    connection: ConnectionView,
    /// Checkbox 1 of the saved settings.
    sync_enabled: bool,
    /// When the last sync run of the tenant finished.
    last_sync_at: Option<DateTime<Utc>>,
    /// What that run did.
    last_counts: SyncCounts,
    /// The problem that stops the whole tenant, if any.
    problem: Option<ProblemView>,
    /// Pardot calls the sync spent today (UTC), against the business unit's daily budget.
    pardot_calls_today: u64,
    /// The business unit's calls are paused after its daily budget ran out, until then.
    paused_until: Option<DateTime<Utc>>,
    /// Every linked event.
    events: Vec<EventView>,
    /// What the admin must do, or `null` when nothing.
    next_action: Option<NextAction>,
}

#[derive(Debug, Serialize)]
struct ConnectionView {
    state: ConnectionState,
    environment: PardotEnvironment,
    salesforce_user_id: Option<String>,
    salesforce_username: Option<String>,
    connected_at: Option<DateTime<Utc>>,
    connected_by: Option<String>,
}

#[derive(Debug, Serialize)]
struct ProblemView {
    #[serde(flatten)]
    problem: SyncProblem,
    message: String,
    action: &'static str,
}

impl From<&SyncProblem> for ProblemView {
    fn from(problem: &SyncProblem) -> Self {
        Self {
            problem: problem.clone(),
            message: problem.message(),
            action: problem.action(),
        }
    }
}

#[derive(Debug, Serialize)]
struct EventView {
    event_id: String,
    title: String,
    list_name: String,
    list_id: Option<i64>,
    last_sync_at: Option<DateTime<Utc>>,
    counts: SyncCounts,
    last_error: Option<ProblemView>,
}

/// One step for the admin, with a code a page can key on.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(super) struct NextAction {
    code: &'static str,
    message: String,
}

/// Reads the tenant's status.
pub(super) async fn read(
    State(state): State<ApiState>,
    admin: TenantAdmin,
    Lang(language): Lang,
) -> Result<Json<StatusView>, ApiError> {
    let internal = |err: sbxy_storage::StorageError| ApiError::Internal(err.to_string());
    let store = &state.ctx.store;
    let record = store
        .tenant(&admin.tenant)
        .await
        .map_err(internal)?
        .unwrap_or_else(|| TenantRecord::new(admin.tenant.clone()));
    let events = store.linked_events(&admin.tenant).await.map_err(internal)?;
    let business_unit = record
        .settings
        .as_ref()
        .and_then(|s| s.business_unit_id.as_ref());
    let now = state.clock.now();
    let paused_until = match business_unit {
        Some(bu) => {
            store
                .business_unit_state(bu)
                .await
                .map_err(internal)?
                .paused_until
        }
        None => None,
    }
    .filter(|until| *until > now);

    let status = &record.status;
    let calls_today = if status.calls_day == Some(now.date_naive()) {
        status.pardot_calls_today
    } else {
        0
    };
    Ok(Json(StatusView {
        tenant_id: admin.tenant.to_string(),
        connection: ConnectionView {
            state: record.connection.state,
            environment: record.connection.environment,
            salesforce_user_id: record.connection.salesforce_user_id.clone(),
            salesforce_username: record.connection.salesforce_username.clone(),
            connected_at: record.connection.connected_at,
            connected_by: record.connection.connected_by.clone(),
        },
        sync_enabled: record.settings.as_ref().is_some_and(|s| s.sync_enabled),
        last_sync_at: status.last_sync_at,
        last_counts: status.last_counts.clone(),
        problem: status.problem.as_ref().map(ProblemView::from),
        pardot_calls_today: calls_today,
        paused_until,
        next_action: next_action(&record, &events, paused_until, language),
        events: events.iter().map(event_view).collect(),
    }))
}

fn event_view(event: &LinkedEventRecord) -> EventView {
    EventView {
        event_id: event.event_id.to_string(),
        title: event.title.clone(),
        list_name: event.list_name.clone(),
        list_id: event.list.as_ref().map(|l| l.id.0),
        last_sync_at: event.last_sync_at,
        counts: event.counts.clone(),
        last_error: event.problem.as_ref().map(ProblemView::from),
    }
}

/// The one thing the admin should do first, most blocking first.
fn next_action(
    record: &TenantRecord,
    events: &[LinkedEventRecord],
    paused_until: Option<DateTime<Utc>>,
    language: Language,
) -> Option<NextAction> {
    let step = |code, en: &str, de: &str| {
        let message = match language {
            Language::En => en.to_owned(),
            Language::De => de.to_owned(),
        };
        Some(NextAction { code, message })
    };

    match record.connection.state {
        ConnectionState::NotConnected => {
            return step(
                "connect",
                "Connect the tenant to Pardot (\"Connect to Pardot\").",
                "Verbinden Sie den Mandanten mit Pardot (\"Mit Pardot verbinden\").",
            );
        }
        ConnectionState::ReconnectNeeded => {
            return step(
                "reconnect",
                "Salesforce no longer accepts the connection: connect to Pardot again.",
                "Salesforce akzeptiert die Verbindung nicht mehr: verbinden Sie erneut mit \
                 Pardot.",
            );
        }
        ConnectionState::Connected => {}
    }
    if !record.settings.as_ref().is_some_and(|s| s.sync_enabled) {
        return step(
            "save_settings",
            "Switch on the sync (checkbox 1) and save the settings.",
            "Schalten Sie die Synchronisation ein (Kontrollkästchen 1) und speichern Sie.",
        );
    }
    let daily_limit = matches!(
        record.status.problem,
        Some(SyncProblem::DailyLimitReached { .. })
    );
    if paused_until.is_some() || daily_limit {
        return step(
            "wait_for_daily_budget",
            "Wait: the business unit's daily Pardot API budget is spent; the sync resumes \
             after the daily reset.",
            "Warten Sie: das tägliche Pardot-API-Budget der Business Unit ist verbraucht; die \
             Synchronisation läuft nach dem täglichen Reset weiter.",
        );
    }
    // A list problem is also the tenant's last problem; the event names which list.
    let tenant_problem = record.status.problem.as_ref().filter(|p| p.needs_admin());
    if let Some(problem) = tenant_problem.filter(|p| !is_list_problem(p)) {
        let code = match problem {
            SyncProblem::LinkFieldMissing { .. } => "fix_link_field",
            SyncProblem::ReconnectNeeded => "reconnect",
            _ => "fix_configuration",
        };
        return Some(NextAction {
            code,
            message: format!("{}: {}", problem.message(), problem.action()),
        });
    }
    let event_problem = events.iter().find_map(|event| {
        let problem = event.problem.as_ref().filter(|p| is_list_problem(p))?;
        Some((
            format!("\"{}\": {}", event.title, problem.message()),
            problem,
        ))
    });
    let (message, problem) = event_problem.or_else(|| tenant_problem.map(|p| (p.message(), p)))?;
    Some(NextAction {
        code: "fix_list_name",
        message: format!("{message}; {}", problem.action()),
    })
}

fn is_list_problem(problem: &SyncProblem) -> bool {
    matches!(
        problem,
        SyncProblem::ListMissing { .. }
            | SyncProblem::ListAmbiguous { .. }
            | SyncProblem::ListNameInvalid { .. }
    )
}

#[cfg(test)]
mod tests {
    use sbxy_domain::ids::TenantId;
    use sbxy_domain::settings::{SettingsInput, TenantSettings};
    use sbxy_storage::Connection;

    use super::*;

    fn record(state: ConnectionState, sync: bool, problem: Option<SyncProblem>) -> TenantRecord {
        let mut record = TenantRecord::new(TenantId::parse("t").expect("valid id"));
        record.connection = Connection {
            state,
            ..Connection::default()
        };
        let input = SettingsInput {
            sync_enabled: sync,
            business_unit_id: Some("0Uv5e000000DEMOCAA".into()),
            link_field: Some("website".into()),
            ..SettingsInput::default()
        };
        record.settings = TenantSettings::from_input(input).ok();
        record.status.problem = problem;
        record
    }

    fn code(record: &TenantRecord, paused: Option<DateTime<Utc>>) -> Option<&'static str> {
        next_action(record, &[], paused, Language::En).map(|a| a.code)
    }

    #[test]
    fn the_most_blocking_step_comes_first() {
        let connected = ConnectionState::Connected;
        let budget = Some(SyncProblem::DailyLimitReached { until: Utc::now() });
        let field = Some(SyncProblem::LinkFieldMissing {
            field: "x__c".into(),
        });
        let passing = Some(SyncProblem::Transient {
            detail: "timeout".into(),
        });

        let cases = [
            (record(ConnectionState::NotConnected, true, None), "connect"),
            (
                record(ConnectionState::ReconnectNeeded, true, None),
                "reconnect",
            ),
            (record(connected, false, None), "save_settings"),
            (record(connected, true, budget), "wait_for_daily_budget"),
            (record(connected, true, field), "fix_link_field"),
        ];
        for (record, expected) in cases {
            assert_eq!(code(&record, None), Some(expected));
        }
        assert_eq!(code(&record(connected, true, passing), None), None);
        assert_eq!(
            code(&record(connected, true, None), Some(Utc::now())),
            Some("wait_for_daily_budget")
        );
    }

    #[test]
    fn the_next_step_speaks_german_too() {
        let action = next_action(
            &record(ConnectionState::NotConnected, true, None),
            &[],
            None,
            Language::De,
        )
        .expect("a step");

        assert!(action.message.contains("Mit Pardot verbinden"));
    }
}
