//! [`PardotClient`]: one business unit's connection to the Pardot API v5. This file holds the
//! client's state and URL building; the request loop lives in `transport`, the typed
//! operations in `lists`, `prospects` and `imports`.

mod imports;
mod lists;
mod prospects;
mod transport;

use std::sync::Arc;

use url::{Origin, Url};

use crate::config::{ClientSettings, PardotEndpoints, PardotHost, endpoint};
use crate::limiter::{BusinessUnitSlots, InFlightLimiter};
use crate::stats::CallStats;
use crate::token::AccessTokens;

/// Pardot's largest page size.
const MAX_PAGE_SIZE: u32 = 1000;

/// A Pardot API client for one business unit. Cheap to clone; clones share tokens, the
/// in-flight slots and the stats.
#[derive(Clone)]
pub struct PardotClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    business_unit_id: String,
    tokens: Arc<dyn AccessTokens>,
    slots: BusinessUnitSlots,
    settings: ClientSettings,
    stats: Arc<CallStats>,
}

impl PardotClient {
    /// `limiter` must be the process-wide one, so every client of this business unit shares
    /// Pardot's concurrency cap.
    pub fn new(
        http: reqwest::Client,
        endpoints: &PardotEndpoints,
        host: PardotHost,
        business_unit_id: String,
        tokens: Arc<dyn AccessTokens>,
        limiter: InFlightLimiter,
        settings: ClientSettings,
    ) -> Self {
        let slots = limiter.for_bu(&business_unit_id);

        Self {
            inner: Arc::new(Inner {
                http,
                base: endpoints.base(host).clone(),
                business_unit_id,
                tokens,
                slots,
                settings,
                stats: Arc::new(CallStats::default()),
            }),
        }
    }

    /// Counters of this client's requests, retries and refreshes.
    pub fn stats(&self) -> Arc<CallStats> {
        Arc::clone(&self.inner.stats)
    }

    pub fn business_unit_id(&self) -> &str {
        &self.inner.business_unit_id
    }

    /// The Pardot API base this client talks to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// `…/api/v5/objects/<path>`.
    pub(crate) fn object_url(&self, path: &str) -> Url {
        endpoint(&self.inner.base, &format!("api/v5/objects/{path}"))
    }

    /// `…/api/v5/<path>` for the few endpoints outside `objects/`.
    pub(crate) fn api_url(&self, path: &str) -> Url {
        endpoint(&self.inner.base, &format!("api/v5/{path}"))
    }

    /// True when `url` has the configured base's scheme, host and port; only then may the
    /// access token go there.
    pub(crate) fn is_own_origin(&self, url: &Url) -> bool {
        url.origin() == self.own_origin()
    }

    fn own_origin(&self) -> Origin {
        self.inner.base.origin()
    }

    /// The page size to request: the caller's or the default, within Pardot's 1..=1000.
    pub(crate) fn page_size(&self, requested: Option<u32>) -> u32 {
        requested
            .unwrap_or(self.inner.settings.default_page_size)
            .clamp(1, MAX_PAGE_SIZE)
    }
}

impl std::fmt::Debug for PardotClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PardotClient")
            .field("base", &self.inner.base.as_str())
            .field("business_unit_id", &self.inner.business_unit_id)
            .finish_non_exhaustive()
    }
}
