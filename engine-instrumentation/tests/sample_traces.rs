//! The span tree of every sample workflow, through the real pipeline into a sink: names, parents, kinds,
//! attributes, statuses.

mod common;

use common::{Spans, attr, is_child_of, run, run_with};
use engine_instrumentation::{RunOutcome, RunRequest, TracingConfig, Trigger};
use reference_engine::samples::{self, LoopbackServer};
use serde_json::json;
use trace_model::{SpanKind, StatusCode};

#[tokio::test]
async fn summarize_has_root_nodes_and_an_llm_child_with_genai_attributes() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::summarize(), "exec-1").await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    assert_eq!(records.len(), 5, "root + 3 nodes + 1 LLM call");
    let spans = Spans::new(&records);
    let root = spans.one("workflow summarize-report")?;
    let summarize = spans.one("node summarize")?;
    let llm = spans.one("chat local-mini")?;

    assert!(records.iter().all(|r| r.execution_id.as_deref() == Some("exec-1") && r.trace_id == root.trace_id));
    assert!(records.iter().all(|r| r.workflow_id.as_deref() == Some("summarize-report")));
    assert_eq!(root.span.parent_span_id, None);
    assert_eq!(root.span.kind, SpanKind::Workflow);
    assert_eq!(root.span.status.code, StatusCode::Ok);
    assert_eq!(attr(root, "orcheo.execution.trigger")?, "manual");
    assert_eq!(attr(root, "orcheo.execution.status")?, "completed");
    for name in ["node fetch_report", "node summarize", "node publish"] {
        let node = spans.one(name)?;
        assert!(is_child_of(node, root), "{name}");
        assert_eq!(node.span.kind, SpanKind::Node);
        assert_eq!(node.span.status.code, StatusCode::Ok);
        assert_eq!(attr(node, "orcheo.node.attempt")?, 1);
    }
    assert!(is_child_of(llm, summarize));
    assert_eq!(llm.span.kind, SpanKind::Llm);
    for (key, value) in [
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "orcheo.local"),
        ("gen_ai.request.model", "local-mini"),
        ("gen_ai.response.model", "local-mini"),
    ] {
        assert_eq!(attr(llm, key)?, value, "{key}");
    }
    let tokens = llm.span.token_usage.unwrap_or_default();
    assert!(tokens.input > 20 && tokens.output > 5, "{tokens:?}");
    assert_eq!(attr(llm, "gen_ai.usage.input_tokens")?, tokens.input);
    let input: serde_json::Value = serde_json::from_str(attr(llm, "gen_ai.input.messages")?.as_str().unwrap_or(""))?;
    assert_eq!(input[0]["role"], "system");
    assert_eq!(input[1]["parts"][0]["type"], "text");
    let output: serde_json::Value = serde_json::from_str(attr(llm, "gen_ai.output.messages")?.as_str().unwrap_or(""))?;
    assert_eq!(output[0]["finish_reason"], "stop");
    assert!(llm.span.start_time >= summarize.span.start_time && llm.span.end_time <= summarize.span.end_time);
    assert!(llm.span.duration_ms.unwrap_or_default() >= 15.0);
    Ok(())
}

#[tokio::test]
async fn retry_records_each_attempt_as_its_own_span() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::retry(), "exec-retry").await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    let spans = Spans::new(&records);
    let root = spans.one("workflow enrich-leads")?;
    let mut attempts = spans.all("node enrich");
    attempts.sort_by_key(|r| r.span.start_time);
    let numbers: Vec<_> = attempts.iter().map(|r| r.span.attributes["orcheo.node.attempt"].clone()).collect();
    assert_eq!(numbers, [json!(1), json!(2), json!(3)]);
    let statuses: Vec<_> = attempts.iter().map(|r| r.span.status.code).collect();
    assert_eq!(statuses, [StatusCode::Error, StatusCode::Error, StatusCode::Ok]);
    for failed in &attempts[..2] {
        assert!(is_child_of(failed, root));
        let exception = failed.span.events.iter().find(|e| e.name == "exception");
        assert_eq!(exception.map(|e| &e.attributes["exception.type"]), Some(&json!("TransientError")));
    }
    assert!(attempts[0].span.end_time <= Some(attempts[1].span.start_time), "attempts run one after the other");
    assert_eq!(root.span.status.code, StatusCode::Ok);
    Ok(())
}

