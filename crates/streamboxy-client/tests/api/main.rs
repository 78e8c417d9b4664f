//! Integration tests of the STREAMBOXY client against a fake server on 127.0.0.1:0, one test
//! binary (so the crate links once) with a module per concern.

mod access;
mod auth;
mod decoders;
mod events;
mod fake;
mod resilience;
mod users;

use std::time::Duration;

use sbxy_domain::Secret;
use sbxy_streamboxy_client::{StreamboxyClient, StreamboxyConfig};
use serde_json::{Value, json};

use fake::{Fake, KEY};

/// Contract defaults, with backoff shortened so retry tests run in milliseconds.
fn config_for(fake: &Fake) -> StreamboxyConfig {
    let mut config = StreamboxyConfig::new(fake.url.clone());
    config.backoff_base = Duration::from_millis(1);
    config.backoff_max = Duration::from_millis(5);
    config.request_timeout = Duration::from_secs(5);
    config
}

fn client_with(config: StreamboxyConfig) -> StreamboxyClient {
    StreamboxyClient::new(reqwest::Client::new(), config, &Secret::new(KEY)).expect("valid config")
}

fn client_for(fake: &Fake) -> StreamboxyClient {
    client_with(config_for(fake))
}

/// A contract-v0 event with the given id and custom properties.
fn event(id: &str, props: Value) -> Value {
    json!({
        "id": id, "title": format!("Event {id}"), "state": "Live",
        "startDateTimeUtc": "2027-03-01T09:00:00.000Z",
        "endDateTimeUtc": "2027-03-01T17:00:00.000Z",
        "timeZone": "Europe/Berlin", "customProperties": props, "rowVersion": "rv1"
    })
}

/// A stored tenant user.
fn user(id: &str, email: &str) -> Value {
    json!({
        "id": id, "email": email, "firstName": "Jürgen", "lastName": "Müller",
        "externalKey": null, "createdDateTimeUtc": "2026-11-28T10:00:00.000Z"
    })
}

/// The query pairs of a recorded request, decoded.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}
