//! The npm packages the browser tests use (axe-core), installed with `npm ci` from the committed lock file when
//! `node_modules` is missing or older than the lock.

use std::fs;
use std::path::Path;
use std::process::Command;

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
    step("npm ci", root, Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}
