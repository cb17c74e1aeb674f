//! Every REST endpoint on SQLite and on Postgres: run history, traces, artifacts, probes, metrics, errors.

mod common;

use std::io::Read;

use common::{SpanSpec, TestApi, TestDb, finished_run, on_each_backend, span_id};
use engine_instrumentation::SpanSink as _;
use serde_json::json;
use trace_api::links::LinkTemplate;
use trace_api::sink::StoreSink;
use trace_api::store::NewArtifact;
use trace_model::{ArtifactRef, ExecutionPage, TraceResponse};

#[tokio::test]
async fn run_history_lists_filters_and_pages() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        api.store.insert_spans(&finished_run("ex-1", &["a"])).await?;
        api.store.insert_spans(&finished_run("ex-2", &["a", "b"])).await?;
        let mut failing = finished_run("ex-3", &["a"]);
        failing[0] = SpanSpec::new("ex-3", "root", None, 0, Some(500)).failed().record();
        api.store.insert_spans(&failing).await?;
        api.store.insert_spans(&[SpanSpec::new("ex-4", "root", None, 0, None).record()]).await?;

        let (status, body) = api.get_json("/api/executions", None).await?;
        assert_eq!(status, 200);
        let page: ExecutionPage = serde_json::from_value(body)?;
        let ids: Vec<&str> = page.executions.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["ex-4", "ex-3", "ex-2", "ex-1"]);
        let ex2 = &page.executions[2];
        assert_eq!((ex2.span_count, ex2.error_count, ex2.token_usage.input, ex2.token_usage.output), (4, 0, 120, 30));
        assert_eq!(page.executions[1].status.as_str(), "error");
        assert_eq!(page.executions[0].status.as_str(), "running");

        let (_, body) = api.get_json("/api/executions?status=error", None).await?;
        assert_eq!(body["executions"].as_array().map(Vec::len), Some(1));
        let (_, body) = api.get_json("/api/executions?workflow_id=nope", None).await?;
        assert_eq!(body["executions"], json!([]));

        let mut seen = Vec::new();
        let mut path = "/api/executions?limit=3".to_owned();
        loop {
            let (_, body) = api.get_json(&path, None).await?;
            let page: ExecutionPage = serde_json::from_value(body)?;
            seen.extend(page.executions.into_iter().map(|e| e.id));
            match page.page_info.cursor {
                Some(cursor) if page.page_info.has_next_page => {
                    path = format!("/api/executions?limit=3&cursor={cursor}")
                }
                _ => break,
            }
        }
        assert_eq!(seen, ["ex-4", "ex-3", "ex-2", "ex-1"]);
        api.stop().await;
        Ok(db)
    })
    .await
}

