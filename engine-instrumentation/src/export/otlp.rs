//! The OTLP exporters as configured, for spans and for the export counters: http/protobuf through the blocking
//! reqwest client (they run on export threads), or gRPC through tonic (built inside the caller's tokio runtime,
//! which its channel needs).

use std::time::Duration;

use opentelemetry_otlp::{MetricExporter, Protocol, SpanExporter, WithExportConfig};
use opentelemetry_sdk::metrics::Temporality;

use crate::config::{OtlpProtocol, TracingConfig};
use crate::pipeline::PipelineError;

/// The runtime the gRPC span exporter was built in, entered while exporting.
pub(crate) type Runtime = Option<tokio::runtime::Handle>;

/// Endpoint, transport and timeout, the same for every signal.
fn configure<B: WithExportConfig>(builder: B, protocol: OtlpProtocol, endpoint: String, timeout: Duration) -> B {
    let builder = builder.with_endpoint(endpoint).with_timeout(timeout);
    match protocol {
        OtlpProtocol::HttpProtobuf => builder.with_protocol(Protocol::HttpBinary),
        OtlpProtocol::Grpc => builder,
    }
}

fn grpc_runtime() -> Result<tokio::runtime::Handle, PipelineError> {
    tokio::runtime::Handle::try_current().map_err(|_| PipelineError::NoRuntime)
}

fn build_error(error: opentelemetry_otlp::ExporterBuildError) -> PipelineError {
    PipelineError::Exporter(error.to_string())
}

pub(crate) fn span_exporter(
    config: &TracingConfig,
    timeout: Duration,
) -> Result<(SpanExporter, Runtime), PipelineError> {
    let endpoint = config.traces_endpoint();
    match config.protocol {
        OtlpProtocol::HttpProtobuf => {
            let builder = configure(SpanExporter::builder().with_http(), config.protocol, endpoint, timeout);
            Ok((builder.build().map_err(build_error)?, None))
        }
        OtlpProtocol::Grpc => {
            let runtime = grpc_runtime()?;
            let builder = configure(SpanExporter::builder().with_tonic(), config.protocol, endpoint, timeout);
            Ok((builder.build().map_err(build_error)?, Some(runtime)))
        }
    }
}

/// Cumulative, whatever `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` says: the counters are totals since
/// start, and the collector's Prometheus exporter serves them as such. The gRPC channel's task is spawned on the
/// caller's runtime; calls from the reader thread work without entering it, and its retry pauses then sleep that
/// thread instead of waiting on the runtime's timer.
pub(crate) fn metric_exporter(config: &TracingConfig, timeout: Duration) -> Result<MetricExporter, PipelineError> {
    let endpoint = config.metrics_endpoint();
    let builder = MetricExporter::builder().with_temporality(Temporality::Cumulative);
    let exporter = match config.protocol {
        OtlpProtocol::HttpProtobuf => configure(builder.with_http(), config.protocol, endpoint, timeout).build(),
        OtlpProtocol::Grpc => {
            grpc_runtime()?;
            configure(builder.with_tonic(), config.protocol, endpoint, timeout).build()
        }
    };
    exporter.map_err(build_error)
}
