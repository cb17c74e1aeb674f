//! OTLP export over http/protobuf and gRPC to real receivers on loopback, checked span by span against what the
//! persistence exporter stored; runs with the collector down or silent; bounded queues. (The export counters:
//! `export_metrics.rs`.)

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::otlp_runs::{closed_port, otlp, run_samples, run_samples_with};
use common::receivers::{GrpcReceiver, HttpReceiver, Received};
use engine_instrumentation::config::{ExporterKind, OtlpProtocol};
use engine_instrumentation::export::BatchSettings;
use engine_instrumentation::{
    MemorySink, RunOutcome, RunRequest, SinkError, SpanRecord, SpanSink, TracingConfig, TracingPipeline,
    TracingPipelineBuilder,
};
use futures_util::future::BoxFuture;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind as OtlpKind;
use opentelemetry_proto::tonic::trace::v1::status::StatusCode as OtlpStatus;
use reference_engine::{Engine, samples};
use serde_json::{Value as Json, json};
use trace_model::StatusCode;

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