/// The instrumentation lists a span's artifacts by id; the API's sink gives each the download URL the API serves it
/// at, unless the engine gave one of its own.
#[tokio::test]
async fn engine_spans_get_the_download_url_of_their_artifacts() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let artifact = |id: &str, download_url: &str| ArtifactRef {
            id: id.to_owned(),
            name: format!("{id}.txt"),
            content_type: "text/plain".to_owned(),
            size_bytes: 3,
            download_url: download_url.to_owned(),
        };
        let mut run = finished_run("ex-art", &["a", "b"]);
        run[1].span.artifacts = vec![artifact("art-local", "")];
        run[2].span.artifacts = vec![artifact("art-elsewhere", "https://files.example.com/art-elsewhere")];
        StoreSink::new(api.store.clone(), tokio::runtime::Handle::current()).store(run).await?;

        let (status, body) = api.get_json("/api/executions/ex-art/trace", None).await?;
        assert_eq!(status, 200, "{body}");
        let trace: TraceResponse = serde_json::from_value(body)?;
        let listed: Vec<(&str, &str, &str)> = trace
            .spans
            .iter()
            .flat_map(|s| s.artifacts.iter().map(move |a| (s.name.as_str(), a.id.as_str(), a.download_url.as_str())))
            .collect();
        assert_eq!(
            listed,
            [
                ("node a", "art-local", "/api/artifacts/art-local/download"),
                ("node b", "art-elsewhere", "https://files.example.com/art-elsewhere"),
            ]
        );
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn trace_has_the_contract_shape_links_and_artifacts() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let links =
            vec![LinkTemplate::parse("Jaeger", "http://jaeger:16686/trace/{trace_id}").map_err(anyhow::Error::msg)?];
        let api = TestApi::start(&db, |s| s.with_links(links)).await?;
        let mut run = finished_run("ex-1", &["a", "b"]);
        run[1] = SpanSpec::new("ex-1", "a", Some("root"), 10, Some(100))
            .attr("orcheo.artifact.ids", json!(["art-1"]))
            .record();
        api.store.insert_spans(&run).await?;
        let content = b"col1,col2\n1,2\n".to_vec();
        api.store
            .put_artifact(&NewArtifact {
                id: "art-1".into(),
                execution_id: "ex-1".into(),
                span_id: None,
                name: "report \"q3\".csv".into(),
                content_type: "text/csv".into(),
                content: content.clone(),
            })
            .await?;

        let (status, body) = api.get_json("/api/executions/ex-1/trace", None).await?;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["execution"]["links"],
            json!([{"name": "Jaeger", "url": format!("http://jaeger:16686/trace/{}", common::trace_id("ex-1"))}])
        );
        assert_eq!(body["execution"]["artifact_count"], 1);
        let trace: TraceResponse = serde_json::from_value(body.clone())?;
        let names: Vec<&str> = trace.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["workflow root", "node a", "node b", "node llm"]);
        assert_eq!(trace.spans[0].span_id, span_id("root"));
        assert_eq!(body["spans"][0]["start_time"], "2027-01-15T08:00:00.000000Z");
        assert_eq!(trace.spans[1].artifacts.len(), 1);
        let artifact = &trace.spans[1].artifacts[0];
        assert_eq!((artifact.size_bytes, artifact.download_url.as_str()), (14, "/api/artifacts/art-1/download"));

        let download = api.get(&artifact.download_url, None).await?;
        assert_eq!(download.status().as_u16(), 200);
        assert_eq!(download.headers()["content-type"], "text/csv");
        let disposition = download.headers()["content-disposition"].to_str()?.to_owned();
        assert!(disposition.starts_with("attachment; filename=\"report _q3_.csv\""), "{disposition}");
        assert_eq!(download.bytes().await?.to_vec(), content);
        let (status, body) = api.get_json("/api/artifacts/nope/download", None).await?;
        assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn finished_traces_are_compressed_and_revalidated() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let nodes: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        let names: Vec<&str> = nodes.iter().map(String::as_str).collect();
        api.store.insert_spans(&finished_run("ex-1", &names)).await?;

        let plain = api.get("/api/executions/ex-1/trace", None).await?;
        let etag = plain.headers()["etag"].to_str()?.to_owned();
        let plain_body = plain.bytes().await?;
        let gzip =
            api.client.get(api.url("/api/executions/ex-1/trace")).header("accept-encoding", "gzip").send().await?;
        assert_eq!(gzip.headers()["content-encoding"], "gzip");
        let compressed = gzip.bytes().await?;
        assert!(compressed.len() < plain_body.len() / 3, "{} vs {}", compressed.len(), plain_body.len());
        let mut inflated = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut inflated)?;
        assert_eq!(inflated, plain_body.to_vec());

        let again = api.client.get(api.url("/api/executions/ex-1/trace")).header("if-none-match", &etag).send().await?;
        assert_eq!(again.status().as_u16(), 304);
        // The header's other forms (RFC 9110 §13.1.2): weak comparison, a list, and `*`.
        for header in [format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_owned()] {
            let sent = api.client.get(api.url("/api/executions/ex-1/trace")).header("if-none-match", &header);
            assert_eq!(sent.send().await?.status().as_u16(), 304, "If-None-Match: {header}");
        }
        let other = api.client.get(api.url("/api/executions/ex-1/trace")).header("if-none-match", "\"other\"");
        assert_eq!(other.send().await?.status().as_u16(), 200);
        // A late span changes the trace: the old ETag no longer matches.
        api.store.insert_spans(&[SpanSpec::new("ex-1", "late", Some("root"), 900, Some(950)).record()]).await?;
        let changed =
            api.client.get(api.url("/api/executions/ex-1/trace")).header("if-none-match", &etag).send().await?;
        assert_eq!(changed.status().as_u16(), 200);
        assert_ne!(changed.headers()["etag"].to_str()?, etag);
        let body: TraceResponse = changed.json().await?;
        assert!(body.spans.iter().any(|s| s.name == "node late"));

        // A running execution is never cached and has no ETag.
        api.store.insert_spans(&[SpanSpec::new("ex-2", "root", None, 0, None).record()]).await?;
        let running = api.get("/api/executions/ex-2/trace", None).await?;
        assert!(running.headers().get("etag").is_none());
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn errors_are_json_with_a_code() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let cases = [
            ("/api/executions/nope/trace", 404, "not_found"),
            ("/api/executions?limit=0", 400, "invalid_limit"),
            ("/api/executions?limit=501", 400, "invalid_limit"),
            ("/api/executions?status=done", 400, "invalid_status"),
            ("/api/executions?cursor=abc", 400, "invalid_cursor"),
            ("/api/executions/x/trace?limit=5001", 400, "invalid_limit"),
            ("/api/executions/x/trace?cursor=12", 400, "invalid_cursor"),
            ("/api/executions?limit=abc", 400, "invalid_limit"),
            ("/api/executions?limit=-1", 400, "invalid_limit"),
            ("/api/executions/x/trace?limit=ten", 400, "invalid_limit"),
            ("/api/nothing-here", 404, "not_found"),
        ];
        for (path, want_status, want_code) in cases {
            let (status, body) = api.get_json(path, None).await?;
            assert_eq!((status, body["code"].as_str()), (want_status, Some(want_code)), "{path}: {body}");
            assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        }
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn probes_and_metrics() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        assert_eq!(api.get_json("/healthz", None).await?, (200, json!({"status": "ok"})));
        assert_eq!(api.get_json("/readyz", None).await?, (200, json!({"status": "ready"})));
        api.get("/api/executions", None).await?;
        let metrics = api.get("/metrics", None).await?.text().await?;
        assert!(metrics.contains(r#"route="/api/executions""#), "{metrics}");
        assert!(metrics.contains("trace_api_request_duration_seconds_bucket"), "{metrics}");
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn ingest_is_order_free_and_idempotent() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let run = finished_run("ex-1", &["a", "b"]);
        // Children first, the root last, one span per batch.
        for record in run.iter().rev() {
            api.store.insert_spans(std::slice::from_ref(record)).await?;
        }
        // The whole run again, and a batch holding one span twice (open, then ended).
        api.store.insert_spans(&run).await?;
        let open = SpanSpec::new("ex-1", "c", Some("root"), 300, None).record();
        let ended = SpanSpec::new("ex-1", "c", Some("root"), 300, Some(350)).record();
        api.store.insert_spans(&[ended.clone(), open.clone()]).await?;
        // A stale open copy arriving after the end changes nothing.
        api.store.insert_spans(&[open]).await?;

        let (_, body) = api.get_json("/api/executions/ex-1/trace", None).await?;
        let trace: TraceResponse = serde_json::from_value(body)?;
        let names: Vec<&str> = trace.spans.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["workflow root", "node a", "node b", "node llm", "node c"], "{backend:?}");
        assert_eq!(trace.execution.span_count, 5);
        assert_eq!(trace.execution.status.as_str(), "completed");
        assert_eq!(trace.spans[4].end_time, ended.span.end_time);
        assert_eq!(trace.execution.token_usage.total, 150, "tokens counted once");
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn openapi_document_and_docs_page() -> anyhow::Result<()> {
    let db = TestDb::create(common::Backend::Sqlite).await?;
    let api = TestApi::start(&db, |s| s).await?;
    let (status, doc) = api.get_json("/api/openapi.json", None).await?;
    assert_eq!(status, 200);
    for path in [
        "/api/executions",
        "/api/executions/{id}/trace",
        "/api/executions/{id}/trace/live",
        "/api/artifacts/{id}/download",
        "/v1/traces",
        "/healthz",
        "/readyz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let trace_op = &doc["paths"]["/api/executions/{id}/trace"]["get"];
    let params: Vec<&str> =
        trace_op["parameters"].as_array().into_iter().flatten().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(params.len(), 3, "{params:?}");
    assert!(["id", "cursor", "limit"].iter().all(|p| params.contains(p)), "{params:?}");
    assert!(doc["components"]["schemas"].as_object().is_some_and(|s| s.keys().any(|k| k.contains("TraceResponse"))));
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let page = api.get("/api/docs/", None).await?;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await?;
    assert!(html.contains("swagger") && !html.contains("cdn."), "served locally");
    api.stop().await;
    db.cleanup().await
}

// The list and trace queries are typed structs: the document shows each query parameter once, in the query, with
// the type its value must have, though the handlers check the text themselves (the 400 answers above).
#[tokio::test]
async fn the_document_types_the_query_parameters() -> anyhow::Result<()> {
    let db = TestDb::create(common::Backend::Sqlite).await?;
    let api = TestApi::start(&db, |s| s).await?;
    let (status, document) = api.get_json("/api/openapi.json", None).await?;
    assert_eq!(status, 200);
    let parameters = |path: &str| -> Vec<serde_json::Value> {
        document["paths"][path]["get"]["parameters"].as_array().cloned().unwrap_or_default()
    };
    let find = |list: &[serde_json::Value], name: &str| -> serde_json::Value {
        let found: Vec<&serde_json::Value> = list.iter().filter(|p| p["name"] == name).collect();
        assert_eq!(found.len(), 1, "{name} once in {list:?}");
        found[0].clone()
    };
    let list = parameters("/api/executions");
    assert_eq!(list.len(), 7, "{list:?}");
    for name in ["workflow_id", "trace_id", "thread_id", "status", "include", "cursor", "limit"] {
        let parameter = find(&list, name);
        assert_eq!(parameter["in"], "query", "{parameter}");
        assert!(parameter["description"].as_str().is_some_and(|d| !d.is_empty()), "{parameter}");
    }
    let limit = find(&list, "limit");
    assert_eq!(limit["schema"]["type"], "integer", "{limit}");
    assert_eq!((limit["schema"]["minimum"].as_f64(), limit["schema"]["maximum"].as_f64()), (Some(1.0), Some(500.0)));

    let trace = parameters("/api/executions/{id}/trace");
    assert_eq!(find(&trace, "id")["in"], "path");
    let limit = find(&trace, "limit");
    assert_eq!((limit["in"].as_str(), limit["schema"]["type"].as_str()), (Some("query"), Some("integer")), "{limit}");
    assert_eq!(limit["schema"]["maximum"].as_f64(), Some(5000.0));
    assert_eq!(find(&trace, "cursor")["schema"]["type"], "string");
    api.stop().await;
    db.cleanup().await
}
