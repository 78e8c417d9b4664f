//! The Pardot half of the demo seed: ~590 prospects with international names, the two
//! event lists, some unrelated lists, and the awkward cases (shared e-mail, recycle bin,
//! opt-out, stray spaces, mixed case).

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{Value, json};

use super::{
    DEMO_BU, DEMO_DELETED_PROSPECT, DEMO_FOLDER_EVENTS, DEMO_LIST_LAUNCH, DEMO_LIST_SUMMIT,
    DEMO_OPTED_OUT_PROSPECT, DEMO_SHARED_EMAIL_PROSPECTS, at, base,
};
use crate::pardot::model::{
    Account, CustomField, Environment, ExternalActivityType, Folder, List, Membership, Prospect,
};
use crate::seed::{BusinessUnitSeed, PardotSeed};

const FIRST_PROSPECT: i64 = 40_001;
/// Prospects on "SBXYPardotTest" (ids 40001..=40520).
const LAUNCH_COUNT: i64 = 520;
/// Prospects only on "SBXY Partner Summit" (ids 40521..=40560).
const SUMMIT_ONLY: i64 = 40;
/// Newsletter-only prospects (ids 40561..=40590).
const NEWSLETTER_ONLY: i64 = 30;

/// (display name, ASCII form for e-mail addresses)
const FIRST: [(&str, &str); 24] = [
    ("Jürgen", "juergen"),
    ("José", "jose"),
    ("Françoise", "francoise"),
    ("Иван", "ivan"),
    ("محمد", "mohammed"),
    ("李", "li"),
    ("Anna", "anna"),
    ("Björn", "bjoern"),
    ("Zoë", "zoe"),
    ("Łukasz", "lukasz"),
    ("Søren", "soeren"),
    ("Chloé", "chloe"),
    ("Ngozi", "ngozi"),
    ("Priya", "priya"),
    ("Mateo", "mateo"),
    ("Olivia", "olivia"),
    ("Hiroshi", "hiroshi"),
    ("Émile", "emile"),
    ("Günther", "guenther"),
    ("Sofía", "sofia"),
    ("Ольга", "olga"),
    ("Liam", "liam"),
    ("Aylin", "aylin"),
    ("Noah", "noah"),
];
const LAST: [(&str, &str); 24] = [
    ("Müller", "mueller"),
    ("García", "garcia"),
    ("Dubois", "dubois"),
    ("Петров", "petrov"),
    ("عبد الله", "abdullah"),
    ("田中", "tanaka"),
    ("Schmidt", "schmidt"),
    ("Öztürk", "oeztuerk"),
    ("Nowak", "nowak"),
    ("Jensen", "jensen"),
    ("O'Brien", "obrien"),
    ("Lefèvre", "lefevre"),
    ("Okafor", "okafor"),
    ("Sharma", "sharma"),
    ("Rossi", "rossi"),
    ("Smith", "smith"),
    ("Weiß", "weiss"),
    ("Nguyễn", "nguyen"),
    ("Kowalczyk", "kowalczyk"),
    ("Fernández", "fernandez"),
    ("Kim", "kim"),
    ("Andersson", "andersson"),
    ("Yılmaz", "yilmaz"),
    ("de la Cruz", "delacruz"),
];
const DOMAINS: [&str; 3] = ["example.com", "example.org", "acme.example"];

/// SplitMix64: a tiny generator whose output never changes between crate versions.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn prospect(mix: &mut Mix, id: i64) -> Prospect {
    let n = id - FIRST_PROSPECT;
    let (first, first_ascii) = FIRST[mix.pick(FIRST.len())];
    let (last, last_ascii) = LAST[mix.pick(LAST.len())];
    let domain = DOMAINS[mix.pick(DOMAINS.len())];
    let mut email = format!("{first_ascii}.{last_ascii}{n}@{domain}");
    if n % 5 == 0 {
        email = capitalise(&email); // mixed case
    }
    if n % 37 == 3 {
        email = format!(" {email} "); // stray spaces, as typed into a form
    }
    if DEMO_SHARED_EMAIL_PROSPECTS.contains(&id) {
        email = if id == DEMO_SHARED_EMAIL_PROSPECTS[0] {
            "Shared.Inbox@example.com".to_owned()
        } else {
            "shared.inbox@example.com".to_owned()
        };
    }
    let created = base() + Duration::minutes(n * 3);
    let mut fields = BTreeMap::new();
    fields.insert("email".to_owned(), json!(email));
    fields.insert("firstName".to_owned(), json!(first));
    fields.insert("lastName".to_owned(), json!(last));
    fields.insert(
        "company".to_owned(),
        json!(if n % 3 == 0 {
            "Acme GmbH"
        } else {
            "Example Corp"
        }),
    );
    fields.insert("streamboxyLink__c".to_owned(), Value::Null);
    Prospect {
        id,
        is_deleted: id == DEMO_DELETED_PROSPECT,
        created_at: created,
        updated_at: created + Duration::minutes(30),
        fields,
        written_at: None,
    }
}

