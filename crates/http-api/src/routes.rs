//! A router that remembers its routes. axum cannot list the routes of a `Router`, so every
//! route is added through [`Routes`], which keeps the table the OpenAPI check compares with
//! `openapi.yaml`: a route cannot exist without appearing in the table.

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::state::ApiState;

/// Routes under construction, with their (method, path template) table.
#[derive(Default)]
pub struct Routes {
    router: Router<ApiState>,
    table: Vec<(Method, &'static str)>,
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `GET path`.
    #[must_use]
    pub fn get<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, ApiState>,
        T: 'static,
    {
        self.add((Method::GET, MethodFilter::GET), path, handler)
    }

    /// Adds `POST path`.
    #[must_use]
    pub fn post<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, ApiState>,
        T: 'static,
    {
        self.add((Method::POST, MethodFilter::POST), path, handler)
    }

    /// Adds `PUT path`.
    #[must_use]
    pub fn put<H, T>(self, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, ApiState>,
        T: 'static,
    {
        self.add((Method::PUT, MethodFilter::PUT), path, handler)
    }

    /// Adds the routes of `other`.
    #[must_use]
    pub fn merge(mut self, other: Self) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// The (method, path template) pairs, in the order they were added.
    pub fn table(&self) -> &[(Method, &'static str)] {
        &self.table
    }

    /// The router, without state yet.
    pub fn into_router(self) -> Router<ApiState> {
        self.router
    }

    fn add<H, T>(
        mut self,
        (method, filter): (Method, MethodFilter),
        path: &'static str,
        handler: H,
    ) -> Self
    where
        H: Handler<T, ApiState>,
        T: 'static,
    {
        // axum merges the methods of one path registered twice.
        let route: MethodRouter<ApiState> = on(filter, handler);
        self.router = self.router.route(path, route);
        self.table.push((method, path));
        self
    }
}