#[tokio::test]
async fn failing_workflow_records_the_exception_with_stack_and_stops() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::failing(), "exec-fail").await?;
    anyhow::ensure!(matches!(&outcome, RunOutcome::Failed { node_id, .. } if node_id == "push_to_crm"), "{outcome:?}");
    let spans = Spans::new(&records);
    assert!(spans.all("node notify").is_empty(), "nodes after the failure do not run");
    let failed = spans.one("node push_to_crm")?;
    assert_eq!(failed.span.status.code, StatusCode::Error);
    assert!(failed.span.status.message.as_deref().unwrap_or_default().contains("429"));
    let exception =
        failed.span.events.iter().find(|e| e.name == "exception").ok_or_else(|| anyhow::anyhow!("no event"))?;
    assert_eq!(exception.attributes["exception.type"], "NodeExecutionError");
    assert!(exception.attributes["exception.message"].as_str().unwrap_or_default().contains("429"));
    let stack = exception.attributes["exception.stacktrace"].as_str().unwrap_or_default();
    assert!(stack.lines().count() > 1, "a real stack: {stack}");
    let root = spans.one("workflow sync-crm")?;
    assert_eq!(root.span.status.code, StatusCode::Error);
    assert_eq!(attr(root, "orcheo.execution.status")?, "error");
    assert_eq!(attr(root, "orcheo.execution.failed_node")?, "push_to_crm");
    Ok(())
}

#[tokio::test]
async fn a_timeout_cancels_the_run_and_the_running_node() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::cancelled(), "exec-cancel").await?;
    assert_eq!(outcome, RunOutcome::Cancelled { reason: "timeout".to_owned() });
    let spans = Spans::new(&records);
    let root = spans.one("workflow nightly-export")?;
    let export = spans.one("node export")?;
    assert!(spans.all("node notify").is_empty());
    assert_eq!(attr(root, "orcheo.execution.status")?, "cancelled");
    assert_eq!(attr(export, "orcheo.node.status")?, "cancelled");
    for span in [root, export] {
        assert_ne!(span.span.status.code, StatusCode::Error, "cancelled is not a failure");
        assert!(
            span.span
                .events
                .iter()
                .any(|e| e.name == "orcheo.cancelled" && e.attributes["orcheo.cancel.reason"] == "timeout")
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_caller_can_cancel_a_run() -> anyhow::Result<()> {
    let request = RunRequest::new("exec-user-cancel").with_trigger(Trigger::Webhook);
    let cancel = request.cancel.clone();
    let workflow = reference_engine::Workflow::new(
        "wait-for-approval",
        vec![reference_engine::Step::Node(reference_engine::NodeSpec::new(
            "wait",
            reference_engine::NodeAction::Task { duration: std::time::Duration::from_secs(30) },
        ))],
    );
    let (outcome, records) = tokio::join!(run_with(TracingConfig::default(), &workflow, request), async {
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        cancel.cancel("rejected by reviewer");
    })
    .0?;
    assert_eq!(outcome, RunOutcome::Cancelled { reason: "rejected by reviewer".to_owned() });
    let spans = Spans::new(&records);
    let root = spans.one("workflow wait-for-approval")?;
    assert_eq!(attr(root, "orcheo.execution.trigger")?, "webhook");
    assert_eq!(attr(spans.one("node wait")?, "orcheo.cancel.reason")?, "rejected by reviewer");
    Ok(())
}

#[tokio::test]
async fn fan_out_branches_run_concurrently_under_the_root() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::fan_out(), "exec-fan").await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    let spans = Spans::new(&records);
    let root = spans.one("workflow market-scan")?;
    let branches = ["node scan_news", "node scan_prices", "node scan_filings"].map(|n| spans.one(n));
    let branches = branches.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    let latest_start = branches.iter().map(|b| b.span.start_time).max();
    let earliest_end = branches.iter().filter_map(|b| b.span.end_time).min();
    assert!(latest_start < earliest_end, "every branch started before any finished");
    assert!(branches.iter().all(|b| is_child_of(b, root)));
    let merge = spans.one("node merge")?;
    assert!(branches.iter().all(|b| b.span.end_time <= Some(merge.span.start_time)));
    assert!(is_child_of(spans.one("chat local-mini")?, spans.one("node scan_filings")?));
    Ok(())
}

