//! HTTP plumbing shared by the three systems: per-route call recording, latency, the generic
//! faults (slow, drop), query-string parsing and HTML escaping.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::faults::{Decision, FaultKind, System};
use crate::server::KillSwitch;
use crate::shared::Shared;
use crate::sync::lock;

/// Marks a response whose connection was killed, so stats say "dropped" instead of a status.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dropped;

/// Middleware state: which system a listener's routes belong to.
#[derive(Debug, Clone)]
pub(crate) struct SystemCtx {
    pub(crate) shared: Arc<Shared>,
    pub(crate) system: System,
}

/// Records one call per request under its route template and final status.
pub(crate) async fn record(State(ctx): State<SystemCtx>, req: Request, next: Next) -> Response {
    let route = route_of(&req);
    let response = next.run(req).await;
    let status = if response.extensions().get::<Dropped>().is_some() {
        "dropped".to_owned()
    } else {
        response.status().as_u16().to_string()
    };
    ctx.shared.stats.record_call(ctx.system, &route, &status);
    response
}

/// `"METHOD /template"` of a matched route, or `"METHOD (unmatched)"`.
pub(crate) fn route_of(req: &Request) -> String {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    format!("{} {}", req.method(), path)
}

/// What the generic fault step decided for a request.
pub(crate) enum Prelude {
    /// Handle the request normally; kill the connection afterwards if `drop_after`.
    Proceed { drop_after: bool },
    /// Answer this instead (the connection may already be marked as killed).
    Respond(Response),
    /// A system-specific fault the caller must turn into its own error format.
    Special(Decision),
}

/// Sleeps the latency, then decides and applies the generic faults. Takes the connection's
/// kill switch rather than the request, because a request reference is not `Send`.
pub(crate) async fn prelude(
    shared: &Shared,
    system: System,
    switch: Option<KillSwitch>,
) -> Prelude {
    let latency = shared.latency_ms(system);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let (decision, slow_ms) = {
        let mut faults = lock(&shared.faults);
        (faults.decide(system), faults.slow_ms())
    };
    let Some(decision) = decision else {
        return Prelude::Proceed { drop_after: false };
    };
    let kind_name = match decision {
        Decision::Random(kind) => kind.name(),
        Decision::Burst66 => "pardot_66_burst",
        Decision::TokenKilled => "pardot_184_after",
    };
    shared.stats.record_fault(system, kind_name);
    tracing::debug!(system = system.name(), fault = kind_name, "injecting fault");

    match decision {
        Decision::Random(FaultKind::Slow) => {
            let ms = slow_ms.unwrap_or(shared.pardot_options.default_slow_ms);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Prelude::Proceed { drop_after: false }
        }
        Decision::Random(FaultKind::Drop) => {
            if let Some(switch) = switch {
                switch.trigger();
            }
            Prelude::Respond(dropped_response())
        }
        Decision::Random(FaultKind::DropAfter) => Prelude::Proceed { drop_after: true },
        other => Prelude::Special(other),
    }
}

/// The kill switch of the request's connection (absent when served without a socket).
pub(crate) fn kill_switch_of(req: &Request) -> Option<KillSwitch> {
    req.extensions()
        .get::<ConnectInfo<KillSwitch>>()
        .map(|ConnectInfo(switch)| switch.clone())
}

/// The placeholder response of a killed connection; it never reaches the client.
pub(crate) fn dropped_response() -> Response {
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(Dropped);
    response
}

/// The decoded query pairs of a request, in order. `+` decodes to a space, as on the real
/// servers, which is why clients must send `%2B` in time offsets.
pub(crate) fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Escapes text for HTML element content and attribute values.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plus_in_query_decodes_to_space() {
        let uri: Uri = "/x?updatedAtAfter=2026-11-28T10:00:00+02:00&a=%2B1"
            .parse()
            .unwrap();
        let pairs = query_pairs(&uri);
        assert_eq!(pairs[0].1, "2026-11-28T10:00:00 02:00");
        assert_eq!(pairs[1].1, "+1");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
