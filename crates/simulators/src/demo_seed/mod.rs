//! The demo seed: a deterministic data set (no clock, no OS randomness) that the demo and the
//! end-to-end tests rely on. Its constants are part of the project's contract; the committed
//! copy is data/demo-seed.json (`sbxy-sim generate-demo-seed > data/demo-seed.json`).

mod pardot;

use chrono::{DateTime, Duration, TimeZone, Utc};
use sbxy_domain::Secret;
use serde_json::{Map, json};

use crate::pardot::model::Prospect;
use crate::seed::{
    ApiKeySeed, RefreshTokenSeed, SalesforceSeed, SalesforceUserSeed, Seed, StreamboxySeed,
    TenantSeed,
};
use crate::streamboxy::model::{Event, PropertyDefinition, User};

/// The STREAMBOXY tenant of the demo.
pub const DEMO_TENANT: &str = "a7c3e1f0-5b2d-4c8e-9f10-2d3e4f5a6b7c";
/// Its API key (`Authorization: Bearer sbxy-demo-api-key`).
pub const DEMO_API_KEY: &str = "sbxy-demo-api-key";
/// The Salesforce connected app.
pub const DEMO_CLIENT_ID: &str = "3MVGdemoClientId";
/// The connected app's secret.
pub const DEMO_CLIENT_SECRET: &str = "demo-client-secret";
/// The Salesforce user the integration acts as (password `demo-password`).
pub const DEMO_USER_ID: &str = "005DEMO000000USER";
/// Its login name.
pub const DEMO_USERNAME: &str = "marketing.admin@acme.example";
/// Its org.
pub const DEMO_ORG_ID: &str = "00DDEMO00000000ORG";
/// A pre-issued refresh token of that user (rotation is off in the demo).
pub const DEMO_REFRESH_TOKEN: &str = "5AepDEMOrefreshTOKEN";
/// The production business unit (daily limit 25,000, user offset -07:00).
pub const DEMO_BU: &str = "0Uv5e000000DEMOCAA";
/// "Product Launch 2027" (Live), linked to list "SBXYPardotTest".
pub const DEMO_EVENT_LAUNCH: &str = "3f1c2a4b-8d7e-4f60-9a1b-2c3d4e5f6071";
/// "Partner Summit" (Planned), linked to list "SBXY Partner Summit".
pub const DEMO_EVENT_SUMMIT: &str = "8b9c0d1e-2f3a-4b5c-8d6e-7f8091a2b3c4";
/// "Internal Town Hall" (Planned), linked to no list.
pub const DEMO_EVENT_TOWN_HALL: &str = "c5d6e7f8-0a1b-4c2d-9e3f-405162738495";
/// List "SBXYPardotTest": 520 members.
pub const DEMO_LIST_LAUNCH: i64 = 5001;
/// List "SBXY Partner Summit": 50 members, 10 of them also on the launch list.
pub const DEMO_LIST_SUMMIT: i64 = 5002;
/// Folder "Events 2027" holding both event lists.
pub const DEMO_FOLDER_EVENTS: i64 = 7001;
/// A prospect in the recycle bin whose membership stays on the launch list.
pub const DEMO_DELETED_PROSPECT: i64 = 40_500;
/// A prospect whose launch-list membership is opted out.
pub const DEMO_OPTED_OUT_PROSPECT: i64 = 40_499;
/// Two prospects sharing one e-mail (different case), both on the launch list.
pub const DEMO_SHARED_EMAIL_PROSPECTS: [i64; 2] = [40_519, 40_520];

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// The base instant: all prospects are created from here on, a few days before 2026-12-01.
fn base() -> DateTime<Utc> {
    at(24, 8, 0)
}

