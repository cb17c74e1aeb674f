//! `cargo xtask <dist|package|demo|test|…>`: the build, demo and test entry points of the workspace.

mod bench;
mod bench_view;
mod dist;
mod npm;
mod package;
mod postgres;
mod prereq;
mod run;
mod senders;
mod test;
mod wasm;

use std::path::PathBuf;

use anyhow::bail;

const USAGE: &str = "usage: cargo xtask <command>
  dist   build the wasm bundle, the npm package and the web pages into target/dist
  package  the element as the npm package @orcheo/trace-view: target/package/orcheo-trace-view-<version>.tgz
  demo   dist, then the API with sample workflows on TRACE_API_BIND (default 127.0.0.1:8080)
  test   everything: fmt, clippy, docs, unused dependencies, ESLint, the tests; those that need no browser first,
         then the browser tests (`test --no-browser` skips them and says which)
  senders  the Python venv of the real-sender tests (target/senders-venv); its python goes in SENDERS_PYTHON
  bench  the benchmarks (results go to docs/benchmarks.md by hand, with the machine and the command)
  bench-view  the trace view in headless Chromium: first rows, filter, search, scroll frames, memory";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args.first().map(String::as_str) {
        Some("dist") => dist::dist(&root).map(|_| ()),
        Some("package") => package::package(&root).map(|_| ()),
        Some("demo") => run::demo(&root),
        Some("test") => test::test(&root, &args[1..]),
        Some("senders") => senders::ensure(&root).map(|python| println!("SENDERS_PYTHON={}", python.display())),
        Some("bench") => bench::bench(&root),
        Some("bench-view") => bench_view::bench_view(&root),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

/// The workspace root: xtask lives one level below it. `cargo run` gives the manifest folder at run time; the one
/// compiled in is the fallback, since a build copied from another checkout would name that checkout.
fn workspace_root() -> PathBuf {
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    manifest_dir.parent().map(PathBuf::from).unwrap_or(manifest_dir)
}
