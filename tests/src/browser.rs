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
            Ok(client) => Ok(Self { client, driver, _profile: profile }),
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
