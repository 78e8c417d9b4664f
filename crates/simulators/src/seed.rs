//! The seed file schema (documented in the crate README). Configuration keys are snake_case;
//! records of Pardot and STREAMBOXY use their wire shape (camelCase), so an API response can
//! be pasted into a seed. The same Pardot and STREAMBOXY sections are accepted at run time by
//! `POST /_sim/pardot/seed` and `POST /_sim/streamboxy/seed`, which upsert by id.

use std::path::Path;

use sbxy_domain::Secret;
use serde::{Deserialize, Serialize};

use crate::error::SimError;
use crate::pardot::model::{
    Account, CustomField, Environment, ExternalActivityType, Folder, List, Membership, Prospect,
};
use crate::streamboxy::model::{Event, PropertyDefinition, User};

/// The whole seed: one section per simulated system.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub salesforce: SalesforceSeed,
    #[serde(default)]
    pub pardot: PardotSeed,
    #[serde(default)]
    pub streamboxy: StreamboxySeed,
}

impl Seed {
    /// Reads and parses a seed file.
    pub fn from_file(path: &Path) -> Result<Self, SimError> {
        let text = std::fs::read_to_string(path).map_err(|source| SimError::ReadSeed {
            path: path.to_owned(),
            source,
        })?;
        Self::from_json(&text)
    }

    /// Parses a seed from JSON text.
    pub fn from_json(text: &str) -> Result<Self, SimError> {
        serde_json::from_str(text).map_err(|err| SimError::InvalidSeed(err.to_string()))
    }
}

/// The connected app, its users and pre-issued refresh tokens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceSeed {
    pub client_id: String,
    pub client_secret: Secret,
    /// Allowed callback URLs; empty accepts any `redirect_uri`.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// Refresh Token Rotation: each refresh returns a new refresh token and retires the old.
    #[serde(default)]
    pub rotate_refresh_tokens: bool,
    /// Access tokens stop working after this many seconds (Salesforce default session: 2 h).
    #[serde(default = "two_hours")]
    pub access_token_lifetime_secs: u64,
    #[serde(default)]
    pub users: Vec<SalesforceUserSeed>,
    #[serde(default)]
    pub refresh_tokens: Vec<RefreshTokenSeed>,
}

impl Default for SalesforceSeed {
    fn default() -> Self {
        Self {
            client_id: "sim-client-id".to_owned(),
            client_secret: Secret::new("sim-client-secret"),
            redirect_uris: Vec::new(),
            rotate_refresh_tokens: false,
            access_token_lifetime_secs: two_hours(),
            users: Vec::new(),
            refresh_tokens: Vec::new(),
        }
    }
}

fn two_hours() -> u64 {
    7200
}

/// A Salesforce user and the business units it is mapped to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceUserSeed {
    /// `005…`
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    /// `00D…`
    pub org_id: String,
    /// Login password on the authorize page; `demo-password` when absent.
    #[serde(default)]
    pub password: Option<Secret>,
    /// Pardot business unit ids this user may call (else code 49).
    #[serde(default)]
    pub business_units: Vec<String>,
}

/// A refresh token that exists before any login, as if the admin had connected earlier.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenSeed {
    pub token: Secret,
    pub user_id: String,
    /// Scopes of the grant; `refresh_token pardot_api` when absent.
    #[serde(default)]
    pub scope: Option<String>,
}

/// Pardot data, per business unit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PardotSeed {
    #[serde(default)]
    pub business_units: Vec<BusinessUnitSeed>,
}

/// One business unit. Settings left out keep their current value when merged at run time
/// (and get the documented defaults when the unit is new).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessUnitSeed {
    /// 18 characters, starting `0Uv`.
    pub id: String,
    /// Default `production`.
    #[serde(default)]
    pub environment: Option<Environment>,
    /// Default 25,000.
    #[serde(default)]
    pub daily_call_limit: Option<u64>,
    /// API user's time-zone offset like `-07:00`; default `+00:00`.
    #[serde(default)]
    pub user_time_zone_offset: Option<String>,
    #[serde(default)]
    pub account: Option<Account>,
    #[serde(default)]
    pub folders: Vec<Folder>,
    #[serde(default)]
    pub lists: Vec<List>,
    #[serde(default)]
    pub prospects: Vec<Prospect>,
    #[serde(default)]
    pub list_memberships: Vec<Membership>,
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    #[serde(default)]
    pub external_activity_types: Vec<ExternalActivityType>,
}

/// STREAMBOXY auth settings, keys and tenants.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamboxySeed {
    /// Header carrying the API key; default `Authorization`.
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Scheme before the key; default `Bearer`; an empty string means the raw key.
    #[serde(default)]
    pub auth_scheme: Option<String>,
    #[serde(default)]
    pub api_keys: Vec<ApiKeySeed>,
    #[serde(default)]
    pub tenants: Vec<TenantSeed>,
}

/// An API key and the tenants it may use (empty: every tenant).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeySeed {
    pub key: Secret,
    #[serde(default)]
    pub tenants: Vec<String>,
}

/// A tenant with its property definitions, events, users, grants and attendance.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSeed {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub property_definitions: Vec<PropertyDefinition>,
    #[serde(default)]
    pub events: Vec<Event>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub grants: Vec<GrantSeed>,
    #[serde(default)]
    pub attendance: Vec<AttendanceSeed>,
}

/// A user already granted into an event.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantSeed {
    pub event_id: String,
    pub user_id: String,
}

/// An attendance record; the same body as `POST /_sim/streamboxy/attendance` minus tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttendanceSeed {
    pub event_id: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub attended: bool,
    #[serde(default)]
    pub first_join_date_time_utc: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(default)]
    pub minutes_attended: Option<f64>,
}
