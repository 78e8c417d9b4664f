//! The HTTP API of sbxy-pardot as one axum router: the admin routes and the OAuth callback
//! (`admin`), the STREAMBOXY webhook (`webhook`, issue 4). API Gateway (HTTP API, payload v2)
//! hands requests to the Lambdas, which run this router with `lambda_http`; the local runner
//! serves the same router with `sbxy-pardot serve --port P`.
//!
//! The admin page the Backstage embeds (`page`, issue 8) is served by the same router.
//!
//! `openapi.yaml` next to this crate describes every route; a test keeps the two in step.

pub mod admin;
pub mod page;
mod problem;
mod router;
mod routes;
mod state;
pub mod webhook;

pub use admin::admin_router;
pub use problem::ApiError;
pub use router::{NO_SUCH_ROUTE, route_table, router, serve};
pub use routes::Routes;
pub use state::ApiState;
pub use webhook::{WebhookConfig, WebhookState, webhook_router};
