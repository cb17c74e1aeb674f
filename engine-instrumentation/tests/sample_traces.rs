//! The span trees the sample workflows produce, through the real SDK pipeline into a sink.

use std::collections::HashMap;
use std::sync::Arc;

use engine_instrumentation::redact::Redactor;
use engine_instrumentation::{Engine, MemorySink, RunOutcome, SpanRecord, TracingPipeline, samples};
use trace_model::{SpanKind, StatusCode, TokenUsage};

async fn run(workflow: &engine_instrumentation::Workflow) -> (RunOutcome, Vec<SpanRecord>) {
    let sink = MemorySink::default();
    let pipeline = TracingPipeline::with_sink(Arc::new(sink.clone()), "test", Redactor::default());
    let outcome = Engine.run(workflow, "exec-1", pipeline.tracer().as_ref()).await;
    pipeline.shutdown().await.map_err(|e| e.to_string()).unwrap_or_else(|e| panic!("{e}"));
    (outcome, sink.records())
}

fn by_name(records: &[SpanRecord]) -> HashMap<&str, &SpanRecord> {
    records.iter().map(|r| (r.span.name.as_str(), r)).collect()
}

#[tokio::test]
async fn summarize_workflow_has_root_nodes_and_llm_child() {
    let (outcome, records) = run(&samples::summarize()).await;
    assert!(matches!(outcome, RunOutcome::Completed { .. }));
    assert_eq!(records.len(), 5, "root + 3 nodes + 1 LLM call");
    let spans = by_name(&records);
    let root = spans["workflow summarize-report"];
    let summarize = spans["node summarize"];
    let llm = spans["chat local-mini"];

    assert!(records.iter().all(|r| r.execution_id == "exec-1" && r.trace_id == root.trace_id));
    assert!(records.iter().all(|r| r.workflow_id.as_deref() == Some("summarize-report")));
    assert_eq!(root.span.parent_span_id, None);
    assert_eq!(root.span.kind, SpanKind::Workflow);
    assert_eq!(root.span.status.code, StatusCode::Ok);
    for node in ["node fetch_report", "node summarize", "node publish"] {
        assert_eq!(spans[node].span.parent_span_id.as_ref(), Some(&root.span.span_id), "{node}");
        assert_eq!(spans[node].span.kind, SpanKind::Node);
        assert_eq!(spans[node].span.attributes["orcheo.node.attempt"], 1);
    }
    assert_eq!(llm.span.parent_span_id.as_ref(), Some(&summarize.span.span_id));
    assert_eq!(llm.span.kind, SpanKind::Llm);
    assert_eq!(llm.span.attributes["gen_ai.operation.name"], "chat");
    assert_eq!(llm.span.attributes["gen_ai.request.model"], "local-mini");
    let tokens = llm.span.token_usage.unwrap_or_default();
    assert!(tokens.input > 20 && tokens.output > 5, "{tokens:?}");
    assert_eq!(tokens, TokenUsage::new(tokens.input, tokens.output));
    assert!(llm.span.start_time >= summarize.span.start_time && llm.span.end_time <= summarize.span.end_time);
    assert!(llm.span.duration_ms.unwrap_or_default() >= 15.0);
}

#[tokio::test]
async fn prompt_preview_is_redacted_everywhere() {
    let (_, records) = run(&samples::summarize()).await;
    let all = serde_json::to_string(&records.iter().map(|r| &r.span).collect::<Vec<_>>()).unwrap_or_default();
    assert!(all.contains("Summarize the quarterly report"), "the preview is there");
    assert!(!all.contains(samples::FAKE_API_KEY), "API key leaked");
    assert!(!all.contains("ops@example.com"), "email leaked");
    assert!(all.contains("[REDACTED:api_key]") && all.contains("[REDACTED:email]"));
}

#[tokio::test]
async fn failing_workflow_records_the_exception_and_stops() {
    let (outcome, records) = run(&samples::failing()).await;
    assert!(matches!(&outcome, RunOutcome::Failed { node_id, .. } if node_id == "push_to_crm"));
    let spans = by_name(&records);
    assert!(!spans.contains_key("node notify"), "nodes after the failure do not run");
    let failed = &spans["node push_to_crm"].span;
    assert_eq!(failed.status.code, StatusCode::Error);
    assert!(failed.status.message.as_deref().unwrap_or_default().contains("429"));
    let exception = failed.events.iter().find(|e| e.name == "exception");
    assert_eq!(exception.map(|e| &e.attributes["exception.type"]), Some(&serde_json::json!("NodeExecutionError")));
    let root = &spans["workflow sync-crm"].span;
    assert_eq!(root.status.code, StatusCode::Error);
    assert_eq!(root.attributes["orcheo.execution.status"], "error");
}
