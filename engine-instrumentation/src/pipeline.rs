//! The tracer provider of a process that runs workflows: spans go through a batch processor to the persistence
//! exporter, and the [`WorkflowTracer`] records runs into it.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkError;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider};

use crate::export::{PersistenceExporter, SpanSink};
use crate::redact::Redactor;
use crate::tracer::WorkflowTracer;

/// Spans reach the store within this delay, so that a running execution's trace fills in while it runs.
const PERSIST_DELAY: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("flushing spans failed: {0}")]
    Flush(#[from] OTelSdkError),
    #[error("the flush task did not finish: {0}")]
    Join(String),
}

#[derive(Debug, Clone)]
pub struct TracingPipeline {
    provider: SdkTracerProvider,
    tracer: Arc<WorkflowTracer>,
}

impl TracingPipeline {
    /// A provider whose spans are persisted to `sink`.
    pub fn with_sink(sink: Arc<dyn SpanSink>, service_name: &str, redactor: Redactor) -> Self {
        let config = BatchConfigBuilder::default().with_scheduled_delay(PERSIST_DELAY).build();
        let processor = BatchSpanProcessor::builder(PersistenceExporter::new(sink)).with_batch_config(config).build();
        let provider = SdkTracerProvider::builder()
            .with_resource(Resource::builder().with_service_name(service_name.to_owned()).build())
            .with_span_processor(processor)
            .build();
        let tracer = Arc::new(WorkflowTracer::new(provider.tracer("orcheo.engine"), redactor));
        Self { provider, tracer }
    }

    pub fn tracer(&self) -> Arc<WorkflowTracer> {
        Arc::clone(&self.tracer)
    }

    /// Waits until every span ended so far has been exported. Blocking work, so it runs off the async threads.
    pub async fn flush(&self) -> Result<(), PipelineError> {
        let provider = self.provider.clone();
        tokio::task::spawn_blocking(move || provider.force_flush())
            .await
            .map_err(|e| PipelineError::Join(e.to_string()))??;
        Ok(())
    }

    /// Flushes and stops the exporters.
    pub async fn shutdown(&self) -> Result<(), PipelineError> {
        let provider = self.provider.clone();
        tokio::task::spawn_blocking(move || provider.shutdown())
            .await
            .map_err(|e| PipelineError::Join(e.to_string()))??;
        Ok(())
    }
}
