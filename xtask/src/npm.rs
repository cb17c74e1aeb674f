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
    check_node()?;
    step("npm ci", root, Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))
}

/// Vite 7 needs Node.js 20.19 or later (Debian 12's own `nodejs` package is 18): say so before `npm ci` fails
/// somewhere inside the build.
fn check_node() -> anyhow::Result<()> {
    const NEEDED: (u32, u32) = (20, 19);
    let version = Command::new("node").arg("--version").output().ok().filter(|o| o.status.success());
    let found = version.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let parsed = found.as_deref().and_then(|v| {
        let mut parts = v.trim_start_matches('v').split('.').map(|p| p.parse::<u32>().ok());
        Some((parts.next()??, parts.next()??))
    });
    let npm = Command::new("npm").arg("--version").output().is_ok_and(|o| o.status.success());
    match parsed {
        Some(version) if version >= NEEDED && npm => Ok(()),
        _ => bail!(
            "the Canvas page and the browser tests need Node.js {}.{} or later with npm (found: node {}, npm {}); \
             install a current Node.js release with its npm",
            NEEDED.0,
            NEEDED.1,
            found.as_deref().unwrap_or("none"),
            if npm { "present" } else { "none" }
        ),
    }
}
