//! The OAuth `state` of a connect attempt, its PKCE verifier, and the outcomes an admin reads
//! afterwards.
//!
//! The state travels through the admin's browser and Salesforce, so it is signed: it binds the
//! attempt to one tenant, one admin and one environment, and expires after ten minutes. That it
//! is used only once is enforced by a stored marker (storage), not here. The PKCE verifier is
//! derived from the signing key and the state's nonce, so it never has to be stored or sent
//! anywhere but the token endpoint.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::Secret;
use crate::admin_token::hmac_sha256;
use crate::locale::Language;
use crate::settings::PardotEnvironment;

/// How long an admin has between pressing "connect" and coming back from Salesforce.
pub const STATE_LIFETIME_SECS: i64 = 10 * 60;

/// Labels that keep the two uses of the signing key apart.
const STATE_LABEL: &[u8] = b"sbxy-pardot/oauth-state/v1\n";
const PKCE_LABEL: &[u8] = b"sbxy-pardot/pkce-verifier/v1\n";

/// What a `state` carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectState {
    /// The tenant being connected.
    pub tenant_id: String,
    /// The admin who started it (`sub` of their token).
    pub admin: String,
    /// The Salesforce environment chosen, which decides the login and Pardot hosts.
    pub environment: PardotEnvironment,
    /// Random and unique per attempt: the single-use marker's key and the PKCE seed.
    pub nonce: String,
    /// Seconds since the epoch after which the state is refused.
    pub expires_at: i64,
}

/// Why a returned `state` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// Missing, not ours, or changed on the way.
    #[error("the connect request's state is missing or was altered")]
    Invalid,
    /// Older than [`STATE_LIFETIME_SECS`].
    #[error("the connect request's state has expired")]
    Expired,
}

impl ConnectState {
    /// The `state` parameter: base64url(JSON) `.` base64url(HMAC-SHA256).
    pub fn seal(&self, key: &Secret) -> String {
        // Serializing strings, an enum and an integer cannot fail.
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default());
        let signature = URL_SAFE_NO_PAD.encode(sign(key, STATE_LABEL, payload.as_bytes()));
        format!("{payload}.{signature}")
    }

    /// Checks the signature, then the expiry at `now` (seconds since the epoch).
    pub fn open(state: &str, key: &Secret, now: i64) -> Result<Self, StateError> {
        let (payload, signature) = state.split_once('.').ok_or(StateError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| StateError::Invalid)?;
        let mut mac = hmac_sha256(key.expose().as_bytes());
        mac.update(STATE_LABEL);
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| StateError::Invalid)?;

        let bytes = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| StateError::Invalid)?;
        let state: Self = serde_json::from_slice(&bytes).map_err(|_| StateError::Invalid)?;
        if state.expires_at <= now {
            return Err(StateError::Expired);
        }
        Ok(state)
    }

    /// The PKCE verifier of this attempt: 43 base64url characters derived from the key and the
    /// nonce, so only the holder of the key can produce it.
    pub fn pkce_verifier(&self, key: &Secret) -> Secret {
        Secret::new(URL_SAFE_NO_PAD.encode(sign(key, PKCE_LABEL, self.nonce.as_bytes())))
    }
}

/// The S256 `code_challenge` of a verifier: base64url(SHA-256(verifier)).
pub fn pkce_challenge(verifier: &Secret) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

fn sign(key: &Secret, label: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = hmac_sha256(key.expose().as_bytes());
    mac.update(label);
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// How a connect attempt ended, as the callback reports it to the admin page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectOutcome {
    /// Connected, and Pardot answered the check call (or no Business Unit ID is set yet).
    Connected,
    /// Connected, but Pardot refused the check call with the saved Business Unit ID.
    ConnectedUnverified,
    /// The admin pressed "Deny" at Salesforce.
    Denied,
    /// Salesforce refused the authorization request itself.
    AuthorizeFailed,
    /// Salesforce refused to exchange the code (expired, reused, PKCE mismatch).
    ExchangeFailed,
    /// The grant lacks the `pardot_api` scope or a refresh token.
    ScopeMissing,
    /// The state was missing or altered.
    StateInvalid,
    /// The state was older than ten minutes.
    StateExpired,
    /// The state had been used before.
    StateReused,
}

