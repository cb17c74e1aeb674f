//! The REST API over a real SQLite store, fed by real instrumented runs.

use e2e_tests::service::TestService;
use reference_engine::samples;
use trace_model::{ErrorBody, ExecutionPage, ExecutionStatus, SpanKind, SpanTree, TraceResponse};

async fn get_json<T: serde::de::DeserializeOwned>(url: &str) -> anyhow::Result<(u16, T)> {
    let response = reqwest::get(url).await?;
    let status = response.status().as_u16();
    Ok((status, response.json::<T>().await?))
}

#[tokio::test]
async fn lists_runs_and_serves_their_traces_depth_first() -> anyhow::Result<()> {
    let service = TestService::start(None).await?;
    service.run(&samples::summarize(), "exec-ok").await?;
    service.run(&samples::failing(), "exec-bad").await?;

    let (status, page) = get_json::<ExecutionPage>(&service.url("/api/executions")).await?;
    assert_eq!(status, 200);
    let ids: Vec<&str> = page.executions.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["exec-bad", "exec-ok"], "newest first");
    let ok = &page.executions[1];
    assert_eq!(ok.status, ExecutionStatus::Completed);
    assert_eq!(ok.span_count, 5);
    assert_eq!(ok.error_count, 0);
    assert!(ok.token_usage.input > 0 && ok.token_usage.total == ok.token_usage.input + ok.token_usage.output);
    let bad = &page.executions[0];
    assert_eq!(bad.status, ExecutionStatus::Error);
    assert_eq!(bad.error_count, 2, "the failed node and the root");

    let (status, trace) = get_json::<TraceResponse>(&service.url("/api/executions/exec-ok/trace")).await?;
    assert_eq!(status, 200);
    assert_eq!(trace.execution, *ok);
    assert_eq!(trace.page_info.total_spans, 5);
    assert!(!trace.page_info.has_next_page);
    let names: Vec<&str> = trace.spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["workflow summarize-report", "node fetch_report", "node summarize", "chat local-mini", "node publish"]
    );
    assert_eq!(trace.spans[0].span_id, trace.execution.root_span_id.clone().unwrap_or_default());
    assert_eq!(trace.spans[3].kind, SpanKind::Llm);
    assert_eq!(trace.spans[3].token_usage.map(|t| t.total), Some(ok.token_usage.total));
    Ok(())
}

#[tokio::test]
async fn pages_cover_every_span_once_in_order() -> anyhow::Result<()> {
    let service = TestService::start(None).await?;
    service.run(&samples::summarize(), "exec-1").await?;
    let (_, whole) = get_json::<TraceResponse>(&service.url("/api/executions/exec-1/trace")).await?;
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let (_, page) =
            get_json::<TraceResponse>(&service.url(&format!("/api/executions/exec-1/trace?limit=2{query}"))).await?;
        assert!(page.spans.len() <= 2);
        paged.extend(page.spans);
        if !page.page_info.has_next_page {
            break;
        }
        cursor = page.page_info.cursor;
    }
    assert_eq!(paged, whole.spans);
    assert_eq!(SpanTree::build(&paged).len(), 5);
    Ok(())
}

#[tokio::test]
async fn errors_are_json_with_a_code() -> anyhow::Result<()> {
    let service = TestService::start(None).await?;
    let cases = [
        ("/api/executions/nope/trace", 404, "not_found"),
        ("/api/executions?limit=0", 400, "invalid_limit"),
        ("/api/executions?status=done", 400, "invalid_status"),
        ("/api/executions?cursor=abc", 400, "invalid_cursor"),
        ("/api/executions/x/trace?limit=5001", 400, "invalid_limit"),
        ("/api/nothing-here", 404, "not_found"),
    ];
    for (path, want_status, want_code) in cases {
        let (status, body) = get_json::<ErrorBody>(&service.url(path)).await?;
        assert_eq!((status, body.code.as_str()), (want_status, want_code), "{path}: {}", body.detail);
        assert!(!body.detail.is_empty());
    }
    Ok(())
}

#[tokio::test]
async fn health_and_readiness() -> anyhow::Result<()> {
    let service = TestService::start(None).await?;
    let (status, body) = get_json::<serde_json::Value>(&service.url("/healthz")).await?;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = get_json::<serde_json::Value>(&service.url("/readyz")).await?;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    Ok(())
}
