//! `cargo xtask test`: every check, in the order that fails fastest.

use std::path::Path;

use crate::run::{cargo, step};

pub fn test(root: &Path) -> anyhow::Result<()> {
    crate::prereq::browser()?;
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
    let dist = crate::dist::dist(root)?;
    let postgres = crate::postgres::TestPostgres::start(root)?;
    let senders_python = crate::senders::ensure(root)?;
    step(
        "tests (unit, integration, browser)",
        root,
        cargo()
            .args(["test", "--workspace", "--exclude", "trace-view"])
            .env("TRACE_VIEW_DIST", &dist)
            .env("TRACE_VIEW_PACKAGE", crate::package::tarball(root))
            .env("TEST_DATABASE_URL", &postgres.url)
            .env("SENDERS_PYTHON", &senders_python),
    )?;
    println!("all checks passed");
    Ok(())
}
