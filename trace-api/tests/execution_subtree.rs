//! An execution is a subtree of its trace, on SQLite and on Postgres: a run shaped as the Orcheo engine sends it
//! (the execution id on its `workflow.execution` span only, under a request span) comes out as one listed run with
//! the complete tree and exact totals, whatever order and batches its spans arrive in.

mod common;

use common::{SpanSpec, TestApi, TestDb, on_each_backend};
use serde_json::Value;
use trace_api::store::WriteScope;
use trace_model::SpanRecord;
use trace_model::conventions;

const TRACE: &str = "0af7651916cd43dd8448eb211c80319c";

/// request (HTTP, no id) → exec (declares `run-1`, workspace `ws-a`) → two nodes → an LLM call; nothing but the
/// execution span carries the id.
fn orcheo_shaped() -> Vec<SpanRecord> {
    let span = |id, parent, start, end| {
        let mut record = SpanSpec::new("unused", id, parent, start, Some(end)).record();
        record.execution_id = None;
        record.workflow_id = None;
        record.trace_id = TRACE.to_owned();
        record.span.attributes.remove(conventions::SPAN_KIND);
        record
    };
    let mut request = span("request", None, 0, 1_000);
    request.span.name = "websocket /ws/workflow/wf".into();
    request.span.kind = trace_model::SpanKind::Http;
    let mut exec = span("exec", Some("request"), 10, 900);
    exec.execution_id = Some("run-1".into());
    exec.workflow_id = Some("wf".into());
    exec.workspace_id = Some("ws-a".into());
    exec.span.kind = trace_model::SpanKind::Workflow;
    let mut node_a = span("a", Some("exec"), 20, 300);
    node_a.span.kind = trace_model::SpanKind::Node;
    let mut node_b = span("b", Some("exec"), 310, 800);
    node_b.span.kind = trace_model::SpanKind::Node;
    let mut llm = span("llm", Some("b"), 320, 700);
    llm.span.kind = trace_model::SpanKind::Llm;
    llm.span.token_usage = Some(trace_model::TokenUsage::new(120, 31));
    vec![request, exec, node_a, node_b, llm]
}

/// The batchings a sender may use: all at once, one per request (in several orders), and each request twice.
fn deliveries() -> Vec<(&'static str, Vec<Vec<SpanRecord>>)> {
    let spans = orcheo_shaped();
    let one_each = |order: &[usize]| order.iter().map(|&i| vec![spans[i].clone()]).collect::<Vec<_>>();
    let children_first = one_each(&[4, 3, 2, 1, 0]);
    let twice = children_first.iter().flat_map(|b| [b.clone(), b.clone()]).collect();
    vec![
        ("one request", vec![spans.clone()]),
        ("parents first", one_each(&[0, 1, 2, 3, 4])),
        ("children first", children_first),
        ("execution span last", one_each(&[0, 4, 2, 3, 1])),
        ("request last, twice each", twice),
        (
            "two batches",
            vec![vec![spans[4].clone(), spans[2].clone()], vec![spans[0].clone(), spans[1].clone(), spans[3].clone()]],
        ),
    ]
}

