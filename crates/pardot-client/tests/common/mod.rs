//! Test support: a tiny axum server on 127.0.0.1:0 that records every request and answers
//! from a closure, plus an in-memory token provider and client constructors.

#![allow(dead_code)]

pub(crate) mod login;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sbxy_pardot_client::{
    AccessTokens, ClientSettings, InFlightLimiter, PardotClient, PardotEndpoints, PardotHost,
    Secret, TokenError,
};
use url::Url;

pub(crate) const BU: &str = "0Uv5e000000TEST1CAA";

/// One request as the fake server saw it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: Method,
    pub(crate) path: String,
    /// The raw query string, exactly as sent.
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Recorded {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// A decoded query parameter.
    pub(crate) fn param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }

    pub(crate) fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub(crate) fn form_value(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// What the fake server answers.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(status: u16, body: impl Into<String>) -> Self {
        Self {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: body.into(),
        }
    }

    pub(crate) fn error(status: u16, code: i64, message: &str) -> Self {
        Self::json(
            status,
            serde_json::json!({ "code": code, "message": message }).to_string(),
        )
    }

    pub(crate) fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: String::new(),
        }
    }

    pub(crate) fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

struct ServerState {
    handler: Box<Handler>,
    requests: Mutex<Vec<Recorded>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    latency: Duration,
}

/// A fake HTTP server on a free 127.0.0.1 port.
pub(crate) struct FakeServer {
    pub(crate) base: Url,
    state: Arc<ServerState>,
}

impl FakeServer {
    pub(crate) async fn start(
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::start_with_latency(Duration::ZERO, handler).await
    }

    /// `latency` simulates a slow Pardot so concurrent requests overlap.
    pub(crate) async fn start_with_latency(
        latency: Duration,
        handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    ) -> Self {
        let state = Arc::new(ServerState {
            handler: Box::new(handler),
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            latency,
        });
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("local addr").port();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .await
                .expect("fake server runs");
        });

        Self {
            base: Url::parse(&format!("http://127.0.0.1:{port}/")).expect("base url"),
            state,
        }
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().expect("requests lock").clone()
    }

    pub(crate) fn request_count(&self) -> usize {
        self.state.requests.lock().expect("requests lock").len()
    }

    pub(crate) fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// The base URL without the trailing slash, for building links in bodies.
    pub(crate) fn origin(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_owned()
    }
}

async fn handle(
    State(state): State<Arc<ServerState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);

    let recorded = Recorded {
        method,
        path: uri.path().to_owned(),
        query: uri.query().map(str::to_owned),
        headers,
        body: body.to_vec(),
    };
    state
        .requests
        .lock()
        .expect("requests lock")
        .push(recorded.clone());
    if !state.latency.is_zero() {
        tokio::time::sleep(state.latency).await;
    }
    let reply = (state.handler)(&recorded);

    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut headers = HeaderMap::new();
    for (name, value) in &reply.headers {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    let status = StatusCode::from_u16(reply.status).expect("status");
    (status, headers, reply.body).into_response()
}

/// An [`AccessTokens`] that hands out `initial` until a rejection, then `next`.
pub(crate) struct TestTokens {
    current: Mutex<String>,
    next: String,
    refreshes: AtomicUsize,
}

impl TestTokens {
    pub(crate) fn new(initial: &str, next: &str) -> Arc<Self> {
        Arc::new(Self {
            current: Mutex::new(initial.to_owned()),
            next: next.to_owned(),
            refreshes: AtomicUsize::new(0),
        })
    }

    pub(crate) fn refreshes(&self) -> usize {
        self.refreshes.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl AccessTokens for TestTokens {
    async fn current(&self) -> Result<Secret, TokenError> {
        Ok(Secret::new(
            self.current.lock().expect("token lock").clone(),
        ))
    }

    async fn refresh_after_rejection(&self, rejected: &Secret) -> Result<Secret, TokenError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let mut current = self.current.lock().expect("token lock");
        if current.as_str() == rejected.expose() {
            *current = self.next.clone();
        }
        Ok(Secret::new(current.clone()))
    }
}

/// Settings that retry quickly, so tests don't wait on real backoff.
pub(crate) fn fast_settings() -> ClientSettings {
    ClientSettings {
        max_in_flight: 4,
        request_timeout: Duration::from_secs(10),
        max_retries: 4,
        backoff_base: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(5),
        default_page_size: 1000,
    }
}

/// A client for `server` as the production host, with a fresh limiter.
pub(crate) fn client(server: &FakeServer, tokens: Arc<dyn AccessTokens>) -> PardotClient {
    let settings = fast_settings();
    let limiter = InFlightLimiter::from_settings(&settings);
    client_with(server, tokens, limiter, settings)
}

pub(crate) fn client_with(
    server: &FakeServer,
    tokens: Arc<dyn AccessTokens>,
    limiter: InFlightLimiter,
    settings: ClientSettings,
) -> PardotClient {
    let endpoints = PardotEndpoints {
        production: server.base.clone(),
        demo: Url::parse("http://127.0.0.1:9/").expect("demo url"),
    };
    PardotClient::new(
        reqwest::Client::new(),
        &endpoints,
        PardotHost::Production,
        BU.to_owned(),
        tokens,
        limiter,
        settings,
    )
}

/// Reads one of this crate's own fixtures, with `{{BASE}}` replaced by `origin`.
pub(crate) fn own_fixture(name: &str, origin: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("read {path}: {err}"))
        .replace("{{BASE}}", origin)
}
