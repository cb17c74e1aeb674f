//! `cargo xtask senders`: the Python environment of the real-sender tests (the OpenTelemetry Python SDK, LangGraph
//! with OpenInference), in `target/senders-venv`. The tests find its interpreter through `SENDERS_PYTHON`.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::run::step;

const REQUIREMENTS: &str = "tests/senders/requirements.txt";

/// Creates or updates the venv and returns its python. Nothing is installed when the venv was made from the same
/// requirements by the same interpreter (the stamp holds both).
pub fn ensure(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join("target").join("senders-venv");
    let python = venv.join("bin").join("python");
    let stamp_path = venv.join("requirements.stamp");
    let requirements =
        std::fs::read_to_string(root.join(REQUIREMENTS)).with_context(|| format!("reading {REQUIREMENTS}"))?;
    let interpreter = host_python()?;
    let stamp = format!("{interpreter}\n{requirements}");
    if python.exists() && std::fs::read_to_string(&stamp_path).is_ok_and(|s| s == stamp) {
        println!("senders venv up to date: {}", python.display());
        return Ok(python);
    }
    if venv.exists() {
        // A venv from other requirements or another interpreter is rebuilt rather than patched.
        std::fs::remove_dir_all(&venv).with_context(|| format!("removing {}", venv.display()))?;
    }
    let created = Command::new("python3").arg("-m").arg("venv").arg(&venv).current_dir(root).status();
    if !created.is_ok_and(|s| s.success()) || !python.exists() {
        let _ = std::fs::remove_dir_all(&venv);
        bail!(
            "`python3 -m venv` failed; on Debian it needs the venv module:\n    sudo apt-get install -y python3-venv"
        );
    }
    step(
        "pip install -r tests/senders/requirements.txt",
        root,
        Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            REQUIREMENTS,
        ]),
    )?;
    std::fs::write(&stamp_path, stamp).with_context(|| format!("writing {}", stamp_path.display()))?;
    println!("senders venv ready: {}", python.display());
    Ok(python)
}

/// The host's `python3` and its version, e.g. `/usr/bin/python3 Python 3.11.2`.
fn host_python() -> anyhow::Result<String> {
    let output = Command::new("python3").arg("--version").output().map_err(|e| {
        anyhow::anyhow!("python3 is needed for the real-sender tests ({e}); install it with:\n    sudo apt-get install -y python3 python3-venv")
    })?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let path = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join("python3")).find(|p| p.exists()))
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    Ok(format!("{path} {version}"))
}
