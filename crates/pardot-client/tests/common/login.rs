//! Fake Salesforce login host helpers: token responses, an OAuth client pointed at a fake
//! server, and an in-memory refresh token store that logs the order of its calls.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use sbxy_pardot_client::token::{RefreshSettings, TokenStoreError};
use sbxy_pardot_client::{
    LoginEndpoints, OAuthClient, RefreshTokenStore, RefreshingTokens, SalesforceEnvironment, Secret,
};
use url::Url;

use super::{FakeServer, Recorded};

pub(crate) const CLIENT_SECRET: &str = "CLIENT-SECRET-value";

pub(crate) fn grant_json(origin: &str, access: &str, refresh: Option<&str>) -> String {
    let mut grant = serde_json::json!({
        "access_token": access,
        "signature": "c2ln",
        "scope": "refresh_token pardot_api",
        "instance_url": "https://acme.my.salesforce.com",
        "id": format!("{origin}/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS"),
        "token_type": "Bearer",
        "issued_at": "1278448101416"
    });
    if let Some(refresh) = refresh {
        grant["refresh_token"] = serde_json::json!(refresh);
    }
    grant.to_string()
}

pub(crate) fn origin_of(request: &Recorded) -> String {
    format!("http://{}", request.header("host").unwrap_or_default())
}

pub(crate) fn oauth_for(server: &FakeServer) -> OAuthClient {
    let endpoints = LoginEndpoints {
        production: server.base.clone(),
        sandbox: Url::parse("http://127.0.0.1:9/").expect("sandbox url"),
    };
    OAuthClient::new(
        reqwest::Client::new(),
        endpoints,
        "client-id-1".to_owned(),
        Secret::new(CLIENT_SECRET),
    )
}

/// An in-memory refresh token store that logs what happened in which order.
pub(crate) struct MemoryStore {
    token: Mutex<String>,
    events: Mutex<Vec<String>>,
    fail_save: bool,
}

impl MemoryStore {
    pub(crate) fn new(token: &str, fail_save: bool) -> Arc<Self> {
        Arc::new(Self {
            token: Mutex::new(token.to_owned()),
            events: Mutex::new(Vec::new()),
            fail_save,
        })
    }

    pub(crate) fn events(&self) -> Vec<String> {
        self.events.lock().expect("events").clone()
    }
}

#[async_trait]
impl RefreshTokenStore for MemoryStore {
    async fn load(&self) -> Result<Secret, TokenStoreError> {
        self.events.lock().expect("events").push("load".to_owned());
        Ok(Secret::new(self.token.lock().expect("token").clone()))
    }

    async fn save_rotated(&self, new: &Secret) -> Result<(), TokenStoreError> {
        if self.fail_save {
            return Err(TokenStoreError::Unavailable {
                message: "store is down".to_owned(),
            });
        }
        self.events
            .lock()
            .expect("events")
            .push(format!("save {}", new.expose()));
        *self.token.lock().expect("token") = new.expose().to_owned();
        Ok(())
    }
}

pub(crate) fn quick_settings() -> RefreshSettings {
    RefreshSettings {
        max_age: Duration::from_secs(50 * 60),
        in_progress_retries: 3,
        in_progress_delay: Duration::from_millis(2),
    }
}

pub(crate) fn tokens(server: &FakeServer, store: Arc<MemoryStore>) -> RefreshingTokens {
    RefreshingTokens::new(oauth_for(server), SalesforceEnvironment::Developer, store)
        .with_settings(quick_settings())
}
