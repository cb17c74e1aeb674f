//! The trace API running in-process on a temporary SQLite file, serving the built web bundle.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use engine_instrumentation::{RunOutcome, RunRequest, TracingConfig, TracingPipeline};
use reference_engine::{Engine, Workflow};
use tempfile::TempDir;
use trace_api::artifact_sink::StoreArtifacts;
use trace_api::server::{self, RunningServer};
use trace_api::sink::StoreSink;
use trace_api::tasks::BackgroundTasks;
use trace_api::{AppState, Store, routes};

/// The built bundle: `TRACE_VIEW_DIST`, else `target/dist` (what `cargo xtask dist` writes).
pub fn dist_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("TRACE_VIEW_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("dist"));
    for needed in ["canvas.html", "trace-view.js", "pkg/trace_view_bg.wasm"] {
        if !dir.join(needed).is_file() {
            bail!(
                "{} has no {needed}: build the bundle with `cargo xtask dist` (`cargo xtask test` does)",
                dir.display()
            );
        }
    }
    Ok(dir)
}

#[derive(Debug)]
pub struct TestService {
    pub store: Store,
    pub server: RunningServer,
    _data: TempDir,
}

impl TestService {
    /// The API with the bundle at `www`, on a free port.
    pub async fn start(www: Option<PathBuf>) -> anyhow::Result<Self> {
        Self::start_with(www, |state| state).await
    }

    /// The API as [`TestService::start`] makes it, its state changed by `configure` (auth, features, …).
    pub async fn start_with(
        www: Option<PathBuf>,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let url = format!("sqlite://{}", data.path().join("trace.db").display());
        let store = Store::connect(&url).await.with_context(|| format!("opening {url}"))?;
        let state = configure(AppState::new(store.clone()));
        let server = server::start(routes::router(state, www), "127.0.0.1:0").await?;
        Ok(Self { store, server, _data: data })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// Runs `workflow` through the instrumented reference engine, its artifacts kept by the store; returns once
    /// its spans and artifacts are stored.
    pub async fn run(&self, workflow: &Workflow, execution_id: &str) -> anyhow::Result<RunOutcome> {
        let sink = StoreSink::new(self.store.clone(), tokio::runtime::Handle::current());
        let config = TracingConfig { service_name: "e2e".to_owned(), ..TracingConfig::default() };
        let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink)).with_open_spans().build()?;
        let artifacts = StoreArtifacts::new(self.store.clone(), &BackgroundTasks::new());
        let engine = pipeline.wrap(Engine::with_artifacts(Arc::new(artifacts.clone())));
        let outcome = engine.run(workflow, &RunRequest::new(execution_id)).await;
        pipeline.shutdown().await?;
        artifacts.flush().await;
        Ok(outcome)
    }
}