#[tokio::test]
async fn llm_chain_has_one_genai_span_per_step_with_tokenizer_counts() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::llm_chain(), "exec-chain").await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    let spans = Spans::new(&records);
    let calls = spans.all("chat local-mini");
    assert_eq!(calls.len(), 3);
    for step in ["outline", "draft", "critique"] {
        let node = spans.one(&format!("node {step}"))?;
        let call = calls.iter().find(|c| is_child_of(c, node)).ok_or_else(|| anyhow::anyhow!("no call in {step}"))?;
        let preview = attr(call, "orcheo.response.preview")?.as_str().unwrap_or_default();
        let tokens = call.span.token_usage.unwrap_or_default();
        assert_eq!(tokens.output, reference_engine::model::count_tokens(preview), "{step}");
        assert!(tokens.input > 0, "{step}");
    }
    Ok(())
}

#[tokio::test]
async fn http_node_makes_a_client_span_and_propagates_traceparent() -> anyhow::Result<()> {
    let server = LoopbackServer::start().await?;
    let url = server.url("/inventory?sku=A-1");
    let (outcome, records) = run(&samples::http_call(&url), "exec-http").await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    let spans = Spans::new(&records);
    let call = spans.one("GET")?;
    assert!(is_child_of(call, spans.one("node call_inventory")?));
    assert_eq!(call.span.kind, SpanKind::Http);
    assert_eq!(attr(call, "http.request.method")?, "GET");
    assert_eq!(attr(call, "url.full")?, url.as_str());
    assert_eq!(attr(call, "server.address")?, "127.0.0.1");
    assert_eq!(attr(call, "http.response.status_code")?, 200);
    let received = server.received();
    assert_eq!(received.len(), 1);
    let traceparent = received[0].traceparent.clone().unwrap_or_default();
    assert_eq!(
        traceparent,
        format!("00-{}-{}-01", call.trace_id, call.span.span_id),
        "the server sees the client span"
    );
    Ok(())
}

#[tokio::test]
async fn http_errors_mark_the_client_span_and_the_node() -> anyhow::Result<()> {
    let server = LoopbackServer::start().await?;
    let (outcome, records) = run(&samples::http_call(&server.url("/fail")), "exec-http-fail").await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Failed { .. }), "{outcome:?}");
    let spans = Spans::new(&records);
    let call = spans.one("GET")?;
    assert_eq!(call.span.status.code, StatusCode::Error);
    assert_eq!(attr(call, "error.type")?, "503");
    assert_eq!(spans.one("node call_inventory")?.span.status.code, StatusCode::Error);
    Ok(())
}

#[tokio::test]
async fn artifact_write_links_the_artifact_by_id() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::artifact(), "exec-art").await?;
    let RunOutcome::Completed { output: artifact_id } = outcome else { anyhow::bail!("{outcome:?}") };
    let spans = Spans::new(&records);
    let node = spans.one("node save_report")?;
    let storage = spans.one("storage put weekly-report.md")?;
    assert!(is_child_of(storage, node));
    assert_eq!(storage.span.kind, SpanKind::Storage);
    assert_eq!(attr(node, "orcheo.artifact.ids")?, &json!([artifact_id]));
    assert_eq!(storage.span.artifacts.len(), 1);
    let artifact = &storage.span.artifacts[0];
    assert_eq!((artifact.id.as_str(), artifact.name.as_str()), (artifact_id.as_str(), "weekly-report.md"));
    assert_eq!(artifact.content_type, "text/markdown");
    assert!(artifact.size_bytes > 20);
    assert_eq!(artifact.download_url, "", "where the bytes are served is the API's to say");
    assert!(node.span.artifacts.is_empty(), "each artifact is listed once, on the span that wrote it");
    Ok(())
}

