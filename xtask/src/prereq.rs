//! What the build and the tests need on the machine, installed where it is cheap and named where it is not.

use std::path::Path;
use std::process::Command;

use anyhow::bail;

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The wasm32 target, added through rustup when missing.
pub fn wasm_target() -> anyhow::Result<()> {
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output()?;
    if String::from_utf8_lossy(&installed.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    crate::run::step(
        "rustup target add wasm32-unknown-unknown",
        Path::new("."),
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
    )
}

/// Chromium and ChromeDriver for the browser tests.
pub fn browser() -> anyhow::Result<()> {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER].into_iter().filter(|p| !Path::new(p).exists()).collect();
    if !missing.is_empty() {
        bail!(
            "the browser tests need {}; install them with:\n    sudo apt-get install -y chromium chromium-driver",
            missing.join(" and ")
        );
    }
    Ok(())
}
