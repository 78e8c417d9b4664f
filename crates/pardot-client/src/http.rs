//! The shared HTTP client for OAuth and Pardot calls. Callers may bring their own; this one
//! has the settings both clients assume.

use std::time::Duration;

/// How long establishing a connection may take; whole-request timeouts are set per call.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Builds a rustls client that follows no redirects (Pardot and Salesforce don't redirect API
/// calls, and a redirect would carry the business unit header to another host), with a
/// connect timeout and a user agent naming this service.
pub fn build_http_client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .user_agent(concat!("sbxy-pardot/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[cfg(test)]
mod tests {
    #[test]
    fn builds_with_rustls() {
        assert!(super::build_http_client().is_ok());
    }
}
