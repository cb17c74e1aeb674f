//! Running every sample workflow through one pipeline with an OTLP exporter, and collectors that are not there.

use std::sync::Arc;

use engine_instrumentation::config::{ExporterKind, OtlpProtocol};
use engine_instrumentation::{
    MemorySink, RunOutcome, RunRequest, SpanRecord, TracingConfig, TracingPipeline, TracingPipelineBuilder,
};
use reference_engine::Engine;
use reference_engine::samples::{self, LoopbackServer};

pub fn otlp(protocol: OtlpProtocol, endpoint: String) -> TracingConfig {
    TracingConfig {
        exporter: ExporterKind::Otlp,
        protocol,
        endpoint,
        service_name: "engine-under-test".to_owned(),
        ..TracingConfig::default()
    }
}

/// Runs every sample through one pipeline; returns what was persisted and the pipeline for its counters.
pub async fn run_samples(config: TracingConfig) -> anyhow::Result<(Vec<SpanRecord>, TracingPipeline, usize)> {
    run_samples_with(config, |builder| builder).await
}

/// [`run_samples`], the pipeline's builder adjusted by `adjust` first.
pub async fn run_samples_with(
    config: TracingConfig,
    adjust: impl FnOnce(TracingPipelineBuilder) -> TracingPipelineBuilder,
) -> anyhow::Result<(Vec<SpanRecord>, TracingPipeline, usize)> {
    let server = LoopbackServer::start().await?;
    let sink = MemorySink::default();
    let pipeline = adjust(TracingPipeline::builder(config).with_sink(Arc::new(sink.clone()))).build()?;
    let engine = pipeline.wrap(Engine::default());
    let workflows = samples::all(&server.url("/inventory"));
    for (i, workflow) in workflows.iter().enumerate() {
        let outcome = engine.run(workflow, &RunRequest::new(format!("exec-{i}"))).await;
        let expected_ok = !["sync-crm", "nightly-export"].contains(&workflow.id.as_str());
        anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }) == expected_ok, "{}: {outcome:?}", workflow.id);
    }
    pipeline.shutdown().await?;
    Ok((sink.records(), pipeline, workflows.len()))
}

/// A loopback port with nothing listening.
pub async fn closed_port() -> anyhow::Result<u16> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    Ok(listener.local_addr()?.port())
}
