//! Tracing overhead: the cost on the engine's thread of a node span and of an LLM span with the export pipeline
//! running (persistence queue to a sink that keeps nothing), as wall-clock time and as that thread's CPU time; the
//! whole CPU cost of those spans on every thread of the process until they are exported; a node span with its input
//! and output state; the redaction stage's cost per span on its own thread; and a 10k-node workflow traced (with and
//! without node state) vs untraced.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use engine_instrumentation::calls::{CallResult, CallStart, LlmRequest, LlmResponse, Message};
use engine_instrumentation::hooks::{NodeInfo, NodeResult, RunInfo};
use engine_instrumentation::redact::Redactor;
use engine_instrumentation::redact::span::SpanRedactor;
use engine_instrumentation::{
    ExecutionObserver, NoopObserver, RunRequest, SinkError, SpanRecord, SpanSink, TracingConfig, TracingPipeline,
    Trigger, WorkflowEngine,
};
use futures_util::future::BoxFuture;
use opentelemetry::trace::{SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use reference_engine::{Engine, samples};

/// A store that accepts and forgets: the bench measures tracing, not storage.
#[derive(Debug)]
struct Discard;

impl SpanSink for Discard {
    fn store(&self, _spans: Vec<SpanRecord>) -> BoxFuture<'static, Result<(), SinkError>> {
        Box::pin(async { Ok(()) })
    }
}

/// Spans timed between flushes; below the intake queue's size, so that nothing is dropped while timing.
const CHUNK: u64 = 2048;

fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => panic!("tokio runtime: {e}"),
    }
}

fn pipeline(rt: &tokio::runtime::Runtime) -> TracingPipeline {
    let _entered = rt.enter();
    match TracingPipeline::with_sink(Arc::new(Discard)) {
        Ok(p) => p,
        Err(e) => panic!("pipeline: {e}"),
    }
}

/// Times `iters` calls of `one`, in chunks with a flush (untimed) between them.
fn timed_in_chunks(
    rt: &tokio::runtime::Runtime,
    pipeline: &TracingPipeline,
    iters: u64,
    mut one: impl FnMut(u64),
) -> Duration {
    let mut total = Duration::ZERO;
    let mut done = 0;
    while done < iters {
        let n = CHUNK.min(iters - done);
        let start = Instant::now();
        for i in done..done + n {
            one(i);
        }
        total += start.elapsed();
        done += n;
        if let Err(e) = rt.block_on(pipeline.flush()) {
            panic!("flush: {e}");
        }
    }
    total
}

/// CPU time used so far by every live thread of this process (the engine's and the export threads), from
/// `/proc/self/task/*/schedstat` (nanoseconds on CPU).
fn process_cpu() -> Option<Duration> {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let Ok(task) = task else { continue };
        // A thread that ended between listing and reading no longer counts; the export threads never end here.
        let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) else { continue };
        total += schedstat_runtime(&stat)?;
    }
    Some(total)
}

/// CPU time used so far by the calling thread: the engine's, in these benches.
fn thread_cpu() -> Option<Duration> {
    schedstat_runtime(&std::fs::read_to_string("/proc/thread-self/schedstat").ok()?)
}

fn schedstat_runtime(stat: &str) -> Option<Duration> {
    Some(Duration::from_nanos(stat.split_whitespace().next()?.parse().ok()?))
}

/// The CPU time that `clock` counts over `iters` calls of `one`, until every span they made has been exported (the
/// flushes included). A thread's count is brought up to date when it sleeps: flushing before each reading leaves
/// every thread of the pipeline idle and its count exact when read. Unlike wall-clock time, this does not count
/// the time a thread waits for a core that other processes hold.
fn cpu_in_chunks(
    rt: &tokio::runtime::Runtime,
    pipeline: &TracingPipeline,
    clock: fn() -> Option<Duration>,
    iters: u64,
    mut one: impl FnMut(u64),
) -> Duration {
    let flush = || {
        if let Err(e) = rt.block_on(pipeline.flush()) {
            panic!("flush: {e}");
        }
    };
    let read = || clock().expect("/proc/*/schedstat is needed for the CPU benches");
    flush();
    let before = read();
    let mut done = 0;
    while done < iters {
        let n = CHUNK.min(iters - done);
        for i in done..done + n {
            one(i);
        }
        done += n;
        flush();
    }
    read().saturating_sub(before)
}

