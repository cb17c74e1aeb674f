//! The tracing pipeline of a process that runs workflows: a tracer provider whose only processor is the export
//! stage (redaction and budget, once), feeding the persistence exporter and, as configured, OTLP or the console.
//! With tracing switched off there is no provider at all and engines run with the no-op observer.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::metrics::{Meter, MeterProvider as _, ObservableCounter};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkError;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanExporter as _};

use crate::config::{ExporterKind, TracingConfig};
use crate::export::console::ConsoleExporter;
use crate::export::exporter::{Backoff, ExportConsumer, Sdk};
use crate::export::queue::{BatchSettings, Queue};
use crate::export::stage::{ExportStage, Output};
use crate::export::stats::{ExportStats, StatsSnapshot};
use crate::export::{PersistenceExporter, SpanSink, metrics, otlp};
use crate::hooks::{ExecutionObserver, NoopObserver};
use crate::layer::{Traced, WorkflowEngine};
use crate::sampler::RecordAllSampler;
use crate::tracer::{TracerSettings, WorkflowTracer};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error("invalid redaction rules: {0}")]
    Redaction(#[from] crate::redact::RedactError),
    #[error("the OTLP exporter could not be built: {0}")]
    Exporter(String),
    #[error("the gRPC exporter must be built inside a tokio runtime")]
    NoRuntime,
    #[error("an export thread could not start: {0}")]
    Thread(#[from] std::io::Error),
    #[error("flushing spans failed: {0}")]
    Flush(#[from] OTelSdkError),
    #[error("the flush task did not finish: {0}")]
    Join(String),
}

/// Retries of a persistence batch whose store was unavailable; then the batch counts as failed.
const PERSISTENCE_BACKOFF: Backoff =
    Backoff { retries: 3, initial: Duration::from_millis(100), max_cooldown: Duration::ZERO };
/// The OTLP exporter retries on its own; after a failed batch the queue pauses up to this long, doubling.
const OTLP_BACKOFF: Backoff =
    Backoff { retries: 0, initial: Duration::from_secs(1), max_cooldown: Duration::from_secs(30) };
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);
/// The meter (instrumentation scope) of the export counters.
const METER_NAME: &str = "orcheo.tracing";

pub struct TracingPipelineBuilder {
    config: TracingConfig,
    sink: Option<Arc<dyn SpanSink>>,
    meter: Option<Meter>,
    batch: BatchSettings,
    export_timeout: Duration,
    open_spans: bool,
}

impl std::fmt::Debug for TracingPipelineBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracingPipelineBuilder").field("config", &self.config).finish_non_exhaustive()
    }
}

impl TracingPipelineBuilder {
    /// Persist every finished span to `sink` (the trace API's store).
    pub fn with_sink(mut self, sink: Arc<dyn SpanSink>) -> Self {
        self.sink = Some(sink);
        self
    }

    /// Also persist each span when it starts (without an end time), so that the trace of a running execution
    /// shows the spans still open; the ended span replaces it in the store. Costs a copy of each span at start.
    pub fn with_open_spans(mut self) -> Self {
        self.open_spans = true;
        self
    }

    /// Report the export counters to this meter. Without it they go, with the OTLP exporter, to the collector
    /// through a meter provider the pipeline owns, and otherwise to the global meter provider's `orcheo.tracing`.
    pub fn with_meter(mut self, meter: Meter) -> Self {
        self.meter = Some(meter);
        self
    }

    pub fn with_batch_settings(mut self, batch: BatchSettings) -> Self {
        self.batch = batch;
        self
    }

    pub fn with_export_timeout(mut self, timeout: Duration) -> Self {
        self.export_timeout = timeout;
        self
    }

