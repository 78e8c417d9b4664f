//! Shared fixtures: a small seed, a started simulator, and request helpers.

use reqwest::{Client, RequestBuilder, Response};
use sbxy_simulators::{Seed, SimConfig, SimHandle, start};
use serde_json::Value;

pub(crate) const BU: &str = "0Uv000000000001AAA";
pub(crate) const DEMO_HOST_BU: &str = "0Uv0000000000DEMOA";
pub(crate) const UNMAPPED_BU: &str = "0Uv000000000002AAA";
pub(crate) const USER: &str = "005000000000001AAA";
pub(crate) const ORG: &str = "00D000000000001AAA";
pub(crate) const CLIENT_ID: &str = "test-client";
pub(crate) const CLIENT_SECRET: &str = "test-secret";
pub(crate) const REFRESH: &str = "5AepTESTrefresh";
pub(crate) const TENANT: &str = "11111111-2222-4333-8444-555555555555";
pub(crate) const EVENT: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
pub(crate) const API_KEY: &str = "test-key";

const SEED: &str = r#"{
  "salesforce": {
    "client_id": "test-client", "client_secret": "test-secret",
    "users": [
      {"id": "005000000000001AAA", "username": "admin@acme.example", "display_name": "Admin",
       "email": "admin@acme.example", "org_id": "00D000000000001AAA",
       "business_units": ["0Uv000000000001AAA", "0Uv0000000000DEMOA"]},
      {"id": "005000000000002AAA", "username": "nobody@acme.example", "display_name": "Nobody",
       "email": "nobody@acme.example", "org_id": "00D000000000001AAA", "business_units": []}
    ],
    "refresh_tokens": [{"token": "5AepTESTrefresh", "user_id": "005000000000001AAA"}]
  },
  "pardot": {"business_units": [
    {"id": "0Uv000000000001AAA", "environment": "production", "daily_call_limit": 1000,
     "user_time_zone_offset": "-07:00",
     "folders": [{"id": 100, "name": "Events", "createdAt": "2026-11-01T00:00:00Z",
                  "updatedAt": "2026-11-01T00:00:00Z"}],
     "lists": [{"id": 10, "name": "Webinar", "folderId": 100},
               {"id": 11, "name": "Other", "folderId": 100},
               {"id": 12, "name": "Dynamic", "folderId": 100, "isDynamic": true}],
     "prospects": [
       {"id": 1, "email": "ann@example.com", "firstName": "Ann", "lastName": "Alpha",
        "updatedAt": "2026-11-20T10:00:00Z"},
       {"id": 2, "email": " Bob@Example.com ", "firstName": "Bob", "lastName": null,
        "streamboxyLink__c": "https://old.example/x", "updatedAt": "2026-11-20T11:00:00Z"},
       {"id": 3, "email": "bob@example.com", "firstName": "Bobby", "lastName": "Beta",
        "updatedAt": "2026-11-20T12:00:00Z"},
       {"id": 4, "email": "dee@example.com", "firstName": "Dee", "lastName": "Delta"},
       {"id": 5, "email": "eve@example.com", "firstName": "Eve", "lastName": "Echo"},
       {"id": 6, "email": "gone@example.com", "firstName": "Gone", "isDeleted": true}
     ],
     "list_memberships": [
       {"id": 101, "listId": 10, "prospectId": 1, "updatedAt": "2026-11-21T10:00:05Z"},
       {"id": 102, "listId": 10, "prospectId": 2, "updatedAt": "2026-11-21T10:00:01Z"},
       {"id": 103, "listId": 10, "prospectId": 3, "optedOut": true,
        "updatedAt": "2026-11-21T10:00:01Z"},
       {"id": 104, "listId": 10, "prospectId": 4, "updatedAt": "2026-11-21T10:00:03Z"},
       {"id": 105, "listId": 10, "prospectId": 6, "updatedAt": "2026-11-21T10:00:04Z"},
       {"id": 106, "listId": 11, "prospectId": 5, "isDeleted": true,
        "updatedAt": "2026-11-21T10:00:00Z"}
     ],
     "custom_fields": [{"id": 500, "fieldId": "streamboxyLink", "name": "STREAMBOXY Link",
                        "type": "text"}],
     "external_activity_types": [{"extension": "STREAMBOXY", "type": "Show"},
                                 {"extension": "STREAMBOXY", "type": "Old", "isActive": false}]},
    {"id": "0Uv0000000000DEMOA", "environment": "demo"},
    {"id": "0Uv000000000002AAA", "environment": "production"}
  ]},
  "streamboxy": {
    "api_keys": [{"key": "test-key"}],
    "tenants": [{
      "id": "11111111-2222-4333-8444-555555555555",
      "property_definitions": [{"internalName": "PardotListName"},
                               {"internalName": "PardotIntegrationAttendanceProcessingState"},
                               {"internalName": "Capacity", "dataType": "NUMBER"}],
      "events": [{"id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", "title": "Launch",
                  "state": "Live", "customProperties": {"PardotListName": "Webinar"}}],
      "users": [{"id": "0000aaaa-0000-4000-8000-000000000001", "email": "Known@Example.com",
                 "firstName": "Known", "lastName": "User"}]
    }]
  }
}"#;

