//! `cargo xtask package`: the element as the npm package `@orcheo/trace-view`, packed by `npm pack` into
//! `target/package/orcheo-trace-view-<version>.tgz`. It holds the element module (`www/trace-view.js`), the wasm
//! and its glue in `pkg/`, and what `www/package/` keeps for it: the types (`index.d.ts`), the Custom Elements
//! Manifest and the README. The version is the workspace's (`[workspace.package] version`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use serde_json::json;

use crate::run::step;

pub const NAME: &str = "@orcheo/trace-view";
/// The workspace version: xtask's own (`version.workspace = true`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The tarball `npm pack` names after the package and its version.
pub fn tarball(root: &Path) -> PathBuf {
    root.join("target").join("package").join(format!("orcheo-trace-view-{VERSION}.tgz"))
}

/// Builds the wasm and packs it: `cargo xtask package`.
pub fn package(root: &Path) -> anyhow::Result<PathBuf> {
    let glue = root.join("target").join("package").join("pkg");
    if glue.exists() {
        fs::remove_dir_all(&glue).with_context(|| format!("clearing {}", glue.display()))?;
    }
    crate::wasm::build(root, &glue)?;
    pack(root, &glue)
}

/// Stages the package around the wasm glue in `glue` and packs it; returns the tarball's path.
pub fn pack(root: &Path, glue: &Path) -> anyhow::Result<PathBuf> {
    let out = root.join("target").join("package");
    let stage = out.join("stage");
    if stage.exists() {
        fs::remove_dir_all(&stage).with_context(|| format!("clearing {}", stage.display()))?;
    }
    fs::create_dir_all(&stage)?;
    crate::dist::copy_dir(glue, &stage.join("pkg"), &[])?;
    let sources = root.join("www").join("package");
    for (from, to) in [
        (root.join("www").join("trace-view.js"), "trace-view.js"),
        (sources.join("index.d.ts"), "index.d.ts"),
        (sources.join("custom-elements.json"), "custom-elements.json"),
        (sources.join("README.md"), "README.md"),
    ] {
        fs::copy(&from, stage.join(to)).with_context(|| format!("copying {}", from.display()))?;
    }
    crate::wasm::minify(root, &stage, &[stage.join("trace-view.js")])?;
    let manifest = serde_json::to_string_pretty(&manifest())? + "\n";
    fs::write(stage.join("package.json"), manifest)?;

    let tarball = tarball(root);
    if tarball.exists() {
        fs::remove_file(&tarball)?;
    }
    step(
        "npm pack (@orcheo/trace-view)",
        &stage,
        Command::new("npm").args(["pack", "--silent", "--pack-destination"]).arg(&out),
    )?;
    if !tarball.is_file() {
        bail!("npm pack did not write {}", tarball.display());
    }
    println!("npm package ready: {}", tarball.display());
    Ok(tarball)
}

/// `package.json`. The element module is the one entry; it imports the glue in `pkg/` by a relative path, and the
/// glue finds the wasm with `new URL("trace_view_bg.wasm", import.meta.url)`, which bundlers (Vite, webpack 5,
/// Rollup, esbuild with a file loader) rewrite to the emitted asset, so no bundler needs configuring.
fn manifest() -> serde_json::Value {
    json!({
        "name": NAME,
        "version": VERSION,
        "description": "<orcheo-trace-view>: the trace of a workflow run (span tree, details, tokens, live updates) \
                        as a custom element, for the Orcheo Canvas and any web page.",
        "license": "Apache-2.0",
        "keywords": ["orcheo", "tracing", "opentelemetry", "custom-element", "web-component", "wasm"],
        "type": "module",
        "main": "./trace-view.js",
        "module": "./trace-view.js",
        "types": "./index.d.ts",
        "exports": {
            ".": { "types": "./index.d.ts", "default": "./trace-view.js" },
            "./custom-elements.json": "./custom-elements.json",
            "./package.json": "./package.json"
        },
        // No `sideEffects` field: importing the module defines the element, which a bundler must keep even when
        // nothing it exports is used.
        "files": ["trace-view.js", "index.d.ts", "custom-elements.json", "pkg/"],
        "customElements": "custom-elements.json",
        // Only the JSX typings refer to React; the element itself needs no framework.
        "peerDependencies": { "react": ">=19" },
        "peerDependenciesMeta": { "react": { "optional": true } }
    })
}
