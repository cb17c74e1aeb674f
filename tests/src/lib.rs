//! Harness for the end-to-end tests: a real trace API on a temporary store, sample runs of the reference engine
//! recorded through the real instrumentation, and a headless Chromium driven over WebDriver.
//!
//! - [`service`]: the trace API in-process on a temporary SQLite file, and runs of the reference engine into it.
//! - [`browser`]: headless Chromium through ChromeDriver.
//! - [`eventually`] (here): polling until a probe yields a value or a deadline passes.

pub mod browser;
pub mod service;

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `probe` until it yields a value or `deadline` passes; the error names what was awaited and the last
/// failure. A deadline only bounds a wait, it measures nothing.
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let started = Instant::now();
    let mut last = String::from("not found yet");
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last = format!("{e:#}"),
        }
        if started.elapsed() > deadline {
            anyhow::bail!("timed out after {deadline:?} waiting for {what}: {last}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
