//! Shared test helpers: running a workflow through a pipeline into memory, and OTLP receivers on loopback
//! (http/protobuf on hyper, gRPC on tonic) that keep every request, decoded and as raw bytes.

#![allow(dead_code)]

pub mod otlp_runs;
pub mod receivers;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use engine_instrumentation::{MemorySink, RunOutcome, RunRequest, SpanRecord, TracingConfig, TracingPipeline};
use reference_engine::{Engine, Workflow};

/// Runs `workflow` as `execution_id` through a default pipeline; returns the outcome and every persisted span.
pub async fn run(workflow: &Workflow, execution_id: &str) -> anyhow::Result<(RunOutcome, Vec<SpanRecord>)> {
    run_with(TracingConfig::default(), workflow, RunRequest::new(execution_id)).await
}

pub async fn run_with(
    config: TracingConfig,
    workflow: &Workflow,
    request: RunRequest,
) -> anyhow::Result<(RunOutcome, Vec<SpanRecord>)> {
    let sink = MemorySink::default();
    let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink.clone())).build()?;
    let engine = pipeline.wrap(Engine::default());
    let outcome = engine.run(workflow, &request).await;
    pipeline.shutdown().await.context("pipeline shutdown")?;
    if let Some(tracer) = pipeline.tracer() {
        anyhow::ensure!(tracer.open_spans() == 0, "spans left open: {}", tracer.open_spans());
    }
    Ok((outcome, sink.records()))
}

/// Spans by name; fails on a missing name.
pub struct Spans<'a> {
    pub by_name: HashMap<&'a str, Vec<&'a SpanRecord>>,
}

impl<'a> Spans<'a> {
    pub fn new(records: &'a [SpanRecord]) -> Self {
        let mut by_name: HashMap<&str, Vec<&SpanRecord>> = HashMap::new();
        for record in records {
            by_name.entry(record.span.name.as_str()).or_default().push(record);
        }
        Self { by_name }
    }

    pub fn one(&self, name: &str) -> anyhow::Result<&'a SpanRecord> {
        match self.by_name.get(name).map(Vec::as_slice) {
            Some([one]) => Ok(one),
            Some(many) => anyhow::bail!("{} spans named {name:?}", many.len()),
            None => anyhow::bail!("no span named {name:?}; have {:?}", self.by_name.keys().collect::<Vec<_>>()),
        }
    }

    pub fn all(&self, name: &str) -> Vec<&'a SpanRecord> {
        self.by_name.get(name).cloned().unwrap_or_default()
    }
}

pub fn attr<'a>(record: &'a SpanRecord, key: &str) -> anyhow::Result<&'a serde_json::Value> {
    record.span.attributes.get(key).with_context(|| format!("{} has no {key}", record.span.name))
}

pub fn is_child_of(child: &SpanRecord, parent: &SpanRecord) -> bool {
    child.span.parent_span_id.as_deref() == Some(parent.span.span_id.as_str())
}
