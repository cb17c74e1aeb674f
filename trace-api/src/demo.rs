//! Demo mode: at start-up, run the sample workflows through the instrumented reference engine, so that the
//! Trace tab shows real spans from the moment the service answers.

use std::sync::Arc;

use engine_instrumentation::samples::{self, LoopbackServer};
use engine_instrumentation::{Engine, RunOutcome, RunRequest, TracingConfig, TracingPipeline};

use crate::sink::StoreSink;
use crate::store::Store;

/// One finished demo run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRun {
    pub execution_id: String,
    pub workflow_id: String,
    pub outcome: RunOutcome,
}

/// Runs every sample workflow once and waits until their spans are stored. `ORCHEO_TRACING_*` apply (so the demo
/// can also export to a collector); the service name defaults to `orcheo-demo`.
pub async fn run_samples(store: &Store) -> anyhow::Result<Vec<DemoRun>> {
    let mut config = TracingConfig::from_env()?;
    if std::env::var_os(engine_instrumentation::config::SERVICE_NAME).is_none() {
        config.service_name = "orcheo-demo".to_owned();
    }
    let sink = StoreSink::new(store.clone(), tokio::runtime::Handle::current());
    let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink)).build()?;
    // The HTTP sample calls a real server on loopback.
    let server = LoopbackServer::start().await?;
    let engine = pipeline.wrap(Engine::default());
    let mut runs = Vec::new();
    for workflow in samples::all(&server.url("/inventory")) {
        let execution_id = uuid::Uuid::new_v4().to_string();
        let outcome = engine.run(&workflow, &RunRequest::new(execution_id.as_str())).await;
        runs.push(DemoRun { execution_id, workflow_id: workflow.id.clone(), outcome });
    }
    pipeline.shutdown().await?;
    Ok(runs)
}