impl ConnectOutcome {
    /// The value of the `outcome` query parameter.
    pub fn code(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::ConnectedUnverified => "connected_unverified",
            Self::Denied => "denied",
            Self::AuthorizeFailed => "authorize_failed",
            Self::ExchangeFailed => "exchange_failed",
            Self::ScopeMissing => "scope_missing",
            Self::StateInvalid => "state_invalid",
            Self::StateExpired => "state_expired",
            Self::StateReused => "state_reused",
        }
    }

    /// True when the tenant is connected afterwards.
    pub fn is_connected(self) -> bool {
        matches!(self, Self::Connected | Self::ConnectedUnverified)
    }

    /// The outcome in plain words, with what to do next.
    pub fn message(self, language: Language) -> &'static str {
        match (self, language) {
            (Self::Connected, Language::En) => "Connected to Pardot.",
            (Self::Connected, Language::De) => "Mit Pardot verbunden.",
            (Self::ConnectedUnverified, Language::En) => {
                "Connected to Pardot, but Pardot refused a test call with the saved Business \
                 Unit ID. Check the Business Unit ID and the environment in the settings."
            }
            (Self::ConnectedUnverified, Language::De) => {
                "Mit Pardot verbunden, aber Pardot hat einen Testaufruf mit der gespeicherten \
                 Business-Unit-ID abgelehnt. Prüfen Sie Business-Unit-ID und Umgebung in den \
                 Einstellungen."
            }
            (Self::Denied, Language::En) => {
                "Access was denied at Salesforce, so the tenant is not connected. Connect again \
                 and press \"Allow\"."
            }
            (Self::Denied, Language::De) => {
                "Der Zugriff wurde bei Salesforce abgelehnt; der Mandant ist nicht verbunden. \
                 Verbinden Sie erneut und klicken Sie auf \"Zulassen\"."
            }
            (Self::AuthorizeFailed, Language::En) => {
                "Salesforce refused the connection request, so the tenant is not connected. \
                 Check the connected app's settings, then connect again."
            }
            (Self::AuthorizeFailed, Language::De) => {
                "Salesforce hat die Verbindungsanfrage abgelehnt; der Mandant ist nicht \
                 verbunden. Prüfen Sie die Connected App und verbinden Sie erneut."
            }
            (Self::ExchangeFailed, Language::En) => {
                "Salesforce did not confirm the sign-in, so the tenant is not connected. Connect \
                 again."
            }
            (Self::ExchangeFailed, Language::De) => {
                "Salesforce hat die Anmeldung nicht bestätigt; der Mandant ist nicht verbunden. \
                 Verbinden Sie erneut."
            }
            (Self::ScopeMissing, Language::En) => {
                "The Salesforce connected app did not grant Pardot access (scopes pardot_api \
                 and refresh_token), so the tenant is not connected. Add the scopes, then \
                 connect again."
            }
            (Self::ScopeMissing, Language::De) => {
                "Die Salesforce Connected App hat keinen Pardot-Zugriff gewährt (Scopes \
                 pardot_api und refresh_token); der Mandant ist nicht verbunden. Ergänzen Sie \
                 die Scopes und verbinden Sie erneut."
            }
            (Self::StateInvalid, Language::En) => {
                "This sign-in link is not valid, so nothing was connected. Start again with \
                 \"Connect to Pardot\" in the Backstage."
            }
            (Self::StateInvalid, Language::De) => {
                "Dieser Anmeldelink ist ungültig; es wurde nichts verbunden. Beginnen Sie im \
                 Backstage erneut mit \"Mit Pardot verbinden\"."
            }
            (Self::StateExpired, Language::En) => {
                "This sign-in link has expired (after 10 minutes), so nothing was connected. \
                 Start again with \"Connect to Pardot\" in the Backstage."
            }
            (Self::StateExpired, Language::De) => {
                "Dieser Anmeldelink ist abgelaufen (nach 10 Minuten); es wurde nichts verbunden. \
                 Beginnen Sie im Backstage erneut mit \"Mit Pardot verbinden\"."
            }
            (Self::StateReused, Language::En) => {
                "This sign-in link has already been used, so nothing was changed. Start again \
                 with \"Connect to Pardot\" in the Backstage."
            }
            (Self::StateReused, Language::De) => {
                "Dieser Anmeldelink wurde bereits verwendet; es wurde nichts geändert. Beginnen \
                 Sie im Backstage erneut mit \"Mit Pardot verbinden\"."
            }
        }
    }
}

