//! Where the export counters go with the OTLP exporter: a meter provider of the pipeline's own that pushes them to
//! the same collector as the spans, from the SDK's periodic reader thread. A failed push is logged by the SDK and
//! retried at the next interval; nothing on a run's path waits for it.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};

use super::otlp::{self, Runtime};
use crate::config::TracingConfig;
use crate::pipeline::PipelineError;

/// The meter provider for `config` (whose exporter is OTLP). For gRPC, call inside a tokio runtime.
pub(crate) fn meter_provider(
    config: &TracingConfig,
    resource: Resource,
    timeout: Duration,
) -> Result<SdkMeterProvider, PipelineError> {
    let (exporter, runtime) = otlp::metric_exporter(config, timeout)?;
    let reader =
        PeriodicReader::builder(InRuntime { exporter, runtime }).with_interval(config.metrics_interval).build();
    Ok(SdkMeterProvider::builder().with_resource(resource).with_reader(reader).build())
}

/// The reader polls exports on its own thread, outside any runtime: the gRPC client needs the one it was built in.
#[derive(Debug)]
struct InRuntime<E> {
    exporter: E,
    runtime: Runtime,
}

impl<E: PushMetricExporter> PushMetricExporter for InRuntime<E> {
    fn export(&self, metrics: &ResourceMetrics) -> impl Future<Output = OTelSdkResult> + Send {
        Entered { runtime: self.runtime.clone(), future: Box::pin(self.exporter.export(metrics)) }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.exporter.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let _entered = self.runtime.as_ref().map(tokio::runtime::Handle::enter);
        self.exporter.shutdown_with_timeout(timeout)
    }

    fn temporality(&self) -> Temporality {
        self.exporter.temporality()
    }
}

/// A future polled with a runtime entered; the guard lives only for each poll, so the future stays `Send`.
struct Entered<F> {
    runtime: Runtime,
    future: Pin<Box<F>>,
}

impl<F: Future> Future for Entered<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let _entered = this.runtime.as_ref().map(tokio::runtime::Handle::enter);
        this.future.as_mut().poll(cx)
    }
}
