//! Where the client connects and how hard it pushes: API and login hosts per Salesforce
//! environment, and the retry/concurrency settings. Plain data; the caller reads env vars.

use std::time::Duration;

use url::Url;

/// Pardot's hard cap of concurrent requests per business unit (more → code 66).
pub const PARDOT_MAX_IN_FLIGHT: usize = 5;

/// The two Pardot API base URLs. Real values are `https://pi.pardot.com` and
/// `https://pi.demo.pardot.com`; tests and the simulator point both at 127.0.0.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PardotEndpoints {
    pub production: Url,
    pub demo: Url,
}

impl PardotEndpoints {
    /// The real Pardot hosts.
    pub fn salesforce() -> Self {
        Self {
            production: fixed_url("https://pi.pardot.com/"),
            demo: fixed_url("https://pi.demo.pardot.com/"),
        }
    }

    /// The base URL of one host.
    pub fn base(&self, host: PardotHost) -> &Url {
        match host {
            PardotHost::Production => &self.production,
            PardotHost::Demo => &self.demo,
        }
    }
}

/// Which Pardot API host serves a business unit. A production BU sent to the demo host (or the
/// reverse) fails with code 201, so this must follow the Salesforce environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PardotHost {
    Production,
    Demo,
}

/// The two Salesforce OAuth hosts (authorize, token, revoke, identity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginEndpoints {
    pub production: Url,
    pub sandbox: Url,
}

impl LoginEndpoints {
    /// The real Salesforce login hosts.
    pub fn salesforce() -> Self {
        Self {
            production: fixed_url("https://login.salesforce.com/"),
            sandbox: fixed_url("https://test.salesforce.com/"),
        }
    }

    /// The login base URL of one environment.
    pub fn base(&self, environment: SalesforceEnvironment) -> &Url {
        match environment {
            SalesforceEnvironment::Production | SalesforceEnvironment::Developer => {
                &self.production
            }
            SalesforceEnvironment::Sandbox => &self.sandbox,
        }
    }
}

/// The kind of Salesforce org behind a connection. It decides both hosts at once, because
/// switching only the login host is a classic cause of code 201.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SalesforceEnvironment {
    /// login.salesforce.com + pi.pardot.com.
    Production,
    /// An Account Engagement developer org: login.salesforce.com + pi.demo.pardot.com.
    Developer,
    /// A sandbox: test.salesforce.com + pi.demo.pardot.com.
    Sandbox,
}

impl SalesforceEnvironment {
    /// The Pardot API host that serves business units of this environment.
    pub fn pardot_host(self) -> PardotHost {
        match self {
            Self::Production => PardotHost::Production,
            Self::Developer | Self::Sandbox => PardotHost::Demo,
        }
    }
}

/// How the Pardot client paces and retries requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    /// Requests of one business unit in flight at once, retries included. Default 4 (one below
    /// Pardot's cap of 5, leaving room for an admin's tool); clamped to 1..=5. Used to build
    /// the process-wide [`crate::InFlightLimiter`] via [`crate::InFlightLimiter::from_settings`].
    pub max_in_flight: usize,
    /// Whole-request timeout (connect, send, read the body).
    pub request_timeout: Duration,
    /// Retries after 66, 5xx, timeouts and resets. The single 184 refresh-and-retry is extra.
    pub max_retries: u32,
    /// First backoff step; step n waits a random time in `0..=min(cap, base·2ⁿ)` (full jitter).
    pub backoff_base: Duration,
    /// Upper bound of one backoff sleep.
    pub backoff_cap: Duration,
    /// Page size of queries when the caller does not set one (Pardot's maximum is 1000).
    pub default_page_size: u32,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            max_in_flight: 4,
            request_timeout: Duration::from_secs(60),
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(20),
            default_page_size: 1000,
        }
    }
}

impl ClientSettings {
    /// `max_in_flight` forced into Pardot's allowed range.
    pub fn clamped_max_in_flight(&self) -> usize {
        self.max_in_flight.clamp(1, PARDOT_MAX_IN_FLIGHT)
    }
}

/// Joins path segments onto a base URL whether or not the base ends with `/`, so a simulator
/// mounted under a path prefix works like the bare real host.
pub(crate) fn endpoint(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let joined = format!(
        "{}/{}",
        base.path().trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    url.set_path(&joined);
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// Parses a URL literal of this file.
fn fixed_url(literal: &str) -> Url {
    Url::parse(literal).expect("the built-in Salesforce host literals are valid URLs")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn environments_pick_matching_hosts() {
        let login = LoginEndpoints::salesforce();

        assert_eq!(
            login.base(SalesforceEnvironment::Developer).as_str(),
            "https://login.salesforce.com/"
        );
        assert_eq!(
            login.base(SalesforceEnvironment::Sandbox).as_str(),
            "https://test.salesforce.com/"
        );
        assert_eq!(
            SalesforceEnvironment::Sandbox.pardot_host(),
            PardotHost::Demo
        );
        assert_eq!(
            SalesforceEnvironment::Production.pardot_host(),
            PardotHost::Production
        );
    }

    #[test]
    fn endpoint_joins_with_and_without_prefix() {
        let bare = Url::parse("http://127.0.0.1:9000").unwrap();
        let prefixed = Url::parse("http://127.0.0.1:9000/pardot").unwrap();

        assert_eq!(
            endpoint(&bare, "api/v5/objects/lists").as_str(),
            "http://127.0.0.1:9000/api/v5/objects/lists"
        );
        assert_eq!(
            endpoint(&prefixed, "/api/v5/objects/lists").as_str(),
            "http://127.0.0.1:9000/pardot/api/v5/objects/lists"
        );
    }

    #[test]
    fn in_flight_is_clamped() {
        let mut settings = ClientSettings {
            max_in_flight: 9,
            ..ClientSettings::default()
        };
        assert_eq!(settings.clamped_max_in_flight(), 5);

        settings.max_in_flight = 0;
        assert_eq!(settings.clamped_max_in_flight(), 1);
    }
}
