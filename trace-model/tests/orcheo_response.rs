//! Reads a trace response shaped like the Orcheo Canvas' existing one and checks every field it relies on.

use trace_model::{SpanKind, SpanTree, StatusCode, TraceResponse, visible_rows};

const BODY: &str = r#"{
  "execution": {
    "id": "exec-42", "workflow_id": "wf-1", "status": "completed",
    "started_at": "2026-11-21T10:00:00.000000Z", "finished_at": "2026-11-21T10:00:02.500000Z",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "root_span_id": "00f067aa0ba902b7",
    "token_usage": {"input": 120, "output": 45, "total": 165},
    "span_count": 3, "error_count": 1, "artifact_count": 0
  },
  "spans": [
    {"span_id": "00f067aa0ba902b7", "name": "workflow wf-1", "kind": "workflow",
     "start_time": "2026-11-21T10:00:00.000000Z", "end_time": "2026-11-21T10:00:02.500000Z",
     "duration_ms": 2500.0, "status": {"code": "OK"}, "attributes": {"orcheo.execution.id": "exec-42"},
     "events": [], "links": []},
    {"span_id": "a1a1a1a1a1a1a1a1", "parent_span_id": "00f067aa0ba902b7", "name": "node summarize",
     "start_time": "2026-11-21T10:00:00.100000Z", "end_time": "2026-11-21T10:00:02.000000Z",
     "status": {"code": "ERROR", "message": "rate limited"},
     "attributes": {"orcheo.node.id": "summarize"},
     "events": [{"name": "exception", "time": "2026-11-21T10:00:01.900000Z",
                 "attributes": {"exception.type": "RateLimit", "exception.message": "429"}}]},
    {"span_id": "b2b2b2b2b2b2b2b2", "parent_span_id": "a1a1a1a1a1a1a1a1", "name": "chat gpt-4o-mini",
     "kind": "a-kind-from-the-future",
     "start_time": "2026-11-21T10:00:00.200000Z", "end_time": "2026-11-21T10:00:01.800000Z",
     "status": {"code": "UNSET"}, "attributes": {"gen_ai.usage.input_tokens": 120, "gen_ai.usage.output_tokens": 45},
     "token_usage": {"input": 120, "output": 45, "total": 165}, "artifacts": []}
  ],
  "page_info": {"has_next_page": false, "total_spans": 3}
}"#;

#[test]
fn parses_an_orcheo_shaped_response() -> Result<(), serde_json::Error> {
    let trace: TraceResponse = serde_json::from_str(BODY)?;
    assert_eq!(trace.execution.id, "exec-42");
    assert_eq!(trace.execution.token_usage.total, 165);
    assert_eq!(trace.execution.root_span_id.as_deref(), Some("00f067aa0ba902b7"));
    assert!(!trace.page_info.has_next_page);
    assert_eq!(trace.page_info.total_spans, 3);

    let [root, node, llm] = &trace.spans[..] else { panic!("expected three spans") };
    assert_eq!(root.kind, SpanKind::Workflow);
    assert_eq!(root.parent_span_id, None);
    assert_eq!(root.measured_duration_ms(), Some(2500.0));
    assert_eq!(node.kind, SpanKind::Other, "an absent kind defaults");
    assert_eq!(node.status.code, StatusCode::Error);
    assert_eq!(node.status.message.as_deref(), Some("rate limited"));
    assert_eq!(node.events[0].attributes["exception.type"], "RateLimit");
    assert_eq!(llm.kind, SpanKind::Other, "an unknown kind is read as other");
    assert_eq!(llm.token_usage.map(|t| t.output), Some(45));

    let tree = SpanTree::build(&trace.spans);
    let rows = visible_rows(&tree, |_| false);
    assert_eq!(rows.iter().map(|r| r.depth).collect::<Vec<_>>(), [0, 1, 2]);
    Ok(())
}

#[test]
fn round_trips_with_microsecond_timestamps() -> Result<(), serde_json::Error> {
    let trace: TraceResponse = serde_json::from_str(BODY)?;
    let json = serde_json::to_value(&trace)?;
    assert_eq!(json["spans"][1]["start_time"], "2026-11-21T10:00:00.100000Z");
    assert_eq!(json["spans"][0]["status"]["code"], "OK");
    assert!(json["spans"][0].get("parent_span_id").is_none());
    let again: TraceResponse = serde_json::from_value(json)?;
    assert_eq!(again, trace);
    Ok(())
}