#[tokio::test]
async fn an_orcheo_shaped_run_is_one_run_whatever_the_delivery() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        for (round, (how, batches)) in deliveries().into_iter().enumerate() {
            // A fresh trace per round: the same spans under another trace id and execution id.
            let trace = format!("{round:02x}{}", &TRACE[2..]);
            let execution = format!("run-{round}");
            for batch in batches {
                let batch: Vec<SpanRecord> = batch
                    .into_iter()
                    .map(|mut r| {
                        r.trace_id.clone_from(&trace);
                        if r.execution_id.is_some() {
                            r.execution_id = Some(execution.clone());
                        }
                        r
                    })
                    .collect();
                let ingested = api.store.insert_spans(&batch).await?;
                assert!(ingested.rejected.is_empty(), "{how} on {backend:?}: {:?}", ingested.rejected);
            }
            let context = format!("{how} on {backend:?}");
            let (status, list) = api.get_json("/api/executions", None).await?;
            assert_eq!(status, 200);
            let runs: Vec<&Value> = list["executions"]
                .as_array()
                .map(|a| a.iter().filter(|e| e["trace_id"] == trace.as_str()).collect())
                .unwrap_or_default();
            assert_eq!(runs.len(), 1, "{context}: one listed run, not the trace's request: {list}");
            let run = runs[0];
            assert_eq!(run["id"], execution.as_str(), "{context}");
            assert_eq!(run["status"], "completed", "{context}");
            assert_eq!(run["workflow_id"], "wf", "{context}");
            assert_eq!(run["root_span_id"], common::span_id("exec"), "{context}");
            assert_eq!(run["span_count"], 5, "{context}: four spans and the request above them");
            assert_eq!(run["token_usage"]["input"], 120, "{context}");
            assert_eq!(run["token_usage"]["output"], 31, "{context}");

            let (status, page) = api.get_json(&format!("/api/executions/{execution}/trace"), None).await?;
            assert_eq!(status, 200, "{context}: {page}");
            let ids: Vec<&str> =
                page["spans"].as_array().into_iter().flatten().filter_map(|s| s["span_id"].as_str()).collect();
            let expected: Vec<String> =
                ["request", "exec", "a", "b", "llm"].iter().map(|n| common::span_id(n)).collect();
            assert_eq!(ids, expected, "{context}: the whole tree, depth first, the request as context on top");

            // The trace's own run holds only the request: stored, reachable, not listed by default.
            let (all_status, all) = api.get_json("/api/executions?include=all", None).await?;
            assert_eq!(all_status, 200);
            let in_trace = all["executions"]
                .as_array()
                .map_or(0, |a| a.iter().filter(|e| e["trace_id"] == trace.as_str()).count());
            assert_eq!(in_trace, 2, "{context}: include=all shows the request's trace too: {all}");
            let (status, request_run) = api.get_json(&format!("/api/executions/{trace}/trace"), None).await?;
            assert_eq!(status, 200, "{context}");
            assert_eq!(request_run["execution"]["span_count"], 1, "{context}: {request_run}");
        }
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn an_ended_span_is_final_and_writers_stay_in_their_workspace() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let spans = orcheo_shaped();
        api.store.insert_spans(&spans).await?;

        // A retry of what is stored changes nothing; other content for an ended span is refused.
        let retry = api.store.insert_spans(&spans).await?;
        assert!(retry.rejected.is_empty(), "{backend:?}: {:?}", retry.rejected);
        let mut forged = spans[2].clone();
        forged.span.name = "node FORGED".into();
        forged.span.status.code = trace_model::StatusCode::Error;
        let refused = api.store.insert_spans(&[forged]).await?;
        assert_eq!(refused.rejected.len(), 1, "{backend:?}");
        assert!(refused.rejected[0].reason.contains("ended"), "{:?}", refused.rejected);
        let (_, page) = api.get_json("/api/executions/run-1/trace", None).await?;
        assert!(!page.to_string().contains("FORGED"), "{backend:?}");
        assert_eq!(page["execution"]["error_count"], 0, "{backend:?}");

        // A writer for ws-b cannot add to ws-a's run, nor create a run in ws-a.
        let ws_b = WriteScope::Only(["ws-b".to_owned()].into_iter().collect());
        let mut intruder = SpanSpec::new("run-1", "extra", Some("exec"), 30, Some(40)).record();
        intruder.trace_id = TRACE.to_owned();
        let mut elsewhere = SpanSpec::new("run-2", "root", None, 0, Some(10)).record();
        elsewhere.workspace_id = Some("ws-a".into());
        let outcome = api.store.insert_spans_as(&[intruder, elsewhere], &ws_b).await?;
        assert_eq!(outcome.rejected.len(), 2, "{backend:?}: {:?}", outcome.rejected);
        assert!(outcome.rejected.iter().all(|r| r.reason.contains("may not write")), "{:?}", outcome.rejected);
        assert_eq!(api.get("/api/executions/run-2/trace", None).await?.status().as_u16(), 404);
        let (_, page) = api.get_json("/api/executions/run-1/trace", None).await?;
        assert_eq!(page["execution"]["span_count"], 5, "{backend:?}: nothing added");

        // A span of another trace cannot join the run (or change its trace).
        let mut other_trace = SpanSpec::new("run-1", "root2", None, 0, Some(10)).record();
        other_trace.trace_id = "1af7651916cd43dd8448eb211c80319c".into();
        let outcome = api.store.insert_spans(&[other_trace]).await?;
        assert_eq!(outcome.rejected.len(), 1, "{backend:?}");
        let (_, page) = api.get_json("/api/executions/run-1/trace", None).await?;
        assert_eq!(page["execution"]["trace_id"], TRACE, "{backend:?}");
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn a_trace_without_ids_is_one_run_and_its_summary_follows_every_batch() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let mut spans = orcheo_shaped();
        spans.remove(0);
        spans[0].execution_id = None;
        spans[0].span.parent_span_id = None;
        // One span per request, children first, as a simple span processor sends them.
        for (sent, record) in spans.iter().rev().enumerate() {
            api.store.insert_spans(std::slice::from_ref(record)).await?;
            let (_, page) = api.get_json(&format!("/api/executions/{TRACE}/trace"), None).await?;
            assert_eq!(page["execution"]["span_count"], sent + 1, "{backend:?}: exact after every batch");
        }
        let (_, page) = api.get_json(&format!("/api/executions/{TRACE}/trace"), None).await?;
        assert_eq!(page["execution"]["status"], "completed", "{backend:?}: ends with its parentless span");
        assert_eq!(page["execution"]["token_usage"]["total"], 151, "{backend:?}");
        let (_, list) = api.get_json("/api/executions", None).await?;
        assert_eq!(list["executions"].as_array().map(Vec::len), Some(1), "{backend:?}: listed (it holds an LLM span)");
        api.stop().await;
        Ok(db)
    })
    .await
}
