//! `GET` and `PUT …/pardot/settings`: the integration's settings in the shape the Backstage
//! dialog edits, checked against every rule before they are saved.

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use sbxy_domain::ids::TenantId;
use sbxy_domain::locale::Language;
use sbxy_domain::settings::{SettingsInput, TenantSettings};
use sbxy_storage::{ConnectionState, TenantRecord};
use sbxy_sync::settings_check::{SettingsCheckError, check_settings};
use serde::Serialize;

use super::auth::{Lang, TenantAdmin};
use crate::problem::ApiError;
use crate::state::ApiState;

/// The settings as the dialog shows them.
#[derive(Debug, Serialize)]
pub(super) struct SettingsView {
    /// The saved settings in the shape `PUT` takes; the defaults while none are saved.
    settings: SettingsInput,
    /// True once valid settings were saved.
    saved: bool,
    /// The Pardot API host that serves the environment's business units.
    pardot_host: &'static str,
    /// The connection; settings take effect only while connected.
    connection: ConnectionState,
}

/// The saved settings.
pub(super) async fn read(
    State(state): State<ApiState>,
    admin: TenantAdmin,
) -> Result<Json<SettingsView>, ApiError> {
    let record = tenant_record(&state, &admin.tenant).await?;
    Ok(Json(view(&record)))
}

/// Checks and saves the settings; a refusal names each field and its fix in the admin's
/// language.
pub(super) async fn save(
    State(state): State<ApiState>,
    admin: TenantAdmin,
    Lang(language): Lang,
    body: Result<Json<SettingsInput>, JsonRejection>,
) -> Result<Json<SettingsView>, ApiError> {
    let Json(input) = body.map_err(|rejection| {
        ApiError::BadRequest(format!(
            "the body is not a settings object: {}",
            rejection.body_text()
        ))
    })?;

    let saved = check_and_save(&state, &admin.tenant, language, input).await?;
    Ok(Json(view(&saved)))
}

/// Checks `input` against every rule (the domain's, then STREAMBOXY's and Pardot's) and saves
/// it; the tenant record as saved. Shared by `PUT …/settings` and the admin page's form, so
/// both refuse and accept the same settings with the same messages.
pub(crate) async fn check_and_save(
    state: &ApiState,
    tenant: &TenantId,
    language: Language,
    input: SettingsInput,
) -> Result<TenantRecord, ApiError> {
    let record = tenant_record(state, tenant).await?;

    let settings = check_settings(&state.ctx, &record, input)
        .await
        .map_err(|err| match err {
            SettingsCheckError::Refused(problems) => {
                ApiError::InvalidSettings { language, problems }
            }
            SettingsCheckError::ReconnectNeeded => ApiError::ReconnectNeeded,
            err @ SettingsCheckError::Unavailable { .. } => ApiError::Unavailable(err.to_string()),
            SettingsCheckError::Setup(err) => ApiError::Internal(err.to_string()),
        })?;
    let saved = state
        .ctx
        .store
        .update_tenant(tenant, |record| {
            record.settings = Some(settings.clone());
        })
        .await
        .map_err(|err| ApiError::Internal(err.to_string()))?;

    tracing::info!(
        tenant = %tenant,
        sync_enabled = settings.sync_enabled,
        syncable = saved.is_syncable(),
        "settings saved"
    );
    Ok(saved)
}

async fn tenant_record(state: &ApiState, tenant: &TenantId) -> Result<TenantRecord, ApiError> {
    let record = state
        .ctx
        .store
        .tenant(tenant)
        .await
        .map_err(|err| ApiError::Internal(err.to_string()))?;
    Ok(record.unwrap_or_else(|| TenantRecord::new(tenant.clone())))
}

fn view(record: &TenantRecord) -> SettingsView {
    let settings = form_input(record);
    SettingsView {
        pardot_host: settings.environment.pardot_host_name(),
        saved: record.settings.is_some(),
        connection: record.connection.state,
        settings,
    }
}

/// The settings a form shows: the saved ones, or the defaults while none are saved.
pub(crate) fn form_input(record: &TenantRecord) -> SettingsInput {
    record.settings.as_ref().map_or_else(defaults, input_of)
}

/// What an empty dialog shows: the defaults the rules would apply.
fn defaults() -> SettingsInput {
    let applied = TenantSettings::from_input(SettingsInput::default()).ok();
    applied
        .as_ref()
        .map_or_else(SettingsInput::default, input_of)
}

/// Saved settings in the shape `PUT` takes, so a client can send back what it read.
fn input_of(settings: &TenantSettings) -> SettingsInput {
    let activities = settings.external_activities.as_ref();
    SettingsInput {
        sync_enabled: settings.sync_enabled,
        attendance_lists_enabled: settings.attendance_lists_enabled,
        external_activities_enabled: activities.is_some(),
        business_unit_id: settings.business_unit_id.as_ref().map(ToString::to_string),
        link_field: settings.link_field.as_ref().map(|f| f.as_str().to_owned()),
        environment: settings.environment,
        list_name_property: Some(settings.list_name_property.clone()),
        attendance_state_property: Some(settings.attendance_state_property.clone()),
        show_list_pattern: Some(settings.show_list_pattern.clone()),
        no_show_list_pattern: Some(settings.no_show_list_pattern.clone()),
        external_activity_extension: activities.map(|a| a.extension.clone()),
        external_activity_show_type: activities.map(|a| a.show_type.clone()),
        external_activity_no_show_type: activities.map(|a| a.no_show_type.clone()),
    }
}
