//! The body of a webhook delivery: a state change of one event, with the delivery id that
//! makes a replay recognisable. Only the ids are trusted; the write-back reads the event again.

use serde::Deserialize;

use crate::ids::{EventId, TenantId};

/// The event type that reports a state change.
pub const STATE_CHANGED: &str = "event.stateChanged";
/// Delivery ids become storage keys; longer ones are refused.
const MAX_DELIVERY_ID: usize = 128;

/// Why a signed body cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// Not JSON of the documented shape.
    #[error("the body is not an event.stateChanged JSON object: {0}")]
    Shape(String),
    /// The delivery id is empty, too long, or has characters a key may not hold.
    #[error("deliveryId must be 1 to 128 letters, digits, '-' or '_'")]
    DeliveryId,
    /// A tenant or event id that is not usable.
    #[error("{0}")]
    Id(String),
}

/// A unique delivery of the webhook; a second request with the same id is a replay.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryId(String);

impl DeliveryId {
    /// Accepts the characters of a UUID or similar token.
    pub fn parse(raw: &str) -> Result<Self, PayloadError> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_DELIVERY_ID
            && raw
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(PayloadError::DeliveryId)
        }
    }

    /// The id as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A state change as the webhook reports it. The handler trusts only the ids: the write-back
/// reads the event again before acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// `event.stateChanged`, or another type we ignore.
    pub kind: String,
    /// The delivery, for replay refusal.
    pub delivery_id: DeliveryId,
    /// The tenant whose event changed.
    pub tenant_id: TenantId,
    /// The event.
    pub event_id: EventId,
    /// The new state, e.g. `Finished`.
    pub state: String,
}

impl StateChange {
    /// Decodes a signed body.
    pub fn parse(body: &[u8]) -> Result<Self, PayloadError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Wire {
            #[serde(rename = "type")]
            kind: String,
            delivery_id: String,
            tenant_id: String,
            event_id: String,
            #[serde(default)]
            state: Option<String>,
        }

        let wire: Wire =
            serde_json::from_slice(body).map_err(|e| PayloadError::Shape(shape_error(&e)))?;
        Ok(Self {
            kind: wire.kind,
            delivery_id: DeliveryId::parse(&wire.delivery_id)?,
            tenant_id: TenantId::parse(&wire.tenant_id)
                .map_err(|e| PayloadError::Id(e.to_string()))?,
            event_id: EventId::parse(&wire.event_id)
                .map_err(|e| PayloadError::Id(e.to_string()))?,
            state: wire.state.unwrap_or_default(),
        })
    }

    /// True for the one change that starts the Show / No Show write-back.
    pub fn is_event_finished(&self) -> bool {
        self.kind == STATE_CHANGED && self.state.trim().eq_ignore_ascii_case("Finished")
    }
}

/// serde's message without the body's content (it could quote personal data).
fn shape_error(err: &serde_json::Error) -> String {
    format!(
        "{:?} at line {} column {}",
        err.classify(),
        err.line(),
        err.column()
    )
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

    #[test]
    fn the_body_is_decoded_with_its_ids_checked() {
        let change = StateChange::parse(BODY).expect("valid body");

        assert!(change.is_event_finished());
        assert_eq!(change.delivery_id.as_str(), "d-1");
        assert_eq!(change.event_id.as_str(), "e1");

        let live = BODY.to_vec();
        let live = String::from_utf8(live)
            .expect("utf-8")
            .replace("Finished", "Live");
        assert!(
            !StateChange::parse(live.as_bytes())
                .expect("valid")
                .is_event_finished()
        );
        assert_eq!(
            StateChange::parse(br#"{"type":"x","deliveryId":"a#b","tenantId":"t","eventId":"e"}"#),
            Err(PayloadError::DeliveryId)
        );
        assert!(matches!(
            StateChange::parse(br#"{"type":"x","deliveryId":"a","tenantId":"t/x","eventId":"e"}"#),
            Err(PayloadError::Id(_))
        ));
        assert!(matches!(
            StateChange::parse(b"[1,2]"),
            Err(PayloadError::Shape(_))
        ));
    }

    proptest! {
        #[test]
        fn decoding_never_panics(body in proptest::collection::vec(any::<u8>(), 0..128)) {
            let _ = StateChange::parse(&body);
        }
    }
}
