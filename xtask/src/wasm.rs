//! The view's wasm build, its JS glue (wasm-bindgen, `web` target) and the size passes: `wasm-opt -Oz` over the wasm
//! (the npm package `binaryen`) and esbuild's minifier over the JS modules (the npm package `esbuild`), both pinned
//! in the lock file. What the served bundle and the npm package both ship in `pkg/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use wasm_bindgen_cli_support::Bindgen;

use crate::run::{cargo, step};

/// The glue's name for the wasm it loads.
const BG_WASM: &str = "trace_view_bg.wasm";

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Builds trace-view for wasm32 (wasm profile) and writes the wasm and its glue into `out` (`trace_view.js`,
/// `trace_view_bg.wasm`, and `snippets/` when the crates have inline JS), then shrinks the wasm with wasm-opt.
pub fn build(root: &Path, out: &Path) -> anyhow::Result<()> {
    crate::prereq::wasm_target()?;
    step(
        "wasm build (trace-view, wasm profile)",
        root,
        cargo().args(["build", "--package", "trace-view", "--target", WASM_TARGET, "--profile", "wasm"]),
    )?;
    let wasm = root.join("target").join(WASM_TARGET).join("wasm").join("trace_view.wasm");
    Bindgen::new()
        .input_path(&wasm)
        .web(true)?
        .typescript(false)
        // The glue's default wasm location, `new URL("trace_view_bg.wasm", import.meta.url)`: bundlers rewrite it
        // to the asset they emit, and a served pkg/ finds the file beside the glue.
        .omit_default_module_path(false)
        // Function names only help a debugger; they are a quarter of the bundle.
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(out)
        .with_context(|| format!("generating JS bindings for {}", wasm.display()))?;
    optimize(root, &out.join(BG_WASM))?;
    minify(root, out, &js_modules(out)?)
}

/// Minifies the JS modules under `dir` in place, each on its own: no bundling, so their relative imports and the
/// glue's `import.meta.url` stay as written, and what a page (or a bundler) loads is what the tests load.
pub fn minify(root: &Path, dir: &Path, modules: &[PathBuf]) -> anyhow::Result<()> {
    crate::npm::ensure_packages(root)?;
    let esbuild = root.join("node_modules").join(".bin").join("esbuild");
    if !esbuild.exists() {
        bail!(
            "{} is missing: the npm package `esbuild` (a devDependency in package.json) provides it; run `npm ci`",
            esbuild.display()
        );
    }
    let mut command = Command::new(&esbuild);
    for module in modules {
        command.arg(
            module.strip_prefix(dir).with_context(|| format!("{} is not in {}", module.display(), dir.display()))?,
        );
    }
    command.args(["--minify", "--format=esm", "--log-level=warning", "--allow-overwrite", "--outbase=.", "--outdir=."]);
    step(&format!("minify the JS modules in {}", dir.display()), dir, &mut command)
}

/// Every `.js` file under `dir`: the glue and the snippets its crates bring.
fn js_modules(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(js_modules(&path)?);
        } else if path.extension().is_some_and(|e| e == "js") {
            found.push(path);
        }
    }
    Ok(found)
}

/// wasm-opt's passes, in order: `-Oz`, then twice the control flow rebuilt from scratch (`--flatten --rereloop`)
/// and shrunk again, which finds about 3.7 KB gzipped more than `-Oz` alone (docs/benchmarks.md, "Bundle size").
const WASM_OPT_PASSES: [&str; 8] = ["-Oz", "--flatten", "--rereloop", "-Oz", "--flatten", "--rereloop", "-Oz", "-Oz"];

/// wasm-opt over the wasm the glue loads ([`WASM_OPT_PASSES`]), in place. Every build runs it, so that what the tests load is what
/// ships; a missing or failing wasm-opt fails the build (docs/benchmarks.md has what it saves).
fn optimize(root: &Path, wasm: &Path) -> anyhow::Result<()> {
    crate::npm::ensure_packages(root)?;
    let wasm_opt = root.join("node_modules").join(".bin").join("wasm-opt");
    if !wasm_opt.exists() {
        bail!(
            "{} is missing: the npm package `binaryen` (a devDependency in package.json) provides it; run `npm ci`",
            wasm_opt.display()
        );
    }
    let before = std::fs::metadata(wasm).with_context(|| format!("reading {}", wasm.display()))?.len();
    step("wasm-opt", root, Command::new(&wasm_opt).args(WASM_OPT_PASSES).arg(wasm).arg("-o").arg(wasm))?;
    let after = std::fs::metadata(wasm).with_context(|| format!("reading {}", wasm.display()))?.len();
    println!("wasm-opt: {} KB -> {} KB", before / 1024, after / 1024);
    Ok(())
}
