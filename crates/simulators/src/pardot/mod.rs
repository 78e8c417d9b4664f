//! Pardot (Account Engagement) v5 per pardot-api.md §2.8, §3 and §4. The same router serves
//! the production host and the demo host; each listener knows which environment it is.

mod errors;
mod external;
mod fields;
mod gate;
mod imports;
mod lists;
mod memberships;
mod misc;
pub(crate) mod model;
mod paging;
mod prospects;
mod query;
mod request;
pub(crate) mod state;

use std::sync::Arc;

use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};

use crate::faults::System;
use crate::http::{SystemCtx, record};
use crate::shared::Shared;

pub use paging::CEILING_WARNING;
pub(crate) use request::PardotPort;

use errors::PardotError;
use model::Environment;

/// The routes of one Pardot listener (control routes are merged by the caller).
pub(crate) fn router(shared: Arc<Shared>, environment: Environment) -> Router {
    let port = PardotPort {
        shared: Arc::clone(&shared),
        environment,
    };
    let ctx = SystemCtx {
        shared,
        system: System::Pardot,
    };
    const OBJECTS: &str = "/api/v5/objects";
    Router::new()
        .route(&format!("{OBJECTS}/account"), get(misc::account))
        .route(
            &format!("{OBJECTS}/lists"),
            get(lists::query).post(lists::create),
        )
        .route(
            &format!("{OBJECTS}/lists/{{id}}"),
            get(lists::read).patch(lists::update).delete(lists::delete),
        )
        .route(
            &format!("{OBJECTS}/list-memberships"),
            get(memberships::query).post(memberships::create),
        )
        .route(
            &format!("{OBJECTS}/list-memberships/{{id}}"),
            get(memberships::read)
                .patch(memberships::update)
                .delete(memberships::delete),
        )
        .route(
            &format!("{OBJECTS}/prospects"),
            get(prospects::query).post(prospects::create),
        )
        .route(
            &format!("{OBJECTS}/prospects/{{id}}"),
            get(prospects::read)
                .patch(prospects::update)
                .delete(prospects::delete),
        )
        .route(
            &format!("{OBJECTS}/prospects/{{id}}/do/undelete"),
            post(prospects::undelete),
        )
        .route(
            &format!("{OBJECTS}/custom-fields"),
            get(misc::query_custom_fields),
        )
        .route(
            &format!("{OBJECTS}/custom-fields/{{id}}"),
            get(misc::read_custom_field),
        )
        .route(&format!("{OBJECTS}/folders"), get(misc::query_folders))
        .route(&format!("{OBJECTS}/folders/{{id}}"), get(misc::read_folder))
        .route(
            "/api/v5/external-activities",
            get(external::query).post(external::create),
        )
        .route("/api/v5/external-activities/{id}", get(external::read))
        .route("/api/v5/imports", post(imports::create))
        .route(
            "/api/v5/imports/{id}",
            get(imports::read).patch(imports::update),
        )
        .route("/api/v5/imports/{id}/batches", post(imports::add_batch))
        .method_not_allowed_fallback(method_not_allowed)
        .route_layer(middleware::from_fn_with_state(port.clone(), gate::gate))
        .route_layer(middleware::from_fn_with_state(ctx, record))
        .layer(Extension(imports::ImportStore::new()))
        .with_state(port)
}

async fn method_not_allowed() -> Response {
    PardotError::method_not_allowed().into_response()
}

/// Unknown Pardot paths (recorded by the caller's fallback).
pub(crate) fn unknown_object() -> Response {
    PardotError::unknown_object().into_response()
}
