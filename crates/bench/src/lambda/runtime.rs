//! A tiny stand-in for the Lambda Runtime API on 127.0.0.1: it hands one event to the first
//! `GET /invocation/next`, notes when the answer arrives (`/response` or `/error`), and keeps
//! later `next` calls waiting, as Lambda does between invocations. The time from spawning a
//! Lambda binary to its first answer is its local cold start.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use serde_json::Value;
use tokio::process::Command;
use tokio::sync::oneshot;

const API: &str = "/2018-06-01/runtime";
const REQUEST_ID: &str = "bench-request-0001";
/// How long a start may take before the measurement gives up.
const GIVE_UP: Duration = Duration::from_secs(30);

/// How the first invocation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// `POST /invocation/{id}/response`.
    Response,
    /// `POST /invocation/{id}/error`: the handler ran and reported an error.
    Error,
    /// `POST /init/error`: the process failed before taking the event.
    InitError,
}

/// One measured start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Start {
    pub millis: f64,
    pub answer: Answer,
}

struct Emulator {
    event: Value,
    served: AtomicBool,
    answered: Mutex<Option<oneshot::Sender<(Instant, Answer)>>>,
}

impl Emulator {
    fn answer(&self, answer: Answer) {
        let now = Instant::now();
        let sender = self
            .answered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sender) = sender {
            let _ = sender.send((now, answer));
        }
    }
}

async fn next(State(emulator): State<Arc<Emulator>>) -> Response {
    if emulator.served.swap(true, Ordering::SeqCst) {
        // Lambda freezes the process between invocations; waiting forever is the same here.
        std::future::pending::<()>().await;
    }
    let deadline = chrono::Utc::now().timestamp_millis() + 900_000;
    let mut headers = HeaderMap::new();
    let pairs = [
        ("lambda-runtime-aws-request-id", REQUEST_ID.to_owned()),
        ("lambda-runtime-deadline-ms", deadline.to_string()),
        (
            "lambda-runtime-invoked-function-arn",
            "arn:aws:lambda:us-east-1:000000000000:function:bench".to_owned(),
        ),
        (
            "lambda-runtime-trace-id",
            "Root=1-00000000-000000000000000000000000".to_owned(),
        ),
        ("content-type", "application/json".to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = value.parse() {
            headers.insert(name, value);
        }
    }
    (headers, emulator.event.to_string()).into_response()
}

async fn response(State(emulator): State<Arc<Emulator>>) -> &'static str {
    emulator.answer(Answer::Response);
    "{}"
}

async fn error(State(emulator): State<Arc<Emulator>>) -> &'static str {
    emulator.answer(Answer::Error);
    "{}"
}

async fn init_error(State(emulator): State<Arc<Emulator>>) -> &'static str {
    emulator.answer(Answer::InitError);
    "{}"
}

/// Spawns `binary` against a fresh emulator holding `event` and measures the time to its
/// first answer. `env` is the function's configuration; the runtime variables are added.
pub async fn measure_start(
    binary: &Path,
    function: &str,
    event: &Value,
    env: &[(String, String)],
) -> anyhow::Result<Start> {
    let (sender, answered) = oneshot::channel();
    let emulator = Arc::new(Emulator {
        event: event.clone(),
        served: AtomicBool::new(false),
        answered: Mutex::new(Some(sender)),
    });
    let router = Router::new()
        .route(&format!("{API}/invocation/next"), get(next))
        .route(&format!("{API}/invocation/{{id}}/response"), post(response))
        .route(&format!("{API}/invocation/{{id}}/error"), post(error))
        .route(&format!("{API}/init/error"), post(init_error))
        .with_state(emulator);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding the runtime API emulator")?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let lambda_env = [
        ("AWS_LAMBDA_RUNTIME_API", address.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", function.to_owned()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".to_owned()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".to_owned()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/{function}"),
        ),
    ];
    let spawned = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(lambda_env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;

    let outcome = tokio::time::timeout(GIVE_UP, answered).await;
    let _ = child.kill().await;
    server.abort();
    let (at, answer) = match outcome {
        Ok(Ok(answered)) => answered,
        Ok(Err(_)) => bail!("{function}: the emulator stopped before an answer"),
        Err(_) => bail!("{function}: no answer within {GIVE_UP:?}"),
    };
    Ok(Start {
        millis: at.duration_since(spawned).as_secs_f64() * 1000.0,
        answer,
    })
}
