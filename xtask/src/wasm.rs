//! The view's wasm build and its JS glue (wasm-bindgen, `web` target): what the served bundle and the npm package
//! both ship in `pkg/`.

use std::path::Path;

use anyhow::Context;
use wasm_bindgen_cli_support::Bindgen;

use crate::run::{cargo, step};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Builds trace-view for wasm32 (wasm profile) and writes the wasm and its glue into `out` (`trace_view.js`,
/// `trace_view_bg.wasm`, and `snippets/` when the crates have inline JS).
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
        .with_context(|| format!("generating JS bindings for {}", wasm.display()))
}
