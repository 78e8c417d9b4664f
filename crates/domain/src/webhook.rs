//! The rules of the STREAMBOXY event-state webhook (docs/streamboxy-api.md, "Webhook"): its
//! signature and its freshness window here, its body in `payload`. Pure, so the handler only
//! moves bytes.
//!
//! The sender signs `timestamp + "." + raw body` with HMAC-SHA256 and sends
//! `X-Streamboxy-Timestamp: <unix seconds>` and `X-Streamboxy-Signature: v1=<hex>`.

mod payload;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::Secret;

pub use payload::{DeliveryId, PayloadError, STATE_CHANGED, StateChange};

/// The header with the signing time, in unix seconds.
pub const TIMESTAMP_HEADER: &str = "X-Streamboxy-Timestamp";
/// The header with one or more `v1=<hex>` signatures (several during a key rotation).
pub const SIGNATURE_HEADER: &str = "X-Streamboxy-Signature";
/// The only signature scheme we accept.
const SCHEME: &str = "v1";
/// A delivery older than this (or this far in the future) is refused: a captured request
/// cannot be replayed later, and the delivery ledger only has to remember this long.
pub const MAX_AGE: Duration = Duration::minutes(5);

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery's signature is refused. Messages are safe to return to the sender: they
/// never contain the secret or the expected signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No timestamp header.
    #[error("the {TIMESTAMP_HEADER} header is missing")]
    MissingTimestamp,
    /// The timestamp is not a number of seconds.
    #[error("the {TIMESTAMP_HEADER} header is not a unix time in seconds")]
    MalformedTimestamp,
    /// No signature header, or none in the `v1=<hex>` form.
    #[error("the {SIGNATURE_HEADER} header is missing or has no v1=<hex> signature")]
    MissingSignature,
    /// No configured secret produces any of the signatures.
    #[error("the signature does not match; check the webhook secret in the Backstage")]
    Mismatch,
    /// Signed correctly, but too long ago: a replay, or a sender whose clock is wrong.
    #[error("the delivery was signed {age_secs} s ago; at most 300 s are accepted")]
    Stale {
        /// How old the signature is.
        age_secs: i64,
    },
    /// Signed correctly, but in the future beyond the allowed clock skew.
    #[error("the delivery's timestamp is {ahead_secs} s in the future; check the sender's clock")]
    FromTheFuture {
        /// How far ahead.
        ahead_secs: i64,
    },
}

