//! `cargo xtask dist`: the wasm build, its JS glue, the npm package of the element, and the web pages (the story
//! page, and the Canvas host page built by Vite from its React sources with the package installed), in one folder
//! the API serves.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use crate::run::step;

/// Builds `target/dist` (and the package tarball) and returns the folder's path.
pub fn dist(root: &Path) -> anyhow::Result<PathBuf> {
    let dist = root.join("target").join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).with_context(|| format!("clearing {}", dist.display()))?;
    }
    let pkg = dist.join("pkg");
    crate::wasm::build(root, &pkg)?;
    // `www/canvas` holds the sources of a page that is built, not copied; `www/package` what only the npm package
    // ships.
    copy_dir(&root.join("www"), &dist, &["canvas", "package"])?;
    let tarball = crate::package::pack(root, &pkg)?;
    canvas(root, &dist, &tarball)?;
    report_size(&pkg.join("trace_view_bg.wasm"), &pkg.join("trace_view.js"), &dist.join("trace-view.js"))?;
    println!("bundle ready in {}", dist.display());
    Ok(dist)
}

/// The Canvas host page (`www/canvas`, React and TypeScript) built into `dist/canvas.html` and
/// `dist/canvas-assets/`, with the element from the package tarball, as the Canvas itself installs it.
fn canvas(root: &Path, dist: &Path, tarball: &Path) -> anyhow::Result<()> {
    crate::npm::ensure_packages(root)?;
    crate::npm::install_package_in_canvas(root, tarball)?;
    let vite = root.join("node_modules").join(".bin").join("vite");
    step(
        "Canvas host page (React, vite build)",
        root,
        Command::new(&vite).args(["build", "--config", "www/canvas/vite.config.js"]).env("CANVAS_OUT_DIR", dist),
    )
}

/// Copies `from` into `to`, leaving out the top-level entries named in `skip`.
pub fn copy_dir(from: &Path, to: &Path, skip: &[&str]) -> anyhow::Result<()> {
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

/// Prints what a page downloads for the element: the wasm, its glue and the element module, raw and gzipped.
fn report_size(wasm: &Path, glue: &Path, element: &Path) -> anyhow::Result<()> {
    let sizes = |path: &Path| -> anyhow::Result<(usize, usize)> {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        Ok((bytes.len(), gz.finish()?.len()))
    };
    let (wasm_raw, wasm_gz) = sizes(wasm)?;
    let (glue_raw, glue_gz) = sizes(glue)?;
    let (element_raw, element_gz) = sizes(element)?;
    println!(
        "bundle size: wasm {} KB ({} KB gzipped), JS glue {} KB ({} KB gzipped), element module {} KB ({} KB \
         gzipped); {} KB gzipped in all",
        wasm_raw / 1024,
        wasm_gz / 1024,
        glue_raw / 1024,
        glue_gz / 1024,
        element_raw / 1024,
        element_gz / 1024,
        (wasm_gz + glue_gz + element_gz) / 1024
    );
    Ok(())
}
