//! The npm packages of the build and the tests (React, Vite and TypeScript for the Canvas host page, binaryen's
//! wasm-opt for the wasm, axe-core for the accessibility checks, ajv and the Custom Elements Manifest schema for
//! the package's manifest), installed with `npm ci` from the committed lock file when `node_modules` is missing or
//! older than the lock; and the element's own package, installed into the Canvas host page from its tarball.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

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

/// Installs the element's package tarball into the Canvas host page (`www/canvas`), as its `package.json` asks.
/// The tarball is rebuilt with every wasm build under the same version, so a lock file would pin a stale copy
/// (npm takes a locked tarball from its cache by checksum): the Canvas folder keeps no lock (`.npmrc`), and the
/// installed copy is removed first so that npm unpacks the tarball afresh.
pub fn install_package_in_canvas(root: &Path, tarball: &Path) -> anyhow::Result<()> {
    let canvas = root.join("www").join("canvas");
    let manifest = canvas.join("package.json");
    let text = fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let parsed: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    let relative =
        tarball.strip_prefix(root).with_context(|| format!("{} is outside the workspace", tarball.display()))?;
    let wanted = format!("file:../../{}", relative.display());
    let given = parsed["dependencies"][crate::package::NAME].as_str();
    if given != Some(wanted.as_str()) {
        bail!(
            "{} must depend on {} as {wanted:?} (the tarball of this version), not {}",
            manifest.display(),
            crate::package::NAME,
            given.map_or_else(|| "nothing".to_owned(), |g| format!("{g:?}"))
        );
    }
    let modules = canvas.join("node_modules");
    for stale in [modules.join("@orcheo").join("trace-view"), modules.join(".package-lock.json")] {
        if stale.is_dir() {
            fs::remove_dir_all(&stale).with_context(|| format!("removing {}", stale.display()))?;
        } else if stale.exists() {
            fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    step(
        "npm install (the element's package, in www/canvas)",
        &canvas,
        Command::new("npm").args(["install", "--no-audit", "--no-fund", "--offline"]),
    )
}