fn event(id: &str, title: &str, state: &str, day: u32, list: Option<&str>, version: u8) -> Event {
    let mut props = Map::new();
    if let Some(list) = list {
        props.insert("PardotListName".to_owned(), json!(list));
    }
    let start = Utc.with_ymd_and_hms(2027, 1, day, 9, 0, 0).single();
    Event {
        id: id.to_owned(),
        title: title.to_owned(),
        state: state.to_owned(),
        start_date_time_utc: start,
        end_date_time_utc: start.map(|s| s + Duration::hours(6)),
        time_zone: Some("Europe/Berlin".to_owned()),
        custom_properties: props,
        row_version: format!("AAAAAAAAB9{version}="),
    }
}

fn streamboxy(prospects: &[Prospect]) -> StreamboxySeed {
    let def = |name: &str| PropertyDefinition {
        internal_name: name.to_owned(),
        data_type: "STRING".to_owned(),
        target: "Event".to_owned(),
        visible: true,
    };
    // A few users exist already, under differently cased e-mails of launch-list prospects.
    let users = [40_011_i64, 40_021, 40_031]
        .iter()
        .filter_map(|id| prospects.iter().find(|p| p.id == *id))
        .enumerate()
        .map(|(i, p)| User {
            id: format!("0b6f4c1e-9a2d-4e3f-8c7b-00000000000{i}"),
            email: p.email().unwrap_or_default().trim().to_uppercase(),
            first_name: p.field("firstName").as_str().map(str::to_owned),
            last_name: p.field("lastName").as_str().map(str::to_owned),
            external_key: None,
            created_date_time_utc: at(15, 12, i as u32),
        })
        .collect();
    StreamboxySeed {
        auth_header: Some("Authorization".to_owned()),
        auth_scheme: Some("Bearer".to_owned()),
        api_keys: vec![ApiKeySeed {
            key: Secret::new(DEMO_API_KEY),
            tenants: vec![DEMO_TENANT.to_owned()],
        }],
        tenants: vec![TenantSeed {
            id: DEMO_TENANT.to_owned(),
            name: Some("Acme Events".to_owned()),
            property_definitions: vec![
                def("PardotListName"),
                def("PardotIntegrationAttendanceProcessingState"),
            ],
            events: vec![
                event(
                    DEMO_EVENT_LAUNCH,
                    "Product Launch 2027",
                    "Live",
                    20,
                    Some("SBXYPardotTest"),
                    1,
                ),
                event(
                    DEMO_EVENT_SUMMIT,
                    "Partner Summit",
                    "Planned",
                    27,
                    Some("SBXY Partner Summit"),
                    2,
                ),
                event(
                    DEMO_EVENT_TOWN_HALL,
                    "Internal Town Hall",
                    "Planned",
                    29,
                    None,
                    3,
                ),
            ],
            users,
            grants: Vec::new(),
            attendance: Vec::new(),
        }],
    }
}

/// The demo seed.
pub fn demo_seed() -> Seed {
    let pardot = pardot::pardot();
    let prospects = &pardot.business_units[0].prospects;
    let streamboxy = streamboxy(prospects);
    Seed {
        salesforce: SalesforceSeed {
            client_id: DEMO_CLIENT_ID.to_owned(),
            client_secret: Secret::new(DEMO_CLIENT_SECRET),
            redirect_uris: Vec::new(),
            rotate_refresh_tokens: false,
            access_token_lifetime_secs: 7200,
            users: vec![SalesforceUserSeed {
                id: DEMO_USER_ID.to_owned(),
                username: DEMO_USERNAME.to_owned(),
                display_name: "Marketing Admin".to_owned(),
                email: DEMO_USERNAME.to_owned(),
                org_id: DEMO_ORG_ID.to_owned(),
                password: None,
                business_units: vec![DEMO_BU.to_owned()],
            }],
            refresh_tokens: vec![RefreshTokenSeed {
                token: Secret::new(DEMO_REFRESH_TOKEN),
                user_id: DEMO_USER_ID.to_owned(),
                scope: None,
            }],
        },
        pardot,
        streamboxy,
    }
}

/// The demo seed as pretty JSON with a trailing newline (the committed file's exact bytes).
pub fn demo_seed_json() -> String {
    let mut text = serde_json::to_string_pretty(&demo_seed()).unwrap_or_default();
    text.push('\n');
    text
}
