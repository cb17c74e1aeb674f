//! Headless Chromium through ChromeDriver (both from Debian: `apt-get install chromium chromium-driver`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A browser session; the driver process ends with it.
#[derive(Debug)]
pub struct Browser {
    pub client: Client,
    /// ChromeDriver's own URL, for the commands fantoccini does not wrap.
    driver_url: String,
    driver: Child,
    _profile: TempDir,
}

impl Browser {
    pub async fn start() -> anyhow::Result<Self> {
        let port = free_port()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {CHROMEDRIVER}; install it with `apt-get install chromium-driver`"))?;
        let profile = tempfile::tempdir()?;
        // These flags keep Chromium from reaching for the network at start-up (the machines are offline).
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=1400,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".to_owned(), json!({ "binary": CHROMIUM, "args": args }));
        // The page's console (errors, and the browser's own reports such as refused styles) for `console_log`.
        caps.insert("goog:loggingPrefs".to_owned(), json!({ "browser": "ALL" }));
        let url = format!("http://127.0.0.1:{port}");
        let client = crate::eventually("chromedriver to accept a session", Duration::from_secs(30), || {
            let caps = caps.clone();
            let url = url.clone();
            async move {
                match ClientBuilder::new(HttpConnector::new()).capabilities(caps).connect(&url).await {
                    Ok(client) => Ok(Some(client)),
                    Err(e) => Err(anyhow::anyhow!("{e}")),
                }
            }
        })
        .await;
        let mut driver = driver;
        match client {
            Ok(client) => Ok(Self { client, driver_url: url, driver, _profile: profile }),
            Err(e) => {
                let _ = driver.kill();
                Err(e)
            }
        }
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        closed.context("closing the browser session")
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Keeps every `securitypolicyviolation` event of the document (they are composed, so this also hears those of
/// shadow roots).
const RECORD_CSP_VIOLATIONS: &str = "
  window.cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push({
    directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber,
    element: e.target && e.target.nodeName }), true);";

/// Page helpers for the `<orcheo-trace-view>` tests: the element lives in a shadow root, so most probes run as
/// small scripts in the page.
impl Browser {
    /// The shadow root of the `<orcheo-trace-view>` that `selector` finds.
    pub async fn trace_view(&self, selector: &str) -> anyhow::Result<fantoccini::elements::ShadowRoot> {
        let host = self.client.find(fantoccini::Locator::Css(selector)).await?;
        Ok(host.shadow_root().await?)
    }

    /// The tree rows of the `<orcheo-trace-view>` that `selector` finds, as (span id, text, row).
    pub async fn tree_rows(
        &self,
        selector: &str,
    ) -> anyhow::Result<Vec<(String, String, fantoccini::elements::Element)>> {
        let root = self.trace_view(selector).await?;
        let mut out = Vec::new();
        for row in root.find_all(fantoccini::Locator::Css("[role=treeitem]")).await? {
            let id = row.attr("data-span-id").await?.unwrap_or_default();
            out.push((id, row.text().await?, row));
        }
        Ok(out)
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its JSON result.
    pub async fn js(&self, script: &str, args: Vec<serde_json::Value>) -> anyhow::Result<serde_json::Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Presses and releases one key on whatever has focus, as a user would.
    pub async fn press(&self, key: char) -> anyhow::Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let actions = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(actions).await?;
        Ok(())
    }

    /// Sends a Chrome DevTools Protocol command to the page through ChromeDriver (`goog/cdp/execute`), for what
    /// WebDriver cannot do: emulating `prefers-color-scheme`, failing requests at the network layer.
    pub async fn cdp(&self, command: &str, params: serde_json::Value) -> anyhow::Result<serde_json::Value> {
        let session = self.client.session_id().await?.context("no WebDriver session")?;
        let url = format!("{}/session/{session}/goog/cdp/execute", self.driver_url);
        let response =
            reqwest::Client::new().post(&url).json(&json!({ "cmd": command, "params": params })).send().await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.with_context(|| format!("{command}: unreadable answer"))?;
        anyhow::ensure!(status.is_success(), "{command} failed ({status}): {body}");
        Ok(body["value"].clone())
    }

    /// From now on, every document this session loads records the Content-Security-Policy violations it sees in
    /// `window.cspViolations`. The listener comes from DevTools (`Page.addScriptToEvaluateOnNewDocument`), which
    /// runs it before anything of the page, and the page's policy does not apply to it: the pages need no hook.
    pub async fn record_csp_violations(&self) -> anyhow::Result<()> {
        self.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": RECORD_CSP_VIOLATIONS })).await?;
        Ok(())
    }

    /// The violations the current document has recorded since it loaded (see `record_csp_violations`).
    pub async fn csp_violations(&self) -> anyhow::Result<Vec<serde_json::Value>> {
        let seen = self.js("return window.cspViolations ?? null", vec![]).await?;
        seen.as_array().cloned().context("no violations recorded: call record_csp_violations before loading the page")
    }

    /// The browser's console messages since the last call (`{level, source, message}`), including what the browser
    /// reports itself, such as a refused inline style.
    pub async fn console_log(&self) -> anyhow::Result<Vec<serde_json::Value>> {
        let session = self.client.session_id().await?.context("no WebDriver session")?;
        let url = format!("{}/session/{session}/se/log", self.driver_url);
        let response = reqwest::Client::new().post(&url).json(&json!({ "type": "browser" })).send().await?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.context("the browser log: unreadable answer")?;
        anyhow::ensure!(status.is_success(), "reading the browser log failed ({status}): {body}");
        Ok(body["value"].as_array().cloned().unwrap_or_default())
    }

    /// Requests whose URL matches one of `patterns` (`*` is a wildcard) fail as if the network dropped them; an
    /// empty list lets everything through again.
    pub async fn block_urls(&self, patterns: &[&str]) -> anyhow::Result<()> {
        self.cdp("Network.enable", json!({})).await?;
        self.cdp("Network.setBlockedURLs", json!({ "urls": patterns })).await?;
        Ok(())
    }

    /// Emulates the user's colour scheme preference (`"light"` or `"dark"`) for `prefers-color-scheme`.
    pub async fn color_scheme(&self, scheme: &str) -> anyhow::Result<()> {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        )
        .await?;
        let applied = self
            .js("return matchMedia(`(prefers-color-scheme: ${arguments[0]})`).matches", vec![json!(scheme)])
            .await?;
        anyhow::ensure!(applied == json!(true), "prefers-color-scheme: {scheme} was not applied");
        Ok(())
    }

    /// Runs axe-core (from `node_modules`, installed by `npm ci`) on the page; returns the violations.
    pub async fn axe_violations(&self) -> anyhow::Result<Vec<serde_json::Value>> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}: run `npm ci` at the workspace root", path.display()))?;
        // Run as the WebDriver script itself (axe-core sets `window.axe`): an inline `<script>` would be refused by
        // the pages' Content-Security-Policy (docs/api.md, "Response headers"), which script injection by the
        // driver is not subject to.
        self.js(&source, vec![]).await?;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then((r) => done(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map((n) => n.target.join(' ')) }))))
                   .catch((e) => done([{ id: 'axe-failed', help: String(e) }]));",
                vec![],
            )
            .await?;
        Ok(result.as_array().cloned().unwrap_or_default())
    }
}
