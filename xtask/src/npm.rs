//! The npm packages of the build and the tests (React and Vite for the Canvas host page, axe-core for the
//! accessibility checks), installed with `npm ci` from the committed lock file when `node_modules` is missing or
//! older than the lock.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::bail;

use crate::run::step;

pub fn ensure_packages(root: &Path) -> anyhow::Result<()> {
    let lock = root.join("package-lock.json");
    // npm writes this file on every install: newer than the lock means the install matches it.
    let installed = root.join("node_modules").join(".package-lock.json");
    let modified = |path: &Path| fs::metadata(path).and_then(|m| m.modified()).ok();
    let fresh = match (modified(&installed), modified(&lock)) {
        (Some(installed), Some(lock)) => installed >= lock,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    if Command::new("npm").arg("--version").output().is_err() {
        bail!(
            "the Canvas page and the browser tests need Node.js (20.19 or later, for Vite 7) and npm; install them with:\n    sudo apt-get install -y nodejs npm"
        );
    }
    step("npm ci", root, Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}
