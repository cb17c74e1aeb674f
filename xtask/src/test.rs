//! `cargo xtask test [--no-browser]`: every check. Those that need no browser come first (formatting, lints, API
//! docs, unused dependencies, ESLint, the native tests, the wasm build and the checks on its package), then the
//! browser tests, the only ones that need Chromium; `--no-browser` stops before them and says what it skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::run::{cargo, step};

/// The e2e-tests targets (files in tests/tests) that need no browser; every other one drives Chromium.
const WITHOUT_BROWSER: &[&str] = &["api", "package"];

/// cargo-machete, installed with `cargo install --locked` when this version is missing.
const MACHETE_VERSION: &str = "0.9.2";

pub fn test(root: &Path, args: &[String]) -> anyhow::Result<()> {
    let with_browser = match args {
        [] => true,
        [flag] if flag == "--no-browser" => false,
        _ => bail!("usage: cargo xtask test [--no-browser]"),
    };
    crate::npm::ensure_packages(root)?;
    step("cargo fmt --check", root, cargo().args(["fmt", "--all", "--", "--check"]))?;
    step(
        "clippy (native)",
        root,
        cargo().args(["clippy", "--workspace", "--exclude", "trace-view", "--all-targets", "--", "-D", "warnings"]),
    )?;
    // The service built without the reference engine (no `--demo`), so that the `demo` feature stays optional.
    step(
        "clippy (trace-api without the demo feature)",
        root,
        cargo().args(["clippy", "--package", "trace-api", "--no-default-features", "--", "-D", "warnings"]),
    )?;
    step(
        "clippy (trace-view, wasm32)",
        root,
        cargo().args([
            "clippy",
            "--package",
            "trace-view",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    // Broken intra-doc links and malformed doc comments fail the run; trace-view is documented for its own target.
    step(
        "cargo doc (native)",
        root,
        cargo().args(["doc", "--workspace", "--no-deps", "--exclude", "trace-view"]).env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    step(
        "cargo doc (trace-view, wasm32)",
        root,
        cargo()
            .args(["doc", "--no-deps", "--package", "trace-view", "--target", "wasm32-unknown-unknown"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    step("cargo machete (unused dependencies)", root, Command::new(machete(root)?).arg("--skip-target-dir"))?;
    step(
        "eslint (www/)",
        root,
        Command::new("node").arg(root.join("node_modules/eslint/bin/eslint.js")).args(["--max-warnings", "0", "."]),
    )?;

    let postgres = crate::postgres::TestPostgres::start(root)?;
    let senders_python = crate::senders::ensure(root)?;
    let env = |cmd: &mut Command, dist: Option<&Path>| {
        cmd.env("TEST_DATABASE_URL", &postgres.url).env("SENDERS_PYTHON", &senders_python);
        if let Some(dist) = dist {
            cmd.env("TRACE_VIEW_DIST", dist).env("TRACE_VIEW_PACKAGE", crate::package::tarball(root));
        }
    };
    let mut native = cargo();
    native.args(["test", "--workspace", "--exclude", "trace-view", "--exclude", "e2e-tests"]);
    env(&mut native, None);
    step("tests (unit and integration)", root, &mut native)?;

    let dist = crate::dist::dist(root)?;
    let mut without_browser = e2e_tests(WITHOUT_BROWSER);
    env(&mut without_browser, Some(&dist));
    step("end-to-end tests without a browser", root, &mut without_browser)?;

    let browser_targets = browser_targets(root)?;
    if !with_browser {
        println!("skipped (--no-browser): the browser tests of e2e-tests, {}", browser_targets.join(", "));
        println!("all checks passed but the browser tests");
        return Ok(());
    }
    crate::prereq::browser()?;
    let names: Vec<&str> = browser_targets.iter().map(String::as_str).collect();
    let mut browser = e2e_tests(&names);
    env(&mut browser, Some(&dist));
    step("browser tests", root, &mut browser)?;
    println!("all checks passed");
    Ok(())
}

/// `cargo test -p e2e-tests` over the given test targets.
fn e2e_tests(targets: &[&str]) -> Command {
    let mut cmd = cargo();
    cmd.args(["test", "--package", "e2e-tests"]);
    for target in targets {
        cmd.args(["--test", target]);
    }
    cmd
}

/// The e2e-tests targets that drive a browser: every file in tests/tests but those in [`WITHOUT_BROWSER`].
fn browser_targets(root: &Path) -> anyhow::Result<Vec<String>> {
    let dir = root.join("tests").join("tests");
    let mut targets = Vec::new();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else { continue };
        if path.extension().is_some_and(|e| e == "rs") && !WITHOUT_BROWSER.contains(&name) {
            targets.push(name.to_owned());
        }
    }
    targets.sort();
    Ok(targets)
}

/// The cargo-machete binary of [`MACHETE_VERSION`], installed into cargo's bin folder when it is missing there.
fn machete(root: &Path) -> anyhow::Result<PathBuf> {
    let bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")?
        .join("bin")
        .join("cargo-machete");
    let installed = Command::new(&bin).arg("--version").output().ok().filter(|o| o.status.success());
    let version = installed.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if version.as_deref().is_some_and(|v| v.split_whitespace().any(|word| word == MACHETE_VERSION)) {
        return Ok(bin);
    }
    step(
        &format!("cargo install cargo-machete {MACHETE_VERSION}"),
        root,
        cargo().args(["install", "--locked", "cargo-machete", "--version", MACHETE_VERSION]),
    )?;
    Ok(bin)
}