impl From<StateError> for ConnectOutcome {
    fn from(err: StateError) -> Self {
        match err {
            StateError::Invalid => Self::StateInvalid,
            StateError::Expired => Self::StateExpired,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Secret {
        Secret::new("state-signing-key-of-at-least-32-bytes")
    }

    fn state() -> ConnectState {
        ConnectState {
            tenant_id: "t-a".into(),
            admin: "admin-1".into(),
            environment: PardotEnvironment::Sandbox,
            nonce: "n0nce".into(),
            expires_at: 1_000 + STATE_LIFETIME_SECS,
        }
    }

    #[test]
    fn a_sealed_state_opens_until_it_expires() {
        let sealed = state().seal(&key());

        assert_eq!(ConnectState::open(&sealed, &key(), 1_000), Ok(state()));
        assert_eq!(
            ConnectState::open(&sealed, &key(), 1_000 + STATE_LIFETIME_SECS),
            Err(StateError::Expired)
        );
    }

    #[test]
    fn a_changed_state_or_another_key_is_invalid() {
        let sealed = state().seal(&key());
        let mut other = state();
        other.tenant_id = "t-b".into();
        let (forged_payload, _) = other
            .seal(&key())
            .split_once('.')
            .map(|(p, s)| (p.to_owned(), s.to_owned()))
            .expect("two parts");
        let (_, signature) = sealed.split_once('.').expect("two parts");
        let swapped = format!("{forged_payload}.{signature}");

        for bad in [swapped.as_str(), "", "abc", "a.b.c"] {
            assert_eq!(
                ConnectState::open(bad, &key(), 1_000),
                Err(StateError::Invalid),
                "{bad}"
            );
        }
        assert_eq!(
            ConnectState::open(&sealed, &Secret::new("another key"), 1_000),
            Err(StateError::Invalid)
        );
    }

    #[test]
    fn the_verifier_is_a_valid_pkce_verifier_bound_to_the_nonce() {
        let verifier = state().pkce_verifier(&key());
        let mut other = state();
        other.nonce = "other".into();

        assert_eq!(verifier.expose().len(), 43);
        assert_ne!(verifier, other.pkce_verifier(&key()));
        assert_eq!(pkce_challenge(&verifier).len(), 43);
    }

    #[test]
    fn every_outcome_reads_in_both_languages() {
        let all = [
            ConnectOutcome::Connected,
            ConnectOutcome::ConnectedUnverified,
            ConnectOutcome::Denied,
            ConnectOutcome::AuthorizeFailed,
            ConnectOutcome::ExchangeFailed,
            ConnectOutcome::ScopeMissing,
            ConnectOutcome::StateInvalid,
            ConnectOutcome::StateExpired,
            ConnectOutcome::StateReused,
        ];
        for outcome in all {
            assert_ne!(outcome.message(Language::En), outcome.message(Language::De));
        }
        assert!(
            ConnectOutcome::Denied
                .message(Language::De)
                .contains("abgelehnt")
        );
    }
}
