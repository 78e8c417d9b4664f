//! Checking an admin's settings before they are saved: the domain's rules first, then what
//! only the outside systems know: that the two event custom properties exist in STREAMBOXY,
//! and, once connected, that the business unit answers on the environment's Pardot host and
//! the custom link field exists there and holds text.

use sbxy_domain::ids::BusinessUnitId;
use sbxy_domain::settings::{
    DEFAULT_ATTENDANCE_STATE_PROPERTY, DEFAULT_LIST_NAME_PROPERTY, LinkField, PardotEnvironment,
    SettingProblem, SettingRule, SettingsInput, TenantSettings,
};
use sbxy_pardot_client::{PardotClient, PardotError};
use sbxy_storage::{ConnectionState, TenantRecord};
use sbxy_streamboxy_client::PropertyNames;

use crate::connection::pardot_client;
use crate::context::AppContext;
use crate::error::SyncError;

/// Custom field types that hold a URL (Pardot names them in lower case).
const TEXT_FIELD_TYPES: [&str; 3] = ["text", "textarea", "hidden"];

/// Why settings were not saved.
#[derive(Debug, thiserror::Error)]
pub enum SettingsCheckError {
    /// One or more settings broke a rule; each names its field and the fix.
    #[error("{} setting(s) refused", .0.len())]
    Refused(Vec<SettingProblem>),
    /// STREAMBOXY or Pardot could not be asked; nothing was saved.
    #[error("{system} could not check the settings ({detail}); try again shortly")]
    Unavailable {
        /// The system that failed.
        system: &'static str,
        /// What failed.
        detail: String,
    },
    /// Salesforce no longer accepts the tenant's connection, so Pardot cannot be asked.
    #[error("Salesforce no longer accepts the connection; connect again, then save")]
    ReconnectNeeded,
    /// The process is misconfigured.
    #[error(transparent)]
    Setup(#[from] SyncError),
}

impl SettingsCheckError {
    /// True when saving the same settings again later may work.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }
}

/// Applies every rule to `input` for the tenant of `record`, and returns the settings to save.
/// All problems found are returned at once.
pub async fn check_settings(
    ctx: &AppContext,
    record: &TenantRecord,
    input: SettingsInput,
) -> Result<TenantSettings, SettingsCheckError> {
    let (settings, mut problems) = match TenantSettings::from_input(input.clone()) {
        Ok(settings) => (Some(settings), Vec::new()),
        Err(problems) => (None, problems),
    };

    problems.extend(missing_event_properties(ctx, record, &input).await?);

    if record.connection.state == ConnectionState::Connected {
        if input.environment == record.connection.environment {
            problems.extend(check_pardot(ctx, record, &input).await?);
        } else {
            problems.push(SettingProblem {
                field: "environment",
                rule: SettingRule::EnvironmentMismatch {
                    connected: record.connection.environment.as_str(),
                },
            });
        }
    }

    match settings {
        Some(settings) if problems.is_empty() => Ok(settings),
        _ => Err(SettingsCheckError::Refused(problems)),
    }
}

/// The two event custom properties must be defined in the tenant; each missing one is named.
async fn missing_event_properties(
    ctx: &AppContext,
    record: &TenantRecord,
    input: &SettingsInput,
) -> Result<Vec<SettingProblem>, SettingsCheckError> {
    let name = |value: Option<&String>, default: &str| {
        value.map_or_else(|| default.to_owned(), |v| v.trim().to_owned())
    };
    let names = PropertyNames {
        list_name: name(
            input.list_name_property.as_ref(),
            DEFAULT_LIST_NAME_PROPERTY,
        ),
        processing_state: name(
            input.attendance_state_property.as_ref(),
            DEFAULT_ATTENDANCE_STATE_PROPERTY,
        ),
    };

    let definitions = ctx
        .streamboxy()
        .await?
        .property_definitions(record.tenant_id.as_str(), "Event")
        .await
        .map_err(|err| SettingsCheckError::Unavailable {
            system: "STREAMBOXY",
            detail: err.to_string(),
        })?;
    let missing = names.missing_from(&definitions);

    // An empty name is already refused by the domain's rules.
    let mut problems = Vec::new();
    for (field, name) in [
        ("list_name_property", &names.list_name),
        ("attendance_state_property", &names.processing_state),
    ] {
        if !name.is_empty() && missing.contains(&name.as_str()) {
            problems.push(SettingProblem {
                field,
                rule: SettingRule::EventPropertyMissing { name: name.clone() },
            });
        }
    }
    Ok(problems)
}

/// The business unit must answer on the environment's host, and a custom link field must
/// exist there as a text field.
async fn check_pardot(
    ctx: &AppContext,
    record: &TenantRecord,
    input: &SettingsInput,
) -> Result<Vec<SettingProblem>, SettingsCheckError> {
    let Some(business_unit) =
        non_empty(input.business_unit_id.as_ref()).and_then(|raw| BusinessUnitId::parse(raw).ok())
    else {
        return Ok(Vec::new());
    };
    let link_field =
        non_empty(input.link_field.as_ref()).and_then(|raw| LinkField::parse(raw).ok());

    let (client, _) = pardot_client(ctx, &record.tenant_id, input.environment, &business_unit)
        .await
        .map_err(SettingsCheckError::Setup)?;
    if let Err(err) = client.account().await {
        return business_unit_problem(&err, input.environment).map(|p| vec![p]);
    }

    match link_field.filter(LinkField::is_custom) {
        Some(field) => Ok(link_field_problem(&client, &field)
            .await?
            .into_iter()
            .collect()),
        None => Ok(Vec::new()),
    }
}

/// Turns a refused account call into the business unit's problem, or into an error when the
/// refusal is not about the settings.
fn business_unit_problem(
    err: &PardotError,
    environment: PardotEnvironment,
) -> Result<SettingProblem, SettingsCheckError> {
    let rule = match err {
        PardotError::Configuration { code: 201, .. } => SettingRule::BusinessUnitNotFound {
            host: environment.pardot_host_name(),
        },
        PardotError::Configuration { code: 49, .. } => SettingRule::BusinessUnitAccessDenied,
        PardotError::Token(token) if token.needs_reconnect() => {
            return Err(SettingsCheckError::ReconnectNeeded);
        }
        other => {
            return Err(SettingsCheckError::Unavailable {
                system: "Pardot",
                detail: other.to_string(),
            });
        }
    };
    Ok(SettingProblem {
        field: "business_unit_id",
        rule,
    })
}

/// Looks the custom field up among the business unit's custom fields.
async fn link_field_problem(
    client: &PardotClient,
    field: &LinkField,
) -> Result<Option<SettingProblem>, SettingsCheckError> {
    let unavailable = |err: PardotError| SettingsCheckError::Unavailable {
        system: "Pardot",
        detail: err.to_string(),
    };

    let mut pager = client.query_custom_fields();
    while let Some(page) = pager.next_page().await.map_err(unavailable)? {
        let Some(found) = page
            .values
            .iter()
            .find(|custom| custom.prospect_key() == field.as_str())
        else {
            continue;
        };
        if TEXT_FIELD_TYPES
            .iter()
            .any(|kind| found.field_type.eq_ignore_ascii_case(kind))
        {
            return Ok(None);
        }
        return Ok(Some(SettingProblem {
            field: "link_field",
            rule: SettingRule::LinkFieldNotText {
                field: field.as_str().to_owned(),
                kind: found.field_type.clone(),
            },
        }));
    }
    Ok(Some(SettingProblem {
        field: "link_field",
        rule: SettingRule::LinkFieldUnknown {
            field: field.as_str().to_owned(),
        },
    }))
}

fn non_empty(raw: Option<&String>) -> Option<&str> {
    raw.map(|v| v.trim()).filter(|v| !v.is_empty())
}
