//! `trace-api [--demo] [--bind ADDR] [--otlp-grpc-bind ADDR|off] [--www DIR]`

use anyhow::Context as _;
#[cfg(feature = "demo")]
use trace_api::demo;
use trace_api::{AppState, Config, Store, retention, routes, server};
use tracing_subscriber::EnvFilter;

/// How long requests and OTLP calls in flight may take to finish once the service is told to stop; each later step
/// of the shutdown (the audit trail, the demo, the background tasks) is bounded by it too.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

// Spans are allocated by request tasks and freed by others (the batch writer, the cache); a thread-caching allocator
// keeps that from contending on glibc's arenas. The `override` feature sends SQLite's own `malloc` calls here too:
// under glibc, each trace page's joined payloads (~150 KB) were mapped, zeroed and unmapped afresh (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = match Config::load(|key| std::env::var(key).ok(), std::env::args().skip(1)) {
        // `--help`, `--version` and bad flags: clap prints them and exits with its status (0, or 2 for an error).
        Err(trace_api::config::ConfigError::Arguments(e)) => e.exit(),
        loaded => loaded?,
    };
    let store = Store::connect(&config.database_url)
        .await
        .with_context(|| format!("opening the store at {}", redact_url(&config.database_url)))?
        .with_stall_after(config.stall_after);
    let state = AppState::from_config(store.clone(), &config)?;
    if let Some(keep) = config.retention {
        retention::start(store.clone(), keep, &state.tasks);
    }
    // Held until the service stops: the demo's live loop runs as long as it exists.
    let demo = if config.demo { Some(start_demo(&store, &state).await?) } else { None };
    match &config.www_dir {
        Some(dir) if !dir.join("index.html").is_file() => {
            tracing::warn!(dir = %dir.display(), "no index.html in the web folder: run `cargo xtask dist`")
        }
        Some(_) => {}
        None => tracing::warn!("no web folder given (--www or TRACE_API_WWW_DIR): serving the API only"),
    }
    let router = routes::router(state.clone(), config.www_dir.clone());
    let mut running = server::start_in(router, &config.bind, &state.tasks).await?;
    println!("trace-api listening on {}  (Canvas: {}/canvas.html)", running.url(), running.url());
    if let Some(demo) = &demo {
        print!("{}", demo_guide(demo, &running.url()));
    }
    if let Some(addr) = &config.otlp_grpc_bind {
        running = running.with_grpc(server::start_grpc(state.clone(), addr).await?);
        if let Some(grpc) = running.grpc_addr() {
            println!("OTLP/gRPC receiver listening on {grpc}");
        }
    }
    running.run_until(stop_requested(), SHUTDOWN_GRACE).await;
    tracing::info!("shutdown: servers stopped");
    shut_down(&state, demo).await;
    tracing::info!("stopped");
    Ok(())
}

/// After the servers stopped (docs/operations.md, "Stopping"): what requests queued for the audit trail is stored,
/// the demo stores its artifacts and spans, then every background task is stopped; each step bounded.
async fn shut_down(state: &AppState, demo: Option<DemoHandle>) {
    let began = std::time::Instant::now();
    if tokio::time::timeout(SHUTDOWN_GRACE, state.audit.flush()).await.is_err() {
        tracing::error!("the audit trail could not be stored within the shutdown grace period");
    }
    tracing::info!(elapsed = ?began.elapsed(), "shutdown: audit trail stored");
    if let Some(demo) = demo {
        match tokio::time::timeout(SHUTDOWN_GRACE, stop_demo(demo)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "the demo's spans could not all be stored"),
            Err(_) => tracing::error!("the demo did not stop within the shutdown grace period"),
        }
        tracing::info!(elapsed = ?began.elapsed(), "shutdown: demo stopped");
    }
    if !state.tasks.stop(SHUTDOWN_GRACE).await {
        tracing::error!("background tasks did not stop within the shutdown grace period");
    }
    tracing::info!(elapsed = ?began.elapsed(), "shutdown: background tasks stopped");
}

#[cfg(feature = "demo")]
type DemoHandle = demo::Demo;
#[cfg(not(feature = "demo"))]
type DemoHandle = std::convert::Infallible;

/// The sample runs, stored before the service answers, and the live loop.
#[cfg(feature = "demo")]
async fn start_demo(store: &Store, state: &AppState) -> anyhow::Result<demo::Demo> {
    let demo = demo::start(store, state.metrics.clone(), &state.tasks).await.context("running the demo workflows")?;
    for run in &demo.runs {
        tracing::info!(execution = %run.execution_id, workflow = %run.workflow_id, outcome = ?run.outcome, "demo run stored");
    }
    Ok(demo)
}

/// What to open, and what each sample run shows.
#[cfg(feature = "demo")]
fn demo_guide(demo: &demo::Demo, url: &str) -> String {
    demo::guide(demo, url)
}

#[cfg(feature = "demo")]
async fn stop_demo(demo: demo::Demo) -> anyhow::Result<()> {
    demo.shutdown().await
}

#[cfg(not(feature = "demo"))]
async fn stop_demo(demo: std::convert::Infallible) -> anyhow::Result<()> {
    match demo {}
}

#[cfg(not(feature = "demo"))]
fn demo_guide(demo: &std::convert::Infallible, _url: &str) -> String {
    match *demo {}
}

/// Without the `demo` feature there is no reference engine to run.
#[cfg(not(feature = "demo"))]
async fn start_demo(_store: &Store, _state: &AppState) -> anyhow::Result<std::convert::Infallible> {
    anyhow::bail!("--demo: this trace-api was built without the `demo` feature (on by default)")
}

/// SIGTERM (how orchestrators stop a service) or Ctrl-C.
async fn stop_requested() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be handled; stop with Ctrl-C");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutdown: asked to stop");
}

/// The database URL without its password, for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}
