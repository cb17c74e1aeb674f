//! Where the export counters go with the OTLP exporter: a meter provider of the pipeline's own that pushes them to
//! the same collector as the spans, from the SDK's periodic reader thread. A failed push is logged by the SDK and
//! the next one reports the totals again; nothing on a run's path waits for it.

use std::time::Duration;

use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};

use super::otlp;
use crate::config::TracingConfig;
use crate::pipeline::PipelineError;

/// The meter provider for `config` (whose exporter is OTLP). For gRPC, call inside a tokio runtime.
pub(crate) fn meter_provider(
    config: &TracingConfig,
    resource: Resource,
    timeout: Duration,
) -> Result<SdkMeterProvider, PipelineError> {
    let exporter = otlp::metric_exporter(config, timeout)?;
    let reader = PeriodicReader::builder(exporter).with_interval(config.metrics_interval).build();
    Ok(SdkMeterProvider::builder().with_resource(resource).with_reader(reader).build())
}
