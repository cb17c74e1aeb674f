//! With open spans on, the trace store gets each span twice: when it starts (no end time, redacted like any span)
//! and when it ends; exporters to collectors get only ended spans.

use std::sync::Arc;

use engine_instrumentation::{MemorySink, RunRequest, TracingConfig, TracingPipeline};
use reference_engine::{Engine, samples};

#[tokio::test]
async fn every_span_is_persisted_open_then_ended() -> anyhow::Result<()> {
    let sink = MemorySink::default();
    let config = TracingConfig { service_name: "open-spans".to_owned(), ..TracingConfig::default() };
    let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink.clone())).with_open_spans().build()?;
    pipeline.wrap(Engine::default()).run(&samples::summarize(), &RunRequest::new("exec-open")).await;
    pipeline.shutdown().await?;
    let records = sink.records();
    let open: Vec<_> = records.iter().filter(|r| r.span.end_time.is_none()).collect();
    let ended: Vec<_> = records.iter().filter(|r| r.span.end_time.is_some()).collect();
    assert_eq!(ended.len(), 5, "root + 3 nodes + 1 LLM call");
    assert_eq!(open.len(), 5, "one open copy per span");
    for span in &ended {
        let first = records.iter().position(|r| r.span.span_id == span.span.span_id);
        let last = records.iter().rposition(|r| r.span.span_id == span.span.span_id);
        assert!(first < last, "{} arrives open before it arrives ended", span.span.name);
        let copy = open.iter().find(|r| r.span.span_id == span.span.span_id);
        assert_eq!(copy.map(|r| r.span.start_time), Some(span.span.start_time));
        assert_eq!(copy.map(|r| (r.span.duration_ms, r.span.status.code)), Some((None, Default::default())));
    }
    let root = open.iter().find(|r| r.span.parent_span_id.is_none());
    assert_eq!(root.map(|r| r.span.attributes["orcheo.execution.id"].clone()), Some(serde_json::json!("exec-open")));
    // The model call's open copy already has its name and request attributes; no internal value leaks.
    let llm = open.iter().find(|r| r.span.name == "chat local-mini");
    let request = llm
        .map(|r| (&r.span.attributes["gen_ai.request.model"], r.span.attributes.contains_key("gen_ai.input.messages")));
    assert_eq!(request, Some((&serde_json::json!("local-mini"), true)));
    let all = serde_json::to_string(&records.iter().map(|r| &r.span).collect::<Vec<_>>())?;
    assert!(!all.contains(samples::FAKE_API_KEY), "open copies are redacted too");
    assert!(!all.contains("orcheo.internal."), "no internal value leaves the export stage");
    Ok(())
}

#[tokio::test]
async fn without_the_option_only_ended_spans_are_persisted() -> anyhow::Result<()> {
    let sink = MemorySink::default();
    let config = TracingConfig { service_name: "ended-only".to_owned(), ..TracingConfig::default() };
    let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink.clone())).build()?;
    pipeline.wrap(Engine::default()).run(&samples::summarize(), &RunRequest::new("exec-ended")).await;
    pipeline.shutdown().await?;
    assert!(sink.records().iter().all(|r| r.span.end_time.is_some()));
    assert_eq!(sink.records().len(), 5);
    Ok(())
}