/// The `v1=<hex>` signature of a body signed at `timestamp` (unix seconds, as sent).
pub fn sign(secret: &Secret, timestamp: &str, body: &[u8]) -> String {
    format!(
        "{SCHEME}={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

fn mac(secret: &Secret, timestamp: &str, body: &[u8]) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length, so new_from_slice cannot fail");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a delivery: a signature by one of `secrets` (several while a key is rotated) over
/// the raw body, then the freshness of the signed timestamp. Returns the signing time.
///
/// The signature is checked before the age, so only someone holding the secret ever learns
/// that a timestamp was the problem; comparisons are constant-time.
pub fn verify(
    secrets: &[Secret],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, SignatureError> {
    let raw_time = timestamp
        .map(str::trim)
        .ok_or(SignatureError::MissingTimestamp)?;
    let seconds: i64 = raw_time
        .parse()
        .map_err(|_| SignatureError::MalformedTimestamp)?;
    let signed_at =
        DateTime::from_timestamp(seconds, 0).ok_or(SignatureError::MalformedTimestamp)?;
    let candidates = signatures(signature.unwrap_or_default());
    if candidates.is_empty() {
        return Err(SignatureError::MissingSignature);
    }

    let matches = secrets.iter().filter(|s| !s.is_empty()).any(|secret| {
        candidates
            .iter()
            .any(|candidate| mac(secret, raw_time, body).verify_slice(candidate).is_ok())
    });
    if !matches {
        return Err(SignatureError::Mismatch);
    }

    let age = now - signed_at;
    if age > MAX_AGE {
        return Err(SignatureError::Stale {
            age_secs: age.num_seconds(),
        });
    }
    if -age > MAX_AGE {
        return Err(SignatureError::FromTheFuture {
            ahead_secs: (-age).num_seconds(),
        });
    }
    Ok(signed_at)
}

/// The decoded `v1` signatures of a header like `v1=ab…, v1=cd…`; other schemes are ignored.
fn signatures(header: &str) -> Vec<Vec<u8>> {
    header
        .split([',', ' '])
        .filter_map(|part| part.trim().strip_prefix(SCHEME)?.strip_prefix('='))
        .filter_map(|hex_text| hex::decode(hex_text).ok())
        .collect()
}

/// The signing keys held in the webhook secret: one per line, so a new key can be added
/// before the Backstage switches to it and the old one removed afterwards.
pub fn secrets_of(value: &Secret) -> Vec<Secret> {
    value
        .expose()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(Secret::new)
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const BODY: &[u8] = concat!(
        r#"{"type":"event.stateChanged","deliveryId":"d-1","tenantId":"t1","eventId":"e1","#,
        r#""state":"Finished","occurredDateTimeUtc":"2027-01-20T15:00:00Z"}"#
    )
    .as_bytes();

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid instant")
    }

    fn key() -> Secret {
        Secret::new("whsec-test")
    }

    #[test]
    fn a_signature_by_the_secret_is_accepted() {
        let ts = now().timestamp().to_string();
        let signature = sign(&key(), &ts, BODY);

        let signed_at = verify(&[key()], Some(&ts), Some(&signature), BODY, now());

        assert_eq!(signed_at, Ok(now()));
        assert!(signature.starts_with("v1=") && signature.len() == 3 + 64);
    }

    #[test]
    fn another_key_a_changed_body_or_a_changed_time_is_a_mismatch() {
        let ts = now().timestamp().to_string();
        let signature = sign(&key(), &ts, BODY);
        let later = (now().timestamp() + 1).to_string();

        let wrong_key = verify(
            &[Secret::new("other")],
            Some(&ts),
            Some(&signature),
            BODY,
            now(),
        );
        let wrong_body = verify(&[key()], Some(&ts), Some(&signature), b"{}", now());
        let wrong_time = verify(&[key()], Some(&later), Some(&signature), BODY, now());

        assert_eq!(wrong_key, Err(SignatureError::Mismatch));
        assert_eq!(wrong_body, Err(SignatureError::Mismatch));
        assert_eq!(wrong_time, Err(SignatureError::Mismatch));
    }

    #[test]
    fn old_and_future_signatures_are_refused_after_the_signature_check() {
        let old = (now() - Duration::seconds(301)).timestamp().to_string();
        let edge = (now() - Duration::seconds(300)).timestamp().to_string();
        let ahead = (now() + Duration::seconds(301)).timestamp().to_string();

        let stale = verify(
            &[key()],
            Some(&old),
            Some(&sign(&key(), &old, BODY)),
            BODY,
            now(),
        );
        let fresh = verify(
            &[key()],
            Some(&edge),
            Some(&sign(&key(), &edge, BODY)),
            BODY,
            now(),
        );
        let future = verify(
            &[key()],
            Some(&ahead),
            Some(&sign(&key(), &ahead, BODY)),
            BODY,
            now(),
        );
        let unsigned_old = verify(&[key()], Some(&old), Some("v1=00"), BODY, now());

        assert_eq!(stale, Err(SignatureError::Stale { age_secs: 301 }));
        assert!(fresh.is_ok());
        assert_eq!(
            future,
            Err(SignatureError::FromTheFuture { ahead_secs: 301 })
        );
        assert_eq!(unsigned_old, Err(SignatureError::Mismatch));
    }

    #[test]
    fn missing_and_malformed_headers_are_named() {
        let ts = now().timestamp().to_string();

        assert_eq!(
            verify(&[key()], None, Some("v1=00"), BODY, now()),
            Err(SignatureError::MissingTimestamp)
        );
        assert_eq!(
            verify(&[key()], Some("yesterday"), Some("v1=00"), BODY, now()),
            Err(SignatureError::MalformedTimestamp)
        );
        assert_eq!(
            verify(&[key()], Some(&ts), None, BODY, now()),
            Err(SignatureError::MissingSignature)
        );
        assert_eq!(
            verify(&[key()], Some(&ts), Some("v0=abcd, sha256=zz"), BODY, now()),
            Err(SignatureError::MissingSignature)
        );
    }

    #[test]
    fn during_a_rotation_either_key_and_either_signature_is_accepted() {
        let ts = now().timestamp().to_string();
        let keys = secrets_of(&Secret::new("old-key\n  new-key  \n\n"));
        let header = format!("v1=deadbeef, {}", sign(&Secret::new("new-key"), &ts, BODY));

        assert_eq!(keys.len(), 2);
        assert!(verify(&keys, Some(&ts), Some(&header), BODY, now()).is_ok());
        assert_eq!(
            verify(&[Secret::new("")], Some(&ts), Some(&header), BODY, now()),
            Err(SignatureError::Mismatch),
            "an empty key never verifies anything"
        );
    }

    proptest! {
        #[test]
        fn verification_never_panics(
            ts in ".{0,20}", sig in ".{0,80}", body in proptest::collection::vec(any::<u8>(), 0..64)
        ) {
            let _ = verify(&[key()], Some(&ts), Some(&sig), &body, now());
        }

        #[test]
        fn any_body_signed_now_verifies(body in proptest::collection::vec(any::<u8>(), 0..256)) {
            let ts = now().timestamp().to_string();
            let signature = sign(&key(), &ts, &body);
            prop_assert!(verify(&[key()], Some(&ts), Some(&signature), &body, now()).is_ok());
        }
    }
}
