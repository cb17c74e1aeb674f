//! OTLP export over http/protobuf and gRPC to real receivers on loopback, checked span by span against what the
//! persistence exporter stored; runs with the collector down; bounded queues; export counters as OTel metrics, to
//! a given meter or, with the OTLP exporter, to the collector.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use common::receivers::{GrpcReceiver, HttpReceiver, Received, SumPoint};
use engine_instrumentation::config::{ExporterKind, OtlpProtocol};
use engine_instrumentation::export::BatchSettings;
use engine_instrumentation::samples::{self, LoopbackServer};
use engine_instrumentation::{
    Engine, MemorySink, RunOutcome, RunRequest, SinkError, SpanRecord, SpanSink, StatsSnapshot, TracingConfig,
    TracingPipeline, TracingPipelineBuilder, Workflow,
};
use futures_util::future::BoxFuture;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::AggregationTemporality;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind as OtlpKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode as OtlpStatus;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData, ResourceMetrics};
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
use serde_json::{Value as Json, json};
use trace_model::StatusCode;

fn otlp(protocol: OtlpProtocol, endpoint: String) -> TracingConfig {
    TracingConfig {
        exporter: ExporterKind::Otlp,
        protocol,
        endpoint,
        service_name: "engine-under-test".to_owned(),
        ..TracingConfig::default()
    }
}

/// Runs every sample through one pipeline; returns what was persisted and the pipeline for its counters.
async fn run_samples(config: TracingConfig) -> anyhow::Result<(Vec<SpanRecord>, TracingPipeline, usize)> {
    run_samples_with(config, |builder| builder).await
}

