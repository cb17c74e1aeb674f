//! The trace API running in-process on a temporary SQLite file, serving the built web bundle, and runs of the
//! reference engine recorded into it.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::bail;
use engine_instrumentation::{RunOutcome, RunRequest, TracingConfig, TracingPipeline};
use reference_engine::{Engine, Workflow};
use test_harness::{Backend, TestApi, TestDb};
use trace_api::AppState;
use trace_api::artifact_sink::StoreArtifacts;
use trace_api::sink::StoreSink;
use trace_api::tasks::BackgroundTasks;

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

/// The workspace's test API (`test-harness`) on a temporary SQLite file, serving the built bundle; the API's
/// fields and methods (`store`, `server`, `url`, …) are reached through it.
#[derive(Debug)]
pub struct TestService {
    api: TestApi,
    _db: TestDb,
}

impl std::ops::Deref for TestService {
    type Target = TestApi;

    fn deref(&self) -> &TestApi {
        &self.api
    }
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
        let db = TestDb::create(Backend::Sqlite).await?;
        let api = TestApi::serving(&db, www, configure).await?;
        Ok(Self { api, _db: db })
    }

    /// Runs `workflow` through the instrumented reference engine, its artifacts kept by the store; returns once
    /// its spans and artifacts are stored.
    pub async fn run(&self, workflow: &Workflow, execution_id: &str) -> anyhow::Result<RunOutcome> {
        self.run_request(workflow, &RunRequest::new(execution_id)).await
    }

    /// [`TestService::run`] with the caller's request (a trigger, a conversation thread, …).
    pub async fn run_request(&self, workflow: &Workflow, request: &RunRequest) -> anyhow::Result<RunOutcome> {
        let sink = StoreSink::new(self.store.clone(), tokio::runtime::Handle::current());
        let config = TracingConfig { service_name: "e2e".to_owned(), ..TracingConfig::default() };
        let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink)).with_open_spans().build()?;
        let artifacts = StoreArtifacts::new(self.store.clone(), &BackgroundTasks::new());
        let engine = pipeline.wrap(Engine::with_artifacts(Arc::new(artifacts.clone())));
        let outcome = engine.run(workflow, request).await;
        pipeline.shutdown().await?;
        artifacts.flush().await;
        Ok(outcome)
    }
}
