//! What the page shows, read from the same records the status and settings routes read: the
//! tenant's connection and saved settings, each linked event with its last sync, and the
//! event's Show / No Show write-back record.

use sbxy_domain::ids::TenantId;
use sbxy_domain::settings::SettingsInput;
use sbxy_storage::{AttendanceRecord, LinkedEventRecord, StorageError, TenantRecord};

use crate::admin::settings::form_input;
use crate::state::ApiState;

/// The page's data for one tenant.
pub(crate) struct PageModel {
    /// The tenant's record (a fresh one before its first connect).
    pub(crate) record: TenantRecord,
    /// The settings as the form shows them.
    pub(crate) settings: SettingsInput,
    /// Every linked event, with its write-back record once one ran or was asked for.
    pub(crate) events: Vec<(LinkedEventRecord, Option<AttendanceRecord>)>,
}

impl PageModel {
    /// Reads the tenant, its linked events (one Query) and each event's write-back record
    /// (one GetItem each; a tenant links at most 20 events).
    pub(crate) async fn load(state: &ApiState, tenant: &TenantId) -> Result<Self, StorageError> {
        let store = &state.ctx.store;
        let record = store
            .tenant(tenant)
            .await?
            .unwrap_or_else(|| TenantRecord::new(tenant.clone()));
        let linked = store.linked_events(tenant).await?;

        let mut events = Vec::with_capacity(linked.len());
        for event in linked {
            let attendance = store.attendance_record(tenant, &event.event_id).await?;
            events.push((event, attendance));
        }
        Ok(Self {
            settings: form_input(&record),
            record,
            events,
        })
    }
}