#[tokio::test]
async fn generated_workflow_has_one_span_per_node() -> anyhow::Result<()> {
    let (outcome, records) = run(&samples::generated(300), "exec-gen").await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    assert_eq!(records.len(), 301);
    let spans = Spans::new(&records);
    let root = spans.one("workflow generated-300")?;
    assert!(records.iter().filter(|r| r.span.kind == SpanKind::Node).all(|r| is_child_of(r, root)));
    Ok(())
}

#[tokio::test]
async fn scheduled_trigger_is_on_the_root() -> anyhow::Result<()> {
    let request = RunRequest::new("exec-cron").with_trigger(Trigger::Scheduled);
    let (_, records) = run_with(TracingConfig::default(), &samples::generated(1), request).await?;
    assert_eq!(attr(Spans::new(&records).one("workflow generated-1")?, "orcheo.execution.trigger")?, "scheduled");
    Ok(())
}

#[tokio::test]
async fn a_runs_thread_is_on_the_root_and_what_the_store_reads() -> anyhow::Result<()> {
    let request = RunRequest::new("exec-turn-2").with_thread("support-42");
    let (_, records) = run_with(TracingConfig::default(), &samples::generated(1), request).await?;
    let root = Spans::new(&records).one("workflow generated-1")?;
    assert_eq!(attr(root, "orcheo.execution.thread_id")?, "support-42");
    assert_eq!(trace_model::conventions::thread_id(&root.span), Some("support-42"));
    // Only the root carries it; a run without a thread carries none.
    assert!(
        records
            .iter()
            .filter(|r| r.span.parent_span_id.is_some())
            .all(|r| !r.span.attributes.contains_key("orcheo.execution.thread_id"))
    );
    let (_, plain) = run_with(TracingConfig::default(), &samples::generated(1), RunRequest::new("exec-alone")).await?;
    assert!(plain.iter().all(|r| trace_model::conventions::thread_id(&r.span).is_none()));
    Ok(())
}

#[tokio::test]
async fn a_run_its_caller_drops_still_closes_every_span() -> anyhow::Result<()> {
    let sink = engine_instrumentation::MemorySink::default();
    let pipeline = engine_instrumentation::TracingPipeline::with_sink(std::sync::Arc::new(sink.clone()))?;
    let engine = pipeline.wrap(reference_engine::Engine::default());
    let workflow = samples::cancelled().with_timeout(std::time::Duration::from_secs(60));
    let request = RunRequest::new("exec-dropped");
    let gave_up = tokio::time::timeout(std::time::Duration::from_millis(50), engine.run(&workflow, &request)).await;
    assert!(gave_up.is_err(), "the caller stopped waiting");
    pipeline.shutdown().await?;
    assert_eq!(pipeline.tracer().map(|t| t.open_spans()), Some(0));
    let records = sink.records();
    let spans = Spans::new(&records);
    assert_eq!(attr(spans.one("workflow nightly-export")?, "orcheo.execution.status")?, "cancelled");
    // Whichever node was running when the caller gave up ends cancelled; none is left open.
    let cancelled: Vec<_> = records
        .iter()
        .filter(|r| {
            r.span.kind == SpanKind::Node && r.span.attributes.get("orcheo.node.status") == Some(&json!("cancelled"))
        })
        .collect();
    assert_eq!(cancelled.len(), 1, "{records:?}");
    assert_eq!(attr(cancelled[0], "orcheo.cancel.reason")?, "run dropped by its caller");
    Ok(())
}