fn run_info() -> RunInfo {
    RunInfo {
        execution_id: Arc::from("bench-exec"),
        workflow_id: Arc::from("bench-workflow"),
        trigger: Trigger::Manual,
        thread_id: None,
    }
}

fn spans(c: &mut Criterion) {
    let rt = runtime();
    let pipeline = pipeline(&rt);
    let Some(tracer) = pipeline.tracer() else { panic!("tracing is on by default") };
    let run = run_info();
    tracer.execution_started(&run);
    let node_id: Arc<str> = Arc::from("summarize");

    let node_span = |i: u64| {
        let node = NodeInfo { node_id: Arc::clone(&node_id), node_kind: "task", attempt: 1 + (i % 3) as u32 };
        tracer.node_started(&run, &node);
        tracer.node_finished(&run, &node, &NodeResult::Succeeded);
    };
    c.bench_function("tracer/node_span", |b| b.iter_custom(|iters| timed_in_chunks(&rt, &pipeline, iters, node_span)));
    c.bench_function("cpu_engine_thread/node_span", |b| {
        b.iter_custom(|iters| cpu_in_chunks(&rt, &pipeline, thread_cpu, iters, node_span))
    });
    c.bench_function("cpu_total/node_span", |b| {
        b.iter_custom(|iters| cpu_in_chunks(&rt, &pipeline, process_cpu, iters, node_span))
    });

    // The state of the reference engine's run 100 nodes in: the run's input and each node's result, of which the
    // span keeps the first 64 (`engine_instrumentation::state`).
    let results: serde_json::Map<String, serde_json::Value> =
        (0..100).map(|i| (format!("step_{i:07}"), serde_json::json!(format!("step_{i:07} done")))).collect();
    let state = serde_json::json!({"input": "the run's input", "results": results});
    let node_span_with_state = |i: u64| {
        let node = NodeInfo { node_id: Arc::clone(&node_id), node_kind: "task", attempt: 1 + (i % 3) as u32 };
        tracer.node_started(&run, &node);
        tracer.node_input(&run, &node, &state);
        tracer.node_output(&run, &node, &state);
        tracer.node_finished(&run, &node, &NodeResult::Succeeded);
    };
    c.bench_function("tracer/node_span_with_state", |b| {
        b.iter_custom(|iters| timed_in_chunks(&rt, &pipeline, iters, node_span_with_state))
    });
    c.bench_function("cpu_engine_thread/node_span_with_state", |b| {
        b.iter_custom(|iters| cpu_in_chunks(&rt, &pipeline, thread_cpu, iters, node_span_with_state))
    });

    let node = NodeInfo { node_id: Arc::clone(&node_id), node_kind: "llm", attempt: 1 };
    tracer.node_started(&run, &node);
    let request = CallStart::Llm(LlmRequest {
        operation: "chat".to_owned(),
        provider: "orcheo.local".to_owned(),
        model: "local-mini".to_owned(),
        messages: vec![
            Message::new("system", "You are a helpful analyst."),
            Message::new(
                "user",
                "Summarize the quarterly report: revenue grew in every region while costs stayed flat.",
            ),
        ],
    });
    let response = CallResult::Llm(LlmResponse {
        id: "local-1".to_owned(),
        model: "local-mini".to_owned(),
        message: Message::new("assistant", "Summary (14 words in): Summarize the quarterly report: revenue grew"),
        finish_reason: "stop".to_owned(),
        input_tokens: 31,
        output_tokens: 14,
    });
    let llm_span = |_| {
        let handle = tracer.call_started(&run, &node, &request);
        tracer.call_finished(&run, &node, handle, &response);
    };
    c.bench_function("tracer/llm_span", |b| b.iter_custom(|iters| timed_in_chunks(&rt, &pipeline, iters, llm_span)));
    c.bench_function("cpu_engine_thread/llm_span", |b| {
        b.iter_custom(|iters| cpu_in_chunks(&rt, &pipeline, thread_cpu, iters, llm_span))
    });
    c.bench_function("cpu_total/llm_span", |b| {
        b.iter_custom(|iters| cpu_in_chunks(&rt, &pipeline, process_cpu, iters, llm_span))
    });
    tracer.node_finished(&run, &node, &NodeResult::Succeeded);
    tracer.execution_finished(&run, &engine_instrumentation::RunOutcome::Completed { output: String::new() });
    let stats = pipeline.stats();
    if stats.intake_dropped + stats.persistence.dropped > 0 {
        panic!("spans were dropped while timing: {stats:?}");
    }
    if let Err(e) = rt.block_on(pipeline.shutdown()) {
        panic!("shutdown: {e}");
    }
}