/// [`run_samples`], the pipeline's builder adjusted by `adjust` first.
async fn run_samples_with(
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

fn any_to_json(value: Option<&AnyValue>) -> Json {
    match value.and_then(|v| v.value.as_ref()) {
        Some(Any::StringValue(s)) => json!(s),
        Some(Any::BoolValue(b)) => json!(b),
        Some(Any::IntValue(i)) => json!(i),
        Some(Any::DoubleValue(f)) => json!(f),
        Some(Any::ArrayValue(items)) => items.values.iter().map(|v| any_to_json(Some(v))).collect(),
        other => json!(format!("{other:?}")),
    }
}

fn attributes(pairs: &[KeyValue]) -> BTreeMap<String, Json> {
    pairs.iter().map(|kv| (kv.key.clone(), any_to_json(kv.value.as_ref()))).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every persisted span arrived at the receiver exactly once, identical in ids, parent, name, kind, status,
/// attributes and events.
fn assert_same_spans(persisted: &[SpanRecord], received: &Received) -> anyhow::Result<()> {
    let exported = received.spans();
    anyhow::ensure!(exported.len() == persisted.len(), "{} exported, {} persisted", exported.len(), persisted.len());
    for record in persisted {
        let span = &record.span;
        let matching: Vec<_> = exported.iter().filter(|(_, s)| hex(&s.span_id) == span.span_id).collect();
        let [(service, otlp)] = matching.as_slice() else {
            anyhow::bail!("{} arrived {} times", span.name, matching.len())
        };
        anyhow::ensure!(service == "engine-under-test", "service {service}");
        assert_eq!(hex(&otlp.trace_id), record.trace_id, "{}", span.name);
        assert_eq!(
            (!otlp.parent_span_id.is_empty()).then(|| hex(&otlp.parent_span_id)),
            span.parent_span_id,
            "{}",
            span.name
        );
        assert_eq!(otlp.name, span.name);
        let kind = if matches!(span.kind, trace_model::SpanKind::Workflow | trace_model::SpanKind::Node) {
            OtlpKind::Internal
        } else {
            OtlpKind::Client
        };
        assert_eq!(otlp.kind, kind as i32, "{}", span.name);
        let status = otlp.status.as_ref().map_or(0, |s| s.code);
        let expected = match span.status.code {
            StatusCode::Ok => OtlpStatus::Ok,
            StatusCode::Error => OtlpStatus::Error,
            StatusCode::Unset => OtlpStatus::Unset,
        };
        assert_eq!(status, expected as i32, "{}", span.name);
        assert_eq!(&attributes(&otlp.attributes), &span.attributes, "{}", span.name);
        let events: Vec<_> = otlp.events.iter().map(|e| (e.name.clone(), attributes(&e.attributes))).collect();
        let stored: Vec<_> = span.events.iter().map(|e| (e.name.clone(), e.attributes.clone())).collect();
        assert_eq!(events, stored, "{}", span.name);
        let start = i64::try_from(otlp.start_time_unix_nano)?;
        assert_eq!(Some(start / 1000), span.start_time.timestamp_nanos_opt().map(|n| n / 1000), "{}", span.name);
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_protobuf_export_matches_the_persisted_spans() -> anyhow::Result<()> {
    let receiver = HttpReceiver::start().await?;
    let (persisted, pipeline, _) = run_samples(otlp(OtlpProtocol::HttpProtobuf, receiver.endpoint())).await?;
    assert!(persisted.len() > 30, "{} spans", persisted.len());
    assert_same_spans(&persisted, &receiver.received)?;
    let stats = pipeline.stats();
    assert_eq!(stats.otlp.exported, persisted.len() as u64);
    assert_eq!((stats.otlp.failed, stats.otlp.dropped, stats.intake_dropped), (0, 0, 0));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_export_matches_the_persisted_spans() -> anyhow::Result<()> {
    let receiver = GrpcReceiver::start().await?;
    let (persisted, pipeline, _) = run_samples(otlp(OtlpProtocol::Grpc, receiver.endpoint())).await?;
    assert_same_spans(&persisted, &receiver.received)?;
    assert_eq!(pipeline.stats().otlp.exported, persisted.len() as u64);
    Ok(())
}

#[tokio::test]
async fn the_console_exporter_gets_every_sampled_span() -> anyhow::Result<()> {
    let config = TracingConfig { exporter: ExporterKind::Console, ..TracingConfig::default() };
    let sink = MemorySink::default();
    let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink.clone())).build()?;
    pipeline.wrap(Engine::default()).run(&samples::summarize(), &RunRequest::new("exec-console")).await;
    pipeline.shutdown().await?;
    let stats = pipeline.stats();
    assert_eq!(stats.console.exported, 5);
    assert_eq!(stats.persistence.exported, sink.records().len() as u64);
    Ok(())
}

/// A loopback port with nothing listening.
async fn closed_port() -> anyhow::Result<u16> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    Ok(listener.local_addr()?.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collector_down_runs_complete_and_every_span_is_persisted() -> anyhow::Result<()> {
    for protocol in [OtlpProtocol::HttpProtobuf, OtlpProtocol::Grpc] {
        let endpoint = format!("http://127.0.0.1:{}", closed_port().await?);
        let (persisted, pipeline, runs) = run_samples(otlp(protocol, endpoint)).await?;
        let roots = persisted.iter().filter(|r| r.span.parent_span_id.is_none()).count();
        assert_eq!(roots, runs, "{protocol:?}: every run is stored");
        let stats = pipeline.stats();
        assert_eq!(stats.persistence.exported, persisted.len() as u64, "{protocol:?}");
        assert_eq!((stats.persistence.failed, stats.persistence.dropped), (0, 0), "{protocol:?}");
        assert_eq!(stats.otlp.exported, 0, "{protocol:?}");
        assert_eq!(stats.otlp.failed + stats.otlp.dropped, persisted.len() as u64, "{protocol:?}: all accounted for");
    }
    Ok(())
}

/// A collector that accepts connections and never answers (a black hole, as a wedged collector or a firewall that
/// drops packets looks to the exporter), held open until the returned task is dropped.
async fn silent_collector() -> anyhow::Result<(u16, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let port = listener.local_addr()?.port();
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    Ok((port, task))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collector_that_never_answers_holds_up_no_run() -> anyhow::Result<()> {
    for protocol in [OtlpProtocol::HttpProtobuf, OtlpProtocol::Grpc] {
        let (port, collector) = silent_collector().await?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let short = |builder: TracingPipelineBuilder| builder.with_export_timeout(Duration::from_millis(300));
        let (persisted, pipeline, runs) = run_samples_with(otlp(protocol, endpoint), short).await?;
        collector.abort();
        let roots = persisted.iter().filter(|r| r.span.parent_span_id.is_none()).count();
        assert_eq!(roots, runs, "{protocol:?}: every run is stored");
        let stats = pipeline.stats();
        assert_eq!(stats.persistence.exported, persisted.len() as u64, "{protocol:?}");
        assert_eq!((stats.persistence.failed, stats.persistence.dropped, stats.intake_dropped), (0, 0, 0));
        assert_eq!(stats.otlp.exported, 0, "{protocol:?}: nothing was acknowledged");
        assert_eq!(stats.otlp.failed + stats.otlp.dropped, persisted.len() as u64, "{protocol:?}: all accounted for");
    }
    Ok(())
}

/// A store that accepts nothing until it is opened: the export thread waits, the engine must not.
#[derive(Debug, Clone)]
struct GatedSink {
    gate: Arc<tokio::sync::Semaphore>,
    inner: MemorySink,
}

impl SpanSink for GatedSink {
    fn store(&self, spans: Vec<SpanRecord>) -> BoxFuture<'static, Result<(), SinkError>> {
        let gate = Arc::clone(&self.gate);
        let inner = self.inner.clone();
        Box::pin(async move {
            let _permit = gate.acquire().await.map_err(|e| SinkError::Unavailable(e.to_string()))?;
            inner.store(spans).await
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_queues_drop_and_count_instead_of_blocking_the_run() -> anyhow::Result<()> {
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let sink = GatedSink { gate: Arc::clone(&gate), inner: MemorySink::default() };
    let small = BatchSettings { max_queue_size: 8, max_batch_size: 4, ..BatchSettings::default() };
    let pipeline = TracingPipeline::builder(TracingConfig::default())
        .with_sink(Arc::new(sink.clone()))
        .with_batch_settings(small)
        .build()?;
    // The store is closed for the whole run: the run finishes anyway.
    let outcome = pipeline.wrap(Engine::default()).run(&samples::generated(500), &RunRequest::new("exec-full")).await;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    gate.add_permits(1_000_000);
    pipeline.shutdown().await?;
    let stats = pipeline.stats();
    let stored = sink.inner.records().len() as u64;
    assert!(stats.intake_dropped + stats.persistence.dropped > 0, "{stats:?}");
    assert_eq!(stats.persistence.exported, stored);
    assert_eq!(stored + stats.intake_dropped + stats.persistence.dropped, 501, "every span is stored or counted");
    Ok(())
}

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
