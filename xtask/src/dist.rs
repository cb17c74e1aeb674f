//! `cargo xtask dist`: the wasm build, its JS glue, and the web pages (the story page, and the Canvas host page built
//! from its React sources by Vite), in one folder the API serves.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use wasm_bindgen_cli_support::Bindgen;

use crate::run::{cargo, step};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Builds `target/dist` and returns its path.
pub fn dist(root: &Path) -> anyhow::Result<PathBuf> {
    crate::prereq::wasm_target()?;
    step(
        "wasm build (trace-view, wasm profile)",
        root,
        cargo().args(["build", "--package", "trace-view", "--target", WASM_TARGET, "--profile", "wasm"]),
    )?;
    let wasm = root.join("target").join(WASM_TARGET).join("wasm").join("trace_view.wasm");
    let dist = root.join("target").join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("clearing {}", dist.display()))?;
    }
    let pkg = dist.join("pkg");
    Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .typescript(false)
        // Function names only help a debugger; they are a quarter of the bundle.
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(&pkg)
        .with_context(|| format!("generating JS bindings for {}", wasm.display()))?;
    // `www/canvas` holds the React sources of a page that is built, not copied.
    copy_dir(&root.join("www"), &dist, &["canvas"])?;
    canvas(root, &dist)?;
    report_size(&pkg.join("trace_view_bg.wasm"), &pkg.join("trace_view.js"))?;
    println!("bundle ready in {}", dist.display());
    Ok(dist)
}

/// The Canvas host page (`www/canvas`, React) built into `dist/canvas.html` and `dist/canvas-assets/`.
fn canvas(root: &Path, dist: &Path) -> anyhow::Result<()> {
    crate::npm::ensure_packages(root)?;
    let vite = root.join("node_modules").join(".bin").join("vite");
    step(
        "Canvas host page (React, vite build)",
        root,
        Command::new(&vite).args(["build", "--config", "www/canvas/vite.config.js"]).env("CANVAS_OUT_DIR", dist),
    )
}

/// Copies `from` into `to`, leaving out the top-level entries named in `skip`.
fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> anyhow::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        if skip.iter().any(|name| entry.file_name() == *name) {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target, &[])?;
        } else {
            fs::copy(entry.path(), &target).with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

fn report_size(wasm: &Path, js: &Path) -> anyhow::Result<()> {
    let sizes = |path: &Path| -> anyhow::Result<(usize, usize)> {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        Ok((bytes.len(), gz.finish()?.len()))
    };
    let (wasm_raw, wasm_gz) = sizes(wasm)?;
    let (js_raw, js_gz) = sizes(js)?;
    println!(
        "bundle size: wasm {} KB ({} KB gzipped), JS glue {} KB ({} KB gzipped)",
        wasm_raw / 1024,
        wasm_gz / 1024,
        js_raw / 1024,
        js_gz / 1024
    );
    Ok(())
}
