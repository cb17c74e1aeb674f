//! The OTLP/HTTP receiver fed by the real opentelemetry-otlp exporter (protobuf and JSON, plain and gzip), and its
//! answers to bodies it must refuse: nothing is stored from a refused request, and what was stored stays.

mod common;

use std::collections::HashMap;

use common::{TestApi, TestDb, on_each_backend};
use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, Status, TraceContextExt, Tracer as _, TracerProvider as _};
use opentelemetry_otlp::{Compression, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use serde_json::json;
use trace_model::{SpanKind as WireKind, StatusCode, TraceResponse};

/// Exports one small trace through the real exporter and returns the ids the SDK gave it.
async fn export(
    api: &TestApi,
    protocol: Protocol,
    gzip: bool,
    execution: &str,
) -> anyhow::Result<(String, Vec<String>)> {
    let mut builder = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(protocol)
        .with_endpoint(api.url("/v1/traces"))
        .with_headers(HashMap::from([("authorization".to_owned(), "Bearer unused-when-auth-is-off".to_owned())]));
    if gzip {
        builder = builder.with_compression(Compression::Gzip);
    }
    let exporter = builder.build()?;
    let provider = SdkTracerProvider::builder()
        .with_resource(
            Resource::builder()
                .with_service_name("external-engine")
                .with_attribute(KeyValue::new("orcheo.workspace.id", "w-ext"))
                .build(),
        )
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer("test");
    let root = tracer
        .span_builder("workflow ingest-check")
        .with_attributes([
            KeyValue::new("orcheo.span.kind", "workflow"),
            KeyValue::new("orcheo.execution.id", execution.to_owned()),
            KeyValue::new("orcheo.workflow.id", "ingest-check"),
        ])
        .start(&tracer);
    let cx = opentelemetry::Context::current_with_span(root);
    let mut llm = tracer
        .span_builder("chat gpt-test")
        .with_kind(SpanKind::Client)
        .with_attributes([
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.usage.input_tokens", 11_i64),
            KeyValue::new("gen_ai.usage.output_tokens", 7_i64),
            KeyValue::new("orcheo.execution.id", execution.to_owned()),
            KeyValue::new(
                "tags",
                opentelemetry::Value::Array(
                    vec!["a", "b"].into_iter().map(opentelemetry::StringValue::from).collect::<Vec<_>>().into(),
                ),
            ),
        ])
        .start_with_context(&tracer, &cx);
    llm.add_event(
        "exception",
        vec![KeyValue::new("exception.type", "Timeout"), KeyValue::new("exception.message", "slow")],
    );
    llm.set_status(Status::error("model timed out"));
    let ids = vec![cx.span().span_context().span_id().to_string(), llm.span_context().span_id().to_string()];
    let trace_id = cx.span().span_context().trace_id().to_string();
    llm.end();
    cx.span().end();
    let flushed = tokio::task::spawn_blocking(move || {
        let result = provider.force_flush();
        let _ = provider.shutdown();
        result
    })
    .await?;
    flushed?;
    Ok((trace_id, ids))
}

#[tokio::test]
async fn real_exporter_spans_arrive_span_by_span() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let cases = [
            (Protocol::HttpBinary, false, "ex-proto"),
            (Protocol::HttpJson, false, "ex-json"),
            (Protocol::HttpBinary, true, "ex-gzip"),
        ];
        for (protocol, gzip, execution) in cases {
            let (trace_id, ids) = export(&api, protocol, gzip, execution).await?;
            let (status, body) = api.get_json(&format!("/api/executions/{execution}/trace"), None).await?;
            assert_eq!(status, 200, "{execution}: {body}");
            let trace: TraceResponse = serde_json::from_value(body)?;
            assert_eq!(trace.execution.trace_id.as_deref(), Some(trace_id.as_str()));
            assert_eq!(trace.execution.workflow_id, "ingest-check");
            assert_eq!(trace.execution.status.as_str(), "completed");
            let [root, llm] = &trace.spans[..] else {
                anyhow::bail!("{execution}: expected two spans, got {:?}", trace.spans)
            };
            assert_eq!((root.span_id.as_str(), llm.span_id.as_str()), (ids[0].as_str(), ids[1].as_str()));
            assert_eq!(llm.parent_span_id.as_deref(), Some(ids[0].as_str()));
            assert_eq!((root.kind, llm.kind), (WireKind::Workflow, WireKind::Llm));
            assert_eq!(llm.status.code, StatusCode::Error);
            assert_eq!(llm.status.message.as_deref(), Some("model timed out"));
            assert_eq!(llm.token_usage.map(|t| (t.input, t.output)), Some((11, 7)));
            assert_eq!(llm.attributes["tags"], json!(["a", "b"]));
            assert_eq!(llm.attributes["orcheo.workspace.id"], "w-ext", "resource ids apply to spans");
            assert_eq!(llm.events[0].attributes["exception.type"], "Timeout");
            assert!(llm.end_time.is_some() && llm.duration_ms.is_some());
        }
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn refused_bodies_store_nothing_and_keep_what_was_there() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s.with_otlp_max_bytes(64 * 1024)).await?;
        export(&api, Protocol::HttpBinary, false, "ex-kept").await?;
        let post = |content_type: &'static str, body: Vec<u8>| {
            api.client.post(api.url("/v1/traces")).header("content-type", content_type).body(body).send()
        };
        // One valid span and one with a short trace id in the same request: the whole request is refused.
        let half_bad = json!({"resourceSpans": [{"scopeSpans": [{"spans": [
            {"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": "good",
             "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000100000000",
             "attributes": [{"key": "orcheo.execution.id", "value": {"stringValue": "ex-half"}}]},
            {"traceId": "5b8e", "spanId": "eee19b7ec3c1b175", "name": "bad", "startTimeUnixNano": "1700000000000000000"}
        ]}]}]});
        let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
            ("application/json", serde_json::to_vec(&half_bad)?, 400, "traceId must be 16 bytes"),
            ("application/json", b"{not json".to_vec(), 400, "not valid OTLP JSON"),
            ("application/json", br#"{"resource_spans": []}"#.to_vec(), 400, "snake_case"),
            ("application/x-protobuf", vec![0xff, 0xff, 0xff, 0x01], 400, "protobuf"),
            ("text/plain", b"hello".to_vec(), 415, "unsupported content type"),
            ("application/x-protobuf", vec![0u8; 65 * 1024], 413, "larger than"),
        ];
        for (content_type, body, want, detail) in cases {
            let response = post(content_type, body).await?;
            let status = response.status().as_u16();
            let error: serde_json::Value = response.json().await?;
            assert_eq!(status, want, "{content_type}: {error}");
            assert!(error["detail"].as_str().is_some_and(|d| d.contains(detail)), "{error}");
        }
        assert_eq!(api.get_json("/api/executions/ex-half/trace", None).await?.0, 404, "nothing of a refused request");
        let (_, kept) = api.get_json("/api/executions/ex-kept/trace", None).await?;
        assert_eq!(kept["spans"].as_array().map(Vec::len), Some(2), "earlier spans stay");
        let metrics = api.get("/metrics", None).await?.text().await?;
        assert!(
            metrics.contains(r#"trace_api_ingested_spans_total{source="otlp",transport="http",result="ok"} 2"#),
            "{metrics}"
        );
        assert!(
            metrics.contains(r#"trace_api_ingest_batches_total{source="otlp",transport="http",result="error"} 4"#),
            "{metrics}"
        );
        api.stop().await;
        Ok(db)
    })
    .await
}
