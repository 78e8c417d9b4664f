//! The whole API as one router, and serving it on a local socket. The Lambdas run
//! [`router`] with `lambda_http`; `sbxy-pardot serve` and the harness run [`serve`].

use std::future::Future;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::routes::Routes;
use crate::state::ApiState;

/// The `error` code of a request that matched no route, so a caller (and the OpenAPI check)
/// can tell "no such route" from a handler's own 404.
pub const NO_SUCH_ROUTE: &str = "no_such_route";

/// Every route of the API.
fn api_routes() -> Routes {
    crate::admin::routes()
        .merge(crate::page::routes())
        .merge(crate::webhook::routes())
}

/// The whole API: admin routes, OAuth callback, the admin page and webhooks.
pub fn router(state: ApiState) -> Router {
    api_routes()
        .into_router()
        .route_layer(middleware::from_fn(log_request))
        .fallback(no_such_route)
        .with_state(state)
}

/// The (method, path template) pairs [`router`] serves.
pub fn route_table() -> Vec<(Method, &'static str)> {
    api_routes().table().to_vec()
}

/// Serves [`router`] on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ApiState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn no_such_route() -> Response {
    let body = json!({ "error": NO_SUCH_ROUTE, "message": "no such route" });
    (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
}

/// One line per request with the route template, never the URI: the callback's query string
/// carries the authorization code.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(String::new, |path| path.as_str().to_owned());
    let started = Instant::now();

    let response = next.run(request).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "request handled"
    );
    response
}
