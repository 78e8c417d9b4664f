//! Salesforce's side of the OAuth state: the connected app, users, authorization codes,
//! grants, refresh tokens and access tokens.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;
use sbxy_domain::Secret;
use serde::Serialize;

use crate::seed::{SalesforceSeed, SalesforceUserSeed};

/// Scopes of a pre-issued refresh token when the seed names none.
pub(crate) const DEFAULT_SCOPE: &str = "refresh_token pardot_api";

/// Password of every seeded user unless the seed sets one.
pub(crate) const DEFAULT_PASSWORD: &str = "demo-password";

#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub(crate) user_id: String,
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) scope: String,
    pub(crate) code_challenge: Option<String>,
    pub(crate) expires_at: DateTime<Utc>,
}

/// One consent: the refresh tokens and access tokens that descend from it.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(crate) user_id: String,
    pub(crate) scope: String,
    pub(crate) revoked: bool,
}

/// Lifecycle of a refresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RefreshStatus {
    Live,
    /// Replaced by rotation; reusing it revokes the whole grant.
    Rotated,
    Revoked,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub(crate) grant: u64,
    pub(crate) status: RefreshStatus,
    pub(crate) refreshes: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) grant: u64,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) revoked: bool,
}

/// Who an access token speaks for, once it has been checked.
#[derive(Debug, Clone)]
pub(crate) struct TokenOwner {
    pub(crate) user_id: String,
    pub(crate) scope: String,
}

/// Debug is written by hand: the maps are keyed by live tokens and codes.
pub(crate) struct SalesforceState {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) rotate: bool,
    pub(crate) access_lifetime: Duration,
    pub(crate) users: BTreeMap<String, SalesforceUserSeed>,
    pub(crate) codes: HashMap<String, AuthCode>,
    pub(crate) grants: BTreeMap<u64, Grant>,
    pub(crate) refresh_tokens: HashMap<String, RefreshToken>,
    pub(crate) access_tokens: HashMap<String, AccessToken>,
    /// Refresh tokens whose refresh is being processed right now.
    pub(crate) in_progress: HashSet<String>,
    pub(crate) refresh_count: u64,
    pub(crate) code_exchanges: u64,
}

impl std::fmt::Debug for SalesforceState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceState")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("users", &self.users.len())
            .field("grants", &self.grants.len())
            .field("refresh_tokens", &self.refresh_tokens.len())
            .field("access_tokens", &self.access_tokens.len())
            .finish_non_exhaustive()
    }
}

impl SalesforceState {
    pub(crate) fn from_seed(seed: &SalesforceSeed) -> Self {
        let lifetime = i64::try_from(seed.access_token_lifetime_secs).unwrap_or(i64::MAX / 2000);
        let mut state = Self {
            client_id: seed.client_id.clone(),
            client_secret: seed.client_secret.clone(),
            redirect_uris: seed.redirect_uris.clone(),
            rotate: seed.rotate_refresh_tokens,
            access_lifetime: Duration::seconds(lifetime),
            users: seed
                .users
                .iter()
                .map(|u| (u.id.clone(), u.clone()))
                .collect(),
            codes: HashMap::new(),
            grants: BTreeMap::new(),
            refresh_tokens: HashMap::new(),
            access_tokens: HashMap::new(),
            in_progress: HashSet::new(),
            refresh_count: 0,
            code_exchanges: 0,
        };
        for token in &seed.refresh_tokens {
            let scope = token
                .scope
                .clone()
                .unwrap_or_else(|| DEFAULT_SCOPE.to_owned());
            let grant = state.new_grant(&token.user_id, &scope);
            state.refresh_tokens.insert(
                token.token.expose().to_owned(),
                RefreshToken {
                    grant,
                    status: RefreshStatus::Live,
                    refreshes: 0,
                },
            );
        }
        state
    }

    pub(crate) fn new_grant(&mut self, user_id: &str, scope: &str) -> u64 {
        let id = self.grants.keys().next_back().map_or(1, |last| last + 1);
        self.grants.insert(
            id,
            Grant {
                user_id: user_id.to_owned(),
                scope: scope.to_owned(),
                revoked: false,
            },
        );
        id
    }

