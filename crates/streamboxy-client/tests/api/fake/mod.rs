//! A small in-memory STREAMBOXY speaking contract v0 on 127.0.0.1:0, with a queue of canned
//! faults served before normal handling and a log of every request it saw.

use std::collections::{BTreeSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use url::Url;

mod routes;

use routes::problem;

pub(crate) const TENANT: &str = "a7c3e1f0-5b2d-4c8e-9f10-2d3e4f5a6b7c";
pub(crate) const KEY: &str = "sbxy-test-key-7f3a";

/// An answer served instead of the route's own, once.
#[derive(Clone)]
pub(crate) struct Fault {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: String,

    /// Never answer, so the client's timeout fires.
    pub(crate) hang: bool,
}

impl Fault {
    pub(crate) fn status(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
            hang: false,
        }
    }

    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub(crate) fn hang() -> Self {
        Self {
            hang: true,
            ..Self::status(200, "")
        }
    }
}

/// A request as the fake received it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: String,
}

/// The fake's whole state; tests seed it and read it back.
pub(crate) struct FakeState {
    /// The header and exact value a request must carry.
    pub(crate) auth: (&'static str, String),
    pub(crate) events: Vec<Value>,
    pub(crate) users: Vec<Value>,
    pub(crate) grants: BTreeSet<(String, String)>,
    pub(crate) attendance: Vec<(String, Value)>,
    pub(crate) definitions: Vec<Value>,
    pub(crate) faults: VecDeque<Fault>,
    pub(crate) seen: Vec<Seen>,

    /// Serve at most this many items per page, whatever `take` says.
    pub(crate) max_take: usize,

    /// Leave `count` out of pages, as a server without totals would.
    pub(crate) omit_count: bool,
}

impl Default for FakeState {
    fn default() -> Self {
        Self {
            auth: ("authorization", format!("Bearer {KEY}")),
            events: Vec::new(),
            users: Vec::new(),
            grants: BTreeSet::new(),
            attendance: Vec::new(),
            definitions: Vec::new(),
            faults: VecDeque::new(),
            seen: Vec::new(),
            max_take: 100,
            omit_count: false,
        }
    }
}

type Shared = Arc<Mutex<FakeState>>;

/// A running fake; it stops when the test's runtime ends.
pub(crate) struct Fake {
    pub(crate) url: Url,
    state: Shared,
}

impl Fake {
    pub(crate) async fn start(state: FakeState) -> Self {
        let state: Shared = Arc::new(Mutex::new(state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");

        let app = routes::routes()
            .layer(from_fn_with_state(state.clone(), gatekeeper))
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.expect("fake serves") });

        let url = Url::parse(&format!("http://{addr}/")).expect("fake URL");
        Self { url, state }
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().expect("fake state lock")
    }

    pub(crate) fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state().faults.extend(faults);
    }

    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }
}

/// Records the request, checks the credential, and serves a queued fault if there is one.
async fn gatekeeper(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, 1 << 20).await.unwrap_or_default();

    let (authorised, fault) = {
        let mut state = state.lock().expect("fake state lock");
        state.seen.push(Seen {
            method: parts.method.clone(),
            path: parts.uri.path().to_owned(),
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers.clone(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        });
        let (name, value) = &state.auth;
        let authorised = parts
            .headers
            .get(*name)
            .is_some_and(|sent| sent == value.as_str());
        (authorised, state.faults.pop_front())
    };

    if let Some(fault) = fault {
        return serve_fault(fault).await;
    }
    if !authorised {
        return problem(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "invalid API key",
            None,
        );
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

async fn serve_fault(fault: Fault) -> Response {
    if fault.hang {
        std::future::pending::<()>().await;
    }

    let status = StatusCode::from_u16(fault.status).expect("valid fault status");
    let mut response = (status, fault.body).into_response();
    for (name, value) in fault.headers {
        response
            .headers_mut()
            .insert(name, value.parse().expect("valid header value"));
    }
    response
}
