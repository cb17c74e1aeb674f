//! Demo mode: at start-up, run the sample workflows through the instrumented reference engine, so that the
//! Trace tab shows real spans from the moment the service answers.

use std::sync::Arc;

use engine_instrumentation::redact::Redactor;
use engine_instrumentation::{Engine, RunOutcome, TracingPipeline, samples};

use crate::metrics::Metrics;
use crate::sink::StoreSink;
use crate::store::Store;

/// One finished demo run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRun {
    pub execution_id: String,
    pub workflow_id: String,
    pub outcome: RunOutcome,
}

/// Runs every sample workflow once and waits until their spans are stored.
pub async fn run_samples(store: &Store, metrics: Arc<Metrics>) -> anyhow::Result<Vec<DemoRun>> {
    let sink = StoreSink::new(store.clone(), tokio::runtime::Handle::current()).with_metrics(metrics);
    let pipeline = TracingPipeline::with_sink(Arc::new(sink), "orcheo-demo", Redactor::default());
    let tracer = pipeline.tracer();
    let mut runs = Vec::new();
    for workflow in samples::all() {
        let execution_id = uuid::Uuid::new_v4().to_string();
        let outcome = Engine.run(&workflow, &execution_id, tracer.as_ref()).await;
        runs.push(DemoRun { execution_id, workflow_id: workflow.id.clone(), outcome });
    }
    pipeline.shutdown().await?;
    Ok(runs)
}