    /// A new access token of `grant`, valid for the configured lifetime.
    pub(crate) fn issue_access_token(&mut self, grant: u64, now: DateTime<Utc>) -> String {
        let org = self
            .grants
            .get(&grant)
            .and_then(|g| self.users.get(&g.user_id))
            .map_or("00D000000000000", |u| u.org_id.as_str());
        let token = format!("{org}!AQ{}", random_string(64));
        self.access_tokens.insert(
            token.clone(),
            AccessToken {
                grant,
                expires_at: now + self.access_lifetime,
                revoked: false,
            },
        );
        token
    }

    /// A new live refresh token of `grant`.
    pub(crate) fn issue_refresh_token(&mut self, grant: u64) -> String {
        let token = format!("5Aep{}", random_string(83));
        self.refresh_tokens.insert(
            token.clone(),
            RefreshToken {
                grant,
                status: RefreshStatus::Live,
                refreshes: 0,
            },
        );
        token
    }

    /// A new single-use authorization code. Codes end in `==`, so they arrive URL-encoded
    /// with `%3D` like Salesforce's and a client that forgets to decode them fails here too.
    pub(crate) fn issue_code(&mut self, code: AuthCode) -> String {
        let value = format!("aPrx{}==", random_string(40));
        self.codes.insert(value.clone(), code);
        value
    }

    /// Checks an access token: it must exist, be unrevoked and unexpired, and its grant live.
    pub(crate) fn check_access(&self, token: &str, now: DateTime<Utc>) -> Option<TokenOwner> {
        let access = self.access_tokens.get(token)?;
        let grant = self.grants.get(&access.grant)?;
        if access.revoked || grant.revoked || access.expires_at <= now {
            return None;
        }
        Some(TokenOwner {
            user_id: grant.user_id.clone(),
            scope: grant.scope.clone(),
        })
    }

    /// Revokes a whole grant: every refresh and access token descending from it.
    pub(crate) fn revoke_grant(&mut self, grant: u64) {
        if let Some(g) = self.grants.get_mut(&grant) {
            g.revoked = true;
        }
        for token in self
            .refresh_tokens
            .values_mut()
            .filter(|t| t.grant == grant)
        {
            token.status = RefreshStatus::Revoked;
        }
        for token in self.access_tokens.values_mut().filter(|t| t.grant == grant) {
            token.revoked = true;
        }
    }

    /// Invalidates every live access token (fault `pardot_184`); refresh tokens survive.
    pub(crate) fn invalidate_all_access_tokens(&mut self) {
        for token in self.access_tokens.values_mut() {
            token.revoked = true;
        }
    }

    /// Invalidates one access token (fault `pardot_184_after`).
    pub(crate) fn invalidate_access_token(&mut self, token: &str) {
        if let Some(access) = self.access_tokens.get_mut(token) {
            access.revoked = true;
        }
    }

    /// The control-endpoint view: no token values, only prefixes, statuses and counts.
    pub(crate) fn dump(&self, now: DateTime<Utc>) -> serde_json::Value {
        let mut refresh: Vec<_> = self
            .refresh_tokens
            .iter()
            .map(|(token, rec)| {
                serde_json::json!({
                    "token": token, "grant": rec.grant, "status": rec.status,
                    "refreshes": rec.refreshes,
                    "user_id": self.grants.get(&rec.grant).map(|g| g.user_id.clone()),
                })
            })
            .collect();
        refresh.sort_by_key(|v| v["grant"].as_u64());
        let live_access = self
            .access_tokens
            .keys()
            .filter(|t| self.check_access(t, now).is_some())
            .count();
        serde_json::json!({
            "refresh_tokens": refresh,
            "live_access_tokens": live_access,
            "issued_access_tokens": self.access_tokens.len(),
            "refresh_count": self.refresh_count,
            "code_exchanges": self.code_exchanges,
            "rotate_refresh_tokens": self.rotate,
        })
    }
}

/// Random alphanumerics for tokens and codes.
pub(crate) fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}
