//! The OTLP exporter as configured: http/protobuf through the blocking reqwest client (it runs on an export
//! thread), or gRPC through tonic (built inside the caller's tokio runtime, which its channel needs).

use std::time::Duration;

use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig as _};

use crate::config::{OtlpProtocol, TracingConfig};
use crate::pipeline::PipelineError;

pub(crate) fn build(
    config: &TracingConfig,
    timeout: Duration,
) -> Result<(SpanExporter, Option<tokio::runtime::Handle>), PipelineError> {
    let endpoint = config.traces_endpoint();
    match config.protocol {
        OtlpProtocol::HttpProtobuf => {
            let exporter = SpanExporter::builder()
                .with_http()
                .with_protocol(Protocol::HttpBinary)
                .with_endpoint(endpoint)
                .with_timeout(timeout)
                .build()
                .map_err(|e| PipelineError::Exporter(e.to_string()))?;
            Ok((exporter, None))
        }
        OtlpProtocol::Grpc => {
            let runtime = tokio::runtime::Handle::try_current().map_err(|_| PipelineError::NoRuntime)?;
            let exporter = SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .with_timeout(timeout)
                .build()
                .map_err(|e| PipelineError::Exporter(e.to_string()))?;
            Ok((exporter, Some(runtime)))
        }
    }
}