pub(crate) fn seed() -> Seed {
    Seed::from_json(SEED).expect("the test seed is valid")
}

pub(crate) async fn sim() -> SimHandle {
    sim_with(|_| {}).await
}

pub(crate) async fn sim_with(adjust: impl FnOnce(&mut SimConfig)) -> SimHandle {
    let mut config = SimConfig::new(seed());
    adjust(&mut config);
    start(config).await.expect("simulator starts")
}

pub(crate) fn http() -> Client {
    Client::builder().build().expect("client builds")
}

pub(crate) async fn json(response: Response) -> Value {
    response.json().await.expect("JSON body")
}

/// A Pardot caller with a minted access token.
pub(crate) struct Pardot {
    pub(crate) http: Client,
    pub(crate) base: String,
    pub(crate) token: String,
    pub(crate) bu: String,
}

impl Pardot {
    pub(crate) fn new(sim: &SimHandle) -> Self {
        Self {
            http: http(),
            base: sim.pardot_url.clone(),
            token: sim
                .mint_access_token(USER)
                .expect("user exists")
                .expose()
                .to_owned(),
            bu: BU.to_owned(),
        }
    }

    fn with_headers(&self, builder: RequestBuilder) -> RequestBuilder {
        builder
            .bearer_auth(&self.token)
            .header("Pardot-Business-Unit-Id", &self.bu)
    }

    /// GET of a path (with query) or of a full URL.
    pub(crate) fn get(&self, path_or_url: &str) -> RequestBuilder {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        };
        self.with_headers(self.http.get(url))
    }

    pub(crate) fn post(&self, path: &str, body: Value) -> RequestBuilder {
        self.with_headers(self.http.post(format!("{}{path}", self.base)).json(&body))
    }

    pub(crate) fn patch(&self, path: &str, body: Value) -> RequestBuilder {
        self.with_headers(self.http.patch(format!("{}{path}", self.base)).json(&body))
    }

    pub(crate) fn delete(&self, path: &str) -> RequestBuilder {
        self.with_headers(self.http.delete(format!("{}{path}", self.base)))
    }
}

/// Status and `code` of a Pardot error answer.
pub(crate) async fn pardot_error(response: Response) -> (u16, i64) {
    let status = response.status().as_u16();
    let body = json(response).await;
    (
        status,
        body["code"].as_i64().expect("error body has a code"),
    )
}

/// A STREAMBOXY caller with the test key.
pub(crate) struct Sbxy {
    pub(crate) http: Client,
    pub(crate) base: String,
}

impl Sbxy {
    pub(crate) fn new(sim: &SimHandle) -> Self {
        Self {
            http: http(),
            base: format!("{}/tenant/{TENANT}", sim.streamboxy_url),
        }
    }

    pub(crate) fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(API_KEY)
    }
}
