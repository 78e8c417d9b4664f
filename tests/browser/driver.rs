//! Debian's Chromium, headless, driven through its chromedriver with fantoccini. The driver
//! listens on a free loopback port; the browser gets a fresh profile and German as its
//! language, as a Backstage admin in Germany has. Missing tools fail the test with the
//! command that installs them: a browser test that skips would prove nothing.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// A running chromedriver with one browser session.
pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: Child,
    profile: PathBuf,
    shots: PathBuf,
}

/// How long one wait for the page may take before the test fails.
const WAIT: Duration = Duration::from_secs(20);

fn tool(var: &str, default: &str) -> anyhow::Result<PathBuf> {
    let path = std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from);
    if !path.is_file() {
        bail!(
            "{} not found ({var} or {default}); run `make browser-tools` (apt-get install \
             chromium chromium-driver)",
            path.display()
        );
    }
    Ok(path)
}

/// `target/browser` of this workspace (honouring `CARGO_TARGET_DIR`).
fn screenshot_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from);
    let target = if target.is_absolute() {
        target
    } else {
        workspace.join(target)
    };
    target.join("browser")
}

impl Browser {
    /// Starts chromedriver and a headless Chromium speaking `accept_language`.
    pub(crate) async fn start(accept_language: &str) -> anyhow::Result<Self> {
        let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver")?;
        let chromium = tool("CHROMIUM", "/usr/bin/chromium")?;
        let port = sbxy_harness::free_port()?;
        let profile = std::env::temp_dir().join(format!(
            "sbxy-browser-{}-{}",
            std::process::id(),
            uuid_like()
        ));
        std::fs::create_dir_all(&profile)?;

        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", chromedriver.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        wait_until_ready(&url).await?;

        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,1400",
            &format!("--lang={accept_language}"),
            &format!("--accept-lang={accept_language}"),
            &format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": { "intl.accept_languages": accept_language },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            bail!("capabilities are an object");
        };
        let client = ClientBuilder::rustls()?
            .capabilities(capabilities)
            .connect(&url)
            .await
            .context("opening a browser session through chromedriver")?;

        let shots = screenshot_dir();
        std::fs::create_dir_all(&shots)?;
        Ok(Self {
            client,
            driver,
            profile,
            shots,
        })
    }

    /// Saves the viewport as `target/browser/<name>.png`.
    pub(crate) async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    /// Waits until the element at `css` shows text containing `expected`; its text.
    pub(crate) async fn wait_for_text(&self, css: &str, expected: &str) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let found = self
                .client
                .wait()
                .at_most(WAIT)
                .for_element(Locator::Css(css))
                .await;
            // The element may belong to a page that is being replaced.
            if let Ok(element) = found
                && let Ok(text) = element.text().await
                && text.contains(expected)
            {
                return Ok(text);
            }
            if tokio::time::Instant::now() > deadline {
                let source = self.client.source().await.unwrap_or_default();
                bail!("{css} never showed {expected:?}; the page was:\n{source}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The attribute `name` of the element at `css`.
    pub(crate) async fn attr(&self, css: &str, name: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .client
            .find(Locator::Css(css))
            .await?
            .attr(name)
            .await?)
    }

    /// Clicks the element at `css`.
    pub(crate) async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.client.find(Locator::Css(css)).await?.click().await?;
        Ok(())
    }

    /// Replaces the text of the input at `css`.
    pub(crate) async fn fill(&self, css: &str, text: &str) -> anyhow::Result<()> {
        let input = self.client.find(Locator::Css(css)).await?;
        input.clear().await?;
        input.send_keys(text).await?;
        Ok(())
    }

    /// Runs `script` in the page; its JSON result.
    pub(crate) async fn js(&self, script: &str, args: Vec<Value>) -> anyhow::Result<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Ends the session, stops chromedriver and removes the profile.
    pub(crate) async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Polls chromedriver's `/status` until it says ready.
async fn wait_until_ready(url: &str) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let ready = match http.get(format!("{url}/status")).send().await {
            Ok(response) => response
                .json::<Value>()
                .await
                .is_ok_and(|body| body["value"]["ready"] == true),
            Err(_) => false,
        };
        if ready {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("chromedriver at {url} did not become ready");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn uuid_like() -> String {
    use rand::Rng;
    let n: u64 = rand::rng().random();
    format!("{n:016x}")
}
