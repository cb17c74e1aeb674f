//! `cargo xtask bench`: every benchmark of the workspace (criterion), results under target/criterion.

use std::path::Path;

use crate::run::{cargo, step};

pub fn bench(root: &Path) -> anyhow::Result<()> {
    step("criterion benchmarks", root, cargo().args(["bench", "--workspace", "--exclude", "trace-view"]))?;
    println!("criterion reports: {}", root.join("target/criterion/report/index.html").display());
    Ok(())
}
