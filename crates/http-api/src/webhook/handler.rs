//! The webhook's steps, in the order that keeps it cheap to attack and safe to retry:
//! authenticate (signature, then age), decode, refuse a replay, then look at the tenant and
//! hand the write-back off. A failed hand-off forgets the delivery, so the sender's retry is
//! taken rather than refused as a replay.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use sbxy_domain::attendance::AttendanceTrigger;
use sbxy_domain::webhook::{
    MAX_AGE, SIGNATURE_HEADER, STATE_CHANGED, SignatureError, StateChange, TIMESTAMP_HEADER, verify,
};
use sbxy_sync::attendance::request_attendance;
use tracing::Instrument;

use super::WebhookState;
use super::answer::{accepted, ignored, problem, unavailable};

/// A delivery id is remembered for twice the signature's window, so a replay is refused by
/// the ledger while its timestamp could still pass, and by the timestamp after that.
fn ledger_keep() -> Duration {
    MAX_AGE * 2
}

/// `POST /webhooks/streamboxy/event-state`.
pub(super) async fn event_state(
    State(state): State<WebhookState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = Utc::now();
    let timestamp = header(&headers, TIMESTAMP_HEADER);
    let signature = header(&headers, SIGNATURE_HEADER);
    if body.len() > state.config.max_body_bytes {
        return problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Delivery too large",
            "a state-change notice is a few hundred bytes; this body is not one",
        );
    }
    if timestamp.is_none() || signature.is_none() {
        // Refused without a secret read, so unsigned noise costs nothing.
        let err = verify(&[], timestamp, signature, &body, now).err();
        let detail = err.map_or_else(String::new, |e| e.to_string());
        return problem(StatusCode::UNAUTHORIZED, "Signature refused", &detail);
    }

    // Authenticate before anything is read or stored.
    let secrets = &state.ctx.secrets;
    let keys = match state.keys.get(secrets).await {
        Ok(keys) => keys,
        Err(err) => {
            tracing::error!(error = %err, "webhook signing key unavailable; deliveries refused");
            return unavailable();
        }
    };
    let mut verified = verify(&keys, timestamp, signature, &body, now);
    if verified == Err(SignatureError::Mismatch)
        && let Ok(Some(newer)) = state.keys.reread(secrets).await
    {
        verified = verify(&newer, timestamp, signature, &body, now);
    }
    if let Err(err) = verified {
        tracing::warn!(reason = %err, "webhook delivery refused");
        return problem(
            StatusCode::UNAUTHORIZED,
            "Signature refused",
            &err.to_string(),
        );
    }

    let change = match StateChange::parse(&body) {
        Ok(change) => change,
        Err(err) => {
            tracing::warn!(reason = %err, "signed webhook delivery is unreadable");
            return problem(
                StatusCode::BAD_REQUEST,
                "Unreadable delivery",
                &err.to_string(),
            );
        }
    };
    let span = tracing::info_span!(
        "webhook",
        delivery = change.delivery_id.as_str(),
        tenant = %change.tenant_id,
        event = %change.event_id,
    );
    take(&state, &change, now).instrument(span).await
}

/// Takes an authenticated, readable delivery: refuses a replay, then hands it off.
async fn take(state: &WebhookState, change: &StateChange, now: DateTime<Utc>) -> Response {
    if change.kind != STATE_CHANGED {
        tracing::info!(kind = %change.kind, "webhook delivery of another type ignored");
        return ignored("only event.stateChanged deliveries are used");
    }

    let store = &state.ctx.store;
    match store
        .record_delivery(&change.delivery_id, &change.tenant_id, now, ledger_keep())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!("webhook delivery replayed; refused");
            return problem(
                StatusCode::CONFLICT,
                "Delivery already received",
                "this deliveryId was accepted before; a new notice needs a new deliveryId",
            );
        }
        Err(err) => {
            tracing::error!(error = %err, "webhook delivery ledger unavailable");
            return unavailable();
        }
    }

    let answer = hand_off(state, change).await;
    if answer.status() == StatusCode::SERVICE_UNAVAILABLE
        && let Err(err) = store.forget_delivery(&change.delivery_id).await
    {
        tracing::error!(error = %err, "could not forget a failed delivery; its retry is refused");
    }
    answer
}

/// Decides what the delivery asks for and hands a finished event's write-back off.
async fn hand_off(state: &WebhookState, change: &StateChange) -> Response {
    let ctx = &state.ctx;
    let tenant = match ctx.store.tenant(&change.tenant_id).await {
        Ok(Some(tenant)) => tenant,
        Ok(None) => {
            tracing::warn!("webhook for an unknown tenant");
            return problem(
                StatusCode::NOT_FOUND,
                "Unknown tenant",
                "this tenant has not connected the Pardot integration",
            );
        }
        Err(err) => {
            tracing::error!(error = %err, "tenant lookup failed");
            return unavailable();
        }
    };

    if !change.is_event_finished() {
        tracing::info!(state = %change.state, "event state change ignored");
        return ignored("only a change to Finished starts the Show / No Show write-back");
    }
    let switched_on = tenant.settings.as_ref().is_some_and(|settings| {
        settings.attendance_lists_enabled || settings.external_activities.is_some()
    });
    if !switched_on || !tenant.is_syncable() {
        tracing::info!("Show / No Show is off for the tenant; ignored");
        return ignored("Show / No Show is switched off or the tenant is not connected");
    }
    match ctx.store.linked_events(&change.tenant_id).await {
        Ok(events) if events.iter().any(|e| e.event_id == change.event_id) => {}
        Ok(_) => {
            tracing::info!("the event is not linked to a Pardot list; ignored");
            return ignored(
                "the event is not linked to a Pardot list (yet); the poller writes it back \
                 once it is",
            );
        }
        Err(err) => {
            tracing::error!(error = %err, "linked events lookup failed");
            return unavailable();
        }
    }

    let trigger = AttendanceTrigger::Webhook;
    match request_attendance(ctx, &change.tenant_id, &change.event_id, trigger).await {
        Ok(()) => accepted(change.event_id.as_str()),
        Err(err) => {
            tracing::error!(error = %err, "hand-off to EventBridge failed");
            unavailable()
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}
