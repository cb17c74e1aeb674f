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
    crate::wasm::minify(root, &dist, &[dist.join("trace-view.js")])?;
    let tarball = crate::package::pack(root, &pkg)?;
    canvas(root, &dist, &tarball)?;
    report_size(&pkg.join("trace_view_bg.wasm"), &dist.join("trace-view.js"))?;
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

/// Prints what a page downloads for the element: the wasm and every JS module it loads (the element module, the
/// glue it imports and the snippets the glue imports), raw and gzipped.
fn report_size(wasm: &Path, element: &Path) -> anyhow::Result<()> {
    let sizes = |path: &Path| -> anyhow::Result<(usize, usize)> {
        let bytes = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes)?;
        Ok((bytes.len(), gz.finish()?.len()))
    };
    let (wasm_raw, wasm_gz) = sizes(wasm)?;
    let modules = loaded_modules(element)?;
    let (mut js_raw, mut js_gz) = (0, 0);
    for module in &modules {
        let (raw, gz) = sizes(module)?;
        (js_raw, js_gz) = (js_raw + raw, js_gz + gz);
    }
    println!(
        "bundle size: wasm {} KB ({} KB gzipped), JS {} modules {} KB ({} KB gzipped); {} KB gzipped in all",
        wasm_raw / 1024,
        wasm_gz / 1024,
        modules.len(),
        js_raw / 1024,
        js_gz / 1024,
        (wasm_gz + js_gz) / 1024
    );
    Ok(())
}

/// `entry` and every module it imports by a relative path, transitively.
fn loaded_modules(entry: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = vec![entry.to_path_buf()];
    let mut next = 0;
    while let Some(module) = found.get(next).cloned() {
        next += 1;
        let text = fs::read_to_string(&module).with_context(|| format!("reading {}", module.display()))?;
        let dir = module.parent().context("a module has a folder")?;
        for import in relative_imports(&text) {
            let path = dir.join(import);
            if !found.contains(&path) {
                found.push(path);
            }
        }
    }
    Ok(found)
}

/// A module's static and dynamic relative imports: the `./….js` strings after `from`, `import` or `import(`.
fn relative_imports(text: &str) -> Vec<&str> {
    let mut imports = Vec::new();
    for quote in ['"', '\''] {
        let opening = format!("{quote}./");
        let mut rest = text;
        while let Some(at) = rest.find(&opening) {
            let before = rest[..at].trim_end();
            let imported = ["from", "import", "import("].iter().any(|keyword| before.ends_with(keyword));
            rest = &rest[at + 1..];
            let Some(end) = rest.find(quote) else { break };
            if imported && rest[..end].ends_with(".js") {
                imports.push(&rest[..end]);
            }
            rest = &rest[end..];
        }
    }
    imports
}

#[cfg(test)]
mod tests {
    use super::relative_imports;

    #[test]
    fn relative_imports_are_read_from_minified_and_plain_modules() {
        let minified = r#"import{a as b}from"./snippets/x/inline0.js";import"./side.js";const w=new URL("w.wasm",import.meta.url);"#;
        assert_eq!(relative_imports(minified), ["./snippets/x/inline0.js", "./side.js"]);
        let plain = "import { a } from './snippets/y/set_attribute.js';\nconst glue = import(\"./pkg/trace_view.js\");";
        assert_eq!(relative_imports(plain), ["./pkg/trace_view.js", "./snippets/y/set_attribute.js"]);
        assert!(relative_imports("const s = 'a' + \"b\";").is_empty());
        // The glue's table of wasm imports is keyed by a module name that is no file.
        assert!(relative_imports(r#"return{"./trace_view_bg.js":{}}"#).is_empty());
    }
}