fn span_data(attributes: Vec<KeyValue>) -> SpanData {
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(1u128),
            SpanId::from(2u64),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::from(1u64),
        parent_span_is_remote: false,
        span_kind: SpanKind::Internal,
        name: "node summarize".into(),
        start_time: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_780_000_000),
        end_time: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_780_000_001),
        attributes,
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Ok,
        instrumentation_scope: Default::default(),
    }
}

fn redaction(c: &mut Criterion) {
    // The export thread's redactor, which remembers short strings (ids, names) across spans.
    let mut redactor = SpanRedactor::new(Redactor::default());
    let common = [
        KeyValue::new("orcheo.span.kind", "node"),
        KeyValue::new("orcheo.execution.id", "0b5f8c1e-3f7a-4d2b-9a41-7e2c5d9b1f03"),
        KeyValue::new("orcheo.workflow.id", "summarize-report"),
        KeyValue::new("orcheo.node.id", "summarize"),
    ];
    let node = span_data(
        [&common[..], &[KeyValue::new("orcheo.node.attempt", 1), KeyValue::new("orcheo.node.status", "succeeded")]]
            .concat(),
    );
    let messages = r#"[{"role":"system","parts":[{"type":"text","content":"You are a helpful analyst."}]},{"role":"user","parts":[{"type":"text","content":"Summarize the quarterly report for ops@example.com (api key sk-live-4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c): revenue grew."}]}]"#;
    let llm = span_data(
        [
            &common[..],
            &[
                KeyValue::new("gen_ai.operation.name", "chat"),
                KeyValue::new("gen_ai.request.model", "local-mini"),
                KeyValue::new("gen_ai.input.messages", messages),
                KeyValue::new(
                    "orcheo.prompt.preview",
                    "Summarize the quarterly report for ops@example.com: revenue grew.",
                ),
                KeyValue::new("gen_ai.usage.input_tokens", Value::I64(31)),
            ],
        ]
        .concat(),
    );
    c.bench_function("stage/redact_node_span", |b| {
        b.iter_batched_ref(
            || node.clone(),
            |span| redactor.redact_span(black_box(span)),
            criterion::BatchSize::SmallInput,
        )
    });
    c.bench_function("stage/redact_llm_span", |b| {
        b.iter_batched_ref(
            || llm.clone(),
            |span| redactor.redact_span(black_box(span)),
            criterion::BatchSize::SmallInput,
        )
    });
}

fn workflow(c: &mut Criterion) {
    let rt = runtime();
    let workflow = samples::generated(10_000);
    let engine = Engine::default();
    let mut group = c.benchmark_group("workflow_10k_nodes");
    group.sample_size(10);
    group.bench_function("untraced", |b| {
        b.iter(|| rt.block_on(engine.run(&workflow, &RunRequest::new("bench-untraced"), &NoopObserver)))
    });
    let pipeline = pipeline(&rt);
    let config = TracingConfig { capture_state: false, ..TracingConfig::default() };
    let without_state = {
        let _entered = rt.enter();
        match TracingPipeline::builder(config).with_sink(Arc::new(Discard)).build() {
            Ok(p) => p,
            Err(e) => panic!("pipeline: {e}"),
        }
    };
    for (name, pipeline) in [("traced", &pipeline), ("traced_without_state", &without_state)] {
        let traced = pipeline.wrap(engine.clone());
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    rt.block_on(traced.run(&workflow, &RunRequest::new("bench-traced")));
                    total += start.elapsed();
                    if let Err(e) = rt.block_on(pipeline.flush()) {
                        panic!("flush: {e}");
                    }
                }
                total
            })
        });
    }
    group.finish();
    eprintln!("workflow bench export counters: {:?}", pipeline.stats());
    eprintln!("workflow bench export counters, without state: {:?}", without_state.stats());
}

criterion_group!(benches, spans, redaction, workflow);
criterion_main!(benches);
