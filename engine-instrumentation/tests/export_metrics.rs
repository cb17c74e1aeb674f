//! The pipeline's export counters as OpenTelemetry metrics: to a given meter, and, with the OTLP exporter, to the
//! collector over http/protobuf and gRPC, checked against the run; a collector that is down fails nothing.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use common::otlp_runs::{closed_port, otlp, run_samples};
use common::receivers::{GrpcReceiver, HttpReceiver, Received, SumPoint};
use engine_instrumentation::config::OtlpProtocol;
use engine_instrumentation::{MemorySink, RunRequest, StatsSnapshot, TracingConfig, TracingPipeline};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::metrics::v1::AggregationTemporality;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use reference_engine::{Engine, Workflow, samples};

/// A metric exporter that keeps the last value of each (counter, exporter) pair.
#[derive(Debug, Clone, Default)]
struct Counters(Arc<Mutex<BTreeMap<(String, String), u64>>>);

impl PushMetricExporter for Counters {
    async fn export(&self, metrics: &ResourceMetrics) -> OTelSdkResult {
        let mut values =
            self.0.lock().map_err(|e| opentelemetry_sdk::error::OTelSdkError::InternalFailure(e.to_string()))?;
        for metric in metrics.scope_metrics().flat_map(|s| s.metrics()) {
            if let AggregatedMetrics::U64(MetricData::Sum(sum)) = metric.data() {
                for point in sum.data_points() {
                    let exporter = point.attributes().find(|kv| kv.key.as_str() == "exporter");
                    let exporter = exporter.map(|kv| kv.value.to_string()).unwrap_or_default();
                    values.insert((metric.name().to_owned(), exporter), point.value());
                }
            }
        }
        Ok(())
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Cumulative
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_counters_are_reported_as_otel_metrics() -> anyhow::Result<()> {
    let counters = Counters::default();
    let meters = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(counters.clone()).build()).build();
    let sink = MemorySink::default();
    let endpoint = format!("http://127.0.0.1:{}", closed_port().await?);
    let pipeline = TracingPipeline::builder(otlp(OtlpProtocol::HttpProtobuf, endpoint))
        .with_sink(Arc::new(sink.clone()))
        .with_meter(meters.meter("test"))
        .build()?;
    let workflow: Workflow = samples::summarize();
    pipeline.wrap(Engine::default()).run(&workflow, &RunRequest::new("exec-metrics")).await;
    pipeline.flush().await?;
    tokio::task::spawn_blocking(move || meters.force_flush()).await??;
    let values = counters.0.lock().map(|v| v.clone()).unwrap_or_default();
    let get = |name: &str, exporter: &str| values.get(&(name.to_owned(), exporter.to_owned())).copied();
    assert_eq!(get("orcheo.tracing.spans.exported", "persistence"), Some(5), "{values:?}");
    assert_eq!(get("orcheo.tracing.spans.exported", "otlp"), Some(0));
    assert_eq!(get("orcheo.tracing.spans.failed", "otlp"), Some(5));
    assert_eq!(get("orcheo.tracing.spans.dropped", "intake"), Some(0));
    pipeline.shutdown().await?;
    Ok(())
}

/// The last value the collector got for each (counter, `exporter`) pair: the counters are cumulative, so the last
/// report (sent at shutdown) holds the totals. Checks what every point says about its origin on the way.
fn collected_counters(points: &[SumPoint]) -> anyhow::Result<BTreeMap<(String, String), u64>> {
    let mut last = BTreeMap::new();
    for point in points {
        anyhow::ensure!(point.service == "engine-under-test", "{point:?}");
        anyhow::ensure!(point.scope == "orcheo.tracing", "{point:?}");
        anyhow::ensure!(point.unit == "{span}" && point.monotonic, "{point:?}");
        anyhow::ensure!(point.temporality == AggregationTemporality::Cumulative as i32, "{point:?}");
        let exporter = point.exporter.clone().with_context(|| format!("no exporter attribute: {point:?}"))?;
        let value = point.value.with_context(|| format!("not an integer: {point:?}"))?;
        last.insert((point.name.clone(), exporter), u64::try_from(value)?);
    }
    Ok(last)
}

/// Every counter and `exporter` label the pipeline reports, with the values of its own snapshot.
fn expected_counters(stats: &StatsSnapshot) -> BTreeMap<(String, String), u64> {
    let destinations = [("persistence", stats.persistence), ("otlp", stats.otlp), ("console", stats.console)];
    let mut expected = BTreeMap::new();
    let mut put = |name: &str, exporter: &str, value: u64| {
        expected.insert((format!("orcheo.tracing.spans.{name}"), exporter.to_owned()), value);
    };
    for (exporter, d) in destinations {
        put("exported", exporter, d.exported);
        put("failed", exporter, d.failed);
        put("dropped", exporter, d.dropped);
    }
    put("dropped", "intake", stats.intake_dropped);
    put("truncated", "budget", stats.truncated_spans);
    expected
}

/// Runs the samples with the OTLP exporter to a live receiver and checks the counters it got at shutdown against
/// the run: what was persisted, what the trace receiver got, and the pipeline's own snapshot.
async fn assert_counters_reach_the_collector(
    protocol: OtlpProtocol,
    endpoint: String,
    traces: &Received,
    metrics: &Received<ExportMetricsServiceRequest>,
) -> anyhow::Result<()> {
    let (persisted, pipeline, _) = run_samples(otlp(protocol, endpoint)).await?;
    let collected = collected_counters(&metrics.sums())?;
    let get = |name: &str, exporter: &str| collected.get(&(format!("orcheo.tracing.spans.{name}"), exporter.into()));
    assert!(persisted.len() > 30, "{} spans", persisted.len());
    assert_eq!(get("exported", "persistence"), Some(&(persisted.len() as u64)), "{collected:?}");
    assert_eq!(get("exported", "otlp"), Some(&(traces.spans().len() as u64)), "{collected:?}");
    assert_eq!(get("failed", "otlp"), Some(&0), "{collected:?}");
    assert_eq!(get("dropped", "intake"), Some(&0), "{collected:?}");
    assert_eq!(collected, expected_counters(&pipeline.stats()), "{protocol:?}: every counter and label, as counted");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_counters_reach_the_collector_over_http_protobuf() -> anyhow::Result<()> {
    let receiver = HttpReceiver::start().await?;
    assert_counters_reach_the_collector(
        OtlpProtocol::HttpProtobuf,
        receiver.endpoint(),
        &receiver.received,
        &receiver.metrics,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_counters_reach_the_collector_over_grpc() -> anyhow::Result<()> {
    let receiver = GrpcReceiver::start().await?;
    assert_counters_reach_the_collector(OtlpProtocol::Grpc, receiver.endpoint(), &receiver.received, &receiver.metrics)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_meter_keeps_the_counters_from_the_collector() -> anyhow::Result<()> {
    let receiver = HttpReceiver::start().await?;
    let counters = Counters::default();
    let meters = SdkMeterProvider::builder().with_reader(PeriodicReader::builder(counters.clone()).build()).build();
    let pipeline = TracingPipeline::builder(otlp(OtlpProtocol::HttpProtobuf, receiver.endpoint()))
        .with_meter(meters.meter("test"))
        .build()?;
    pipeline.wrap(Engine::default()).run(&samples::summarize(), &RunRequest::new("exec-own-meter")).await;
    pipeline.shutdown().await?;
    tokio::task::spawn_blocking(move || meters.shutdown()).await??;
    assert_eq!(receiver.received.spans().len(), 5, "the spans still go to the collector");
    assert_eq!(receiver.metrics.raw().len(), 0, "the counters do not");
    let values = counters.0.lock().map(|v| v.clone()).unwrap_or_default();
    assert_eq!(values.get(&("orcheo.tracing.spans.exported".to_owned(), "otlp".to_owned())), Some(&5), "{values:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collector_down_for_metrics_neither_fails_nor_holds_up_runs() -> anyhow::Result<()> {
    for protocol in [OtlpProtocol::HttpProtobuf, OtlpProtocol::Grpc] {
        let endpoint = format!("http://127.0.0.1:{}", closed_port().await?);
        // A short interval, so that pushes fail during the runs as well as at shutdown.
        let config = TracingConfig { metrics_interval: Duration::from_millis(20), ..otlp(protocol, endpoint) };
        // Every run completes as expected and shutdown succeeds (run_samples checks both).
        let (persisted, pipeline, runs) = run_samples(config).await?;
        let roots = persisted.iter().filter(|r| r.span.parent_span_id.is_none()).count();
        assert_eq!(roots, runs, "{protocol:?}: every run is stored");
        let stats = pipeline.stats();
        assert_eq!(stats.persistence.exported, persisted.len() as u64, "{protocol:?}");
        assert_eq!(stats.otlp.failed + stats.otlp.dropped, persisted.len() as u64, "{protocol:?}");
    }
    Ok(())
}