/// Upper-cases the first letter of each dot- or @-separated part.
fn capitalise(email: &str) -> String {
    let mut out = String::with_capacity(email.len());
    let mut start = true;
    for c in email.chars() {
        out.extend(if start {
            c.to_uppercase().collect::<Vec<_>>()
        } else {
            vec![c]
        });
        start = c == '.' || c == '@';
    }
    out
}

fn list(id: i64, name: &str, folder: i64, dynamic: bool) -> List {
    List {
        id,
        name: name.to_owned(),
        title: Some(name.to_owned()),
        description: None,
        folder_id: Some(folder),
        is_dynamic: dynamic,
        is_public: false,
        is_deleted: false,
        created_at: at(20, 9, id as u32 % 60),
        updated_at: at(20, 9, id as u32 % 60),
        written_at: None,
    }
}

fn folder(id: i64, name: &str, parent: Option<i64>) -> Folder {
    Folder {
        id,
        name: name.to_owned(),
        parent_folder_id: parent,
        created_at: at(1, 8, 0),
        updated_at: at(1, 8, 0),
    }
}

fn memberships(prospects: &[Prospect]) -> Vec<Membership> {
    let mut rows = Vec::new();
    let mut add = |list_id: i64, prospect_id: i64, opted_out: bool| {
        let n = rows.len() as i64;
        let created = base() + Duration::days(2) + Duration::minutes(n);
        rows.push(Membership {
            id: 900_001 + n,
            list_id,
            prospect_id,
            opted_out,
            is_deleted: false,
            created_at: created,
            updated_at: created,
            written_at: None,
        });
    };
    let launch_end = FIRST_PROSPECT + LAUNCH_COUNT;
    let summit_end = launch_end + SUMMIT_ONLY;
    for p in prospects.iter().filter(|p| p.id < launch_end) {
        add(DEMO_LIST_LAUNCH, p.id, p.id == DEMO_OPTED_OUT_PROSPECT);
    }
    for k in 0..10 {
        add(DEMO_LIST_SUMMIT, FIRST_PROSPECT + 7 + k * 50, false); // also on the launch list
    }
    for id in launch_end..summit_end {
        add(DEMO_LIST_SUMMIT, id, false);
    }
    for id in (FIRST_PROSPECT..launch_end)
        .step_by(26)
        .chain(summit_end..summit_end + NEWSLETTER_ONLY)
    {
        add(5003, id, false);
    }
    for id in (FIRST_PROSPECT + 1..FIRST_PROSPECT + 60).step_by(4) {
        add(5004, id, id % 3 == 0);
    }
    rows
}

pub(super) fn pardot() -> PardotSeed {
    let mut mix = Mix(0x5BD0_2027);
    let total = LAUNCH_COUNT + SUMMIT_ONLY + NEWSLETTER_ONLY;
    let prospects: Vec<Prospect> = (0..total)
        .map(|n| prospect(&mut mix, FIRST_PROSPECT + n))
        .collect();
    let list_memberships = memberships(&prospects);
    let activity = |t: &str| ExternalActivityType {
        extension: "STREAMBOXY".to_owned(),
        activity_type: t.to_owned(),
        is_active: true,
    };
    PardotSeed {
        business_units: vec![BusinessUnitSeed {
            id: DEMO_BU.to_owned(),
            environment: Some(Environment::Production),
            daily_call_limit: Some(25_000),
            user_time_zone_offset: Some("-07:00".to_owned()),
            account: Some(Account {
                id: 1_234,
                company: Some("Acme Events Inc.".to_owned()),
                website: Some("https://acme.example".to_owned()),
            }),
            folders: vec![
                folder(7000, "Marketing", None),
                folder(DEMO_FOLDER_EVENTS, "Events 2027", Some(7000)),
                folder(7002, "Newsletters", Some(7000)),
            ],
            lists: vec![
                list(
                    DEMO_LIST_LAUNCH,
                    "SBXYPardotTest",
                    DEMO_FOLDER_EVENTS,
                    false,
                ),
                list(
                    DEMO_LIST_SUMMIT,
                    "SBXY Partner Summit",
                    DEMO_FOLDER_EVENTS,
                    false,
                ),
                list(5003, "Newsletter DE", 7002, false),
                list(5004, "Webinar Archive 2025", 7002, false),
                list(5005, "All Customers (dynamic)", 7002, true),
            ],
            prospects,
            list_memberships,
            custom_fields: vec![CustomField {
                id: 310_001,
                field_id: "streamboxyLink".to_owned(),
                name: "STREAMBOXY Link".to_owned(),
                field_type: "text".to_owned(),
                is_required: false,
                created_at: at(1, 8, 0),
                updated_at: at(1, 8, 0),
            }],
            external_activity_types: vec![activity("Show"), activity("NoShow")],
        }],
    }
}
