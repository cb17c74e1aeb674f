//! Running commands with their wall time printed, and the demo.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

/// `cargo`, as the one running this xtask.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()))
}

/// Runs `cmd` in `dir`, failing with its name when it fails; prints how long it took.
pub fn step(label: &str, dir: &Path, cmd: &mut Command) -> anyhow::Result<()> {
    println!("==> {label}");
    let started = Instant::now();
    let status = cmd.current_dir(dir).status().with_context(|| format!("starting {label}"))?;
    println!("<== {label}: {:.1} s", started.elapsed().as_secs_f64());
    if !status.success() {
        bail!("{label} failed ({status})");
    }
    Ok(())
}

/// `cargo xtask demo`: the bundle, then the API in demo mode serving it.
pub fn demo(root: &Path) -> anyhow::Result<()> {
    let dist = crate::dist::dist(root)?;
    let bind = std::env::var("TRACE_API_BIND").unwrap_or_else(|_| "127.0.0.1:8080".to_owned());
    println!("Starting the trace API with sample workflows on http://{bind}/ (Canvas page: http://{bind}/canvas.html)");
    println!(
        "Once the samples have run, it prints a link to each sample's Trace tab and what the run shows; the story \
         page is http://{bind}/, the API reference http://{bind}/api/docs/"
    );
    // trace-api reads the variable itself; `off` leaves the gRPC receiver out.
    let grpc = std::env::var("TRACE_API_OTLP_GRPC_BIND").unwrap_or_else(|_| "127.0.0.1:4317".to_owned());
    println!("OTLP receivers: POST http://{bind}/v1/traces, and gRPC on {grpc}");
    let www = dist.display().to_string();
    step(
        "trace-api --demo",
        root,
        cargo().args(["run", "--package", "trace-api", "--", "--demo", "--bind", &bind, "--www", &www]),
    )
}