    /// Starts the export threads. For the gRPC exporter, call this inside a tokio runtime.
    pub fn build(self) -> Result<TracingPipeline, PipelineError> {
        let config = self.config;
        if !config.enabled {
            return Ok(TracingPipeline { inner: None });
        }
        let redactor = config.redactor()?;
        let resource = Resource::builder().with_service_name(config.service_name.clone()).build();
        let stats = Arc::new(ExportStats::default());
        let mut outputs = Vec::new();
        if let Some(sink) = self.sink {
            let consumer = ExportConsumer::new(
                PersistenceExporter::new(sink),
                Arc::clone(&stats.persistence),
                PERSISTENCE_BACKOFF,
                None,
            );
            let queue = Queue::start("persist", self.batch, Arc::clone(&stats.persistence), consumer)?;
            outputs.push(Output::Store { queue, takes_open: self.open_spans });
        }
        match config.exporter {
            ExporterKind::None => {}
            ExporterKind::Console => {
                let consumer =
                    ExportConsumer::new(Sdk(ConsoleExporter), Arc::clone(&stats.console), Backoff::NONE, None);
                let queue = Queue::start("console", self.batch, Arc::clone(&stats.console), consumer)?;
                outputs.push(Output::Exporter(queue));
            }
            ExporterKind::Otlp => {
                let (mut exporter, runtime) = otlp::span_exporter(&config, self.export_timeout)?;
                // The stage, not the provider, owns the exporters: they learn the resource from here.
                exporter.set_resource(&resource);
                let consumer = ExportConsumer::new(Sdk(exporter), Arc::clone(&stats.otlp), OTLP_BACKOFF, runtime);
                let queue = Queue::start("otlp", self.batch, Arc::clone(&stats.otlp), consumer)?;
                outputs.push(Output::Exporter(queue));
            }
        }
        let stage =
            ExportStage::start(redactor, config.execution_budget_bytes, outputs, self.batch, Arc::clone(&stats))?;
        let open_copies = stage.takes_open_copies();
        let provider = SdkTracerProvider::builder()
            .with_resource(resource.clone())
            .with_sampler(RecordAllSampler::ratio(config.sample_ratio))
            .with_span_processor(stage)
            .build();
        let (meter, meters) = match (self.meter, config.exporter) {
            (Some(meter), _) => (meter, None),
            (None, ExporterKind::Otlp) => {
                let meters = metrics::meter_provider(&config, resource, self.export_timeout)?;
                (meters.meter(METER_NAME), Some(meters))
            }
            (None, _) => (opentelemetry::global::meter(METER_NAME), None),
        };
        let instruments = stats.register(&meter);
        let settings = TracerSettings {
            capture_prompts: config.capture_prompts,
            capture_state: config.capture_state,
            high_token_threshold: config.high_token_threshold,
        };
        let tracer = Arc::new(WorkflowTracer::new(provider.tracer("orcheo.engine"), settings, open_copies));
        let instruments = Arc::new(instruments);
        Ok(TracingPipeline { inner: Some(Inner { provider, meters, tracer, stats, _instruments: instruments }) })
    }
}

#[derive(Clone)]
struct Inner {
    provider: SdkTracerProvider,
    /// The meter provider the pipeline owns (OTLP exporter, no meter given), shut down with it.
    meters: Option<SdkMeterProvider>,
    tracer: Arc<WorkflowTracer>,
    stats: Arc<ExportStats>,
    _instruments: Arc<Vec<ObservableCounter<u64>>>,
}

/// A running pipeline. Cloning shares it. Call [`TracingPipeline::shutdown`] before the last clone goes: it
/// exports what is still queued, and dropping the provider inside an async task would block that task instead.
#[derive(Clone)]
pub struct TracingPipeline {
    inner: Option<Inner>,
}

impl std::fmt::Debug for TracingPipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracingPipeline").field("enabled", &self.inner.is_some()).finish_non_exhaustive()
    }
}

impl TracingPipeline {
    pub fn builder(config: TracingConfig) -> TracingPipelineBuilder {
        TracingPipelineBuilder {
            config,
            sink: None,
            meter: None,
            batch: BatchSettings::default(),
            export_timeout: EXPORT_TIMEOUT,
            open_spans: false,
        }
    }

    /// Default settings, persisting to `sink`: what the demo and tests run.
    pub fn with_sink(sink: Arc<dyn SpanSink>) -> Result<Self, PipelineError> {
        Self::builder(TracingConfig::default()).with_sink(sink).build()
    }

    pub fn is_enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// The tracer, if tracing is on.
    pub fn tracer(&self) -> Option<Arc<WorkflowTracer>> {
        self.inner.as_ref().map(|i| Arc::clone(&i.tracer))
    }

    /// What an engine should report to: the tracer, or the no-op observer when tracing is off.
    pub fn observer(&self) -> Arc<dyn ExecutionObserver> {
        match &self.inner {
            Some(inner) => Arc::clone(&inner.tracer) as Arc<dyn ExecutionObserver>,
            None => Arc::new(NoopObserver),
        }
    }

    /// Wraps `engine` so that its runs are traced by this pipeline.
    pub fn wrap<E: WorkflowEngine>(&self, engine: E) -> Traced<E> {
        Traced::new(engine, self.observer())
    }

    pub fn stats(&self) -> StatsSnapshot {
        self.inner.as_ref().map(|i| i.stats.snapshot()).unwrap_or_default()
    }

    /// Waits until every span ended so far has been exported. Blocking work, so it runs off the async threads.
    pub async fn flush(&self) -> Result<(), PipelineError> {
        let Some(inner) = &self.inner else { return Ok(()) };
        let provider = inner.provider.clone();
        tokio::task::spawn_blocking(move || provider.force_flush())
            .await
            .map_err(|e| PipelineError::Join(e.to_string()))??;
        Ok(())
    }

    /// Flushes and stops the export threads; then sends the final counters to the collector, if the pipeline owns
    /// a meter provider. Failing to send them is logged, not returned: the spans are what shutdown vouches for.
    pub async fn shutdown(&self) -> Result<(), PipelineError> {
        let Some(inner) = &self.inner else { return Ok(()) };
        let provider = inner.provider.clone();
        let meters = inner.meters.clone();
        tokio::task::spawn_blocking(move || {
            let spans = provider.shutdown();
            // After the spans: the last export's counts belong in the final report.
            if let Some(meters) = meters
                && let Err(error) = meters.shutdown()
            {
                tracing::warn!(%error, "sending the final export counters failed");
            }
            spans
        })
        .await
        .map_err(|e| PipelineError::Join(e.to_string()))??;
        Ok(())
    }
}
