//! The OTLP/gRPC receiver: spans from the real SDK's gRPC exporter arrive through the REST API; calls without a
//! valid token, without the write scope, with invalid spans or over the size limit are refused with the matching
//! gRPC code and store nothing; gzip-compressed calls are accepted.

mod common;

use common::otlp::{attr, authenticator, grpc_client, request, span, token, with_token};
use common::{TestApi, TestDb, on_each_backend};
use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, Status, TraceContextExt, Tracer as _, TracerProvider as _};
use opentelemetry_otlp::{WithExportConfig, WithTonicConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tonic::Code;
use tonic::codec::CompressionEncoding;
use trace_model::{SpanKind as WireKind, StatusCode, TraceResponse};

const TRACE: &str = "5b8efff798038103d269b633813fc60c";

/// Exports a workflow span and an LLM child through the SDK's gRPC exporter; the trace id and the two span ids.
async fn export_with_sdk(api: &TestApi, execution: &str) -> anyhow::Result<(String, [String; 2])> {
    let mut metadata = tonic::metadata::MetadataMap::new();
    metadata.insert("authorization", "Bearer unused-when-auth-is-off".parse()?);
    // Built inside the runtime: the channel's task runs there.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(api.grpc_url())
        .with_metadata(metadata)
        .build()?;
    let provider = SdkTracerProvider::builder()
        .with_resource(Resource::builder().with_service_name("grpc-engine").build())
        .with_batch_exporter(exporter)
        .build();
    let tracer = provider.tracer("test");
    let root = tracer
        .span_builder("workflow grpc-check")
        .with_attributes([
            KeyValue::new("orcheo.span.kind", "workflow"),
            KeyValue::new("orcheo.execution.id", execution.to_owned()),
            KeyValue::new("orcheo.workflow.id", "grpc-check"),
        ])
        .start(&tracer);
    let cx = opentelemetry::Context::current_with_span(root);
    let mut llm = tracer
        .span_builder("chat gpt-test")
        .with_kind(SpanKind::Client)
        .with_attributes([
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.usage.input_tokens", 5_i64),
            KeyValue::new("gen_ai.usage.output_tokens", 3_i64),
        ])
        .start_with_context(&tracer, &cx);
    llm.set_status(Status::error("model timed out"));
    let ids = [cx.span().span_context().span_id().to_string(), llm.span_context().span_id().to_string()];
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_grpc_exporter_spans_arrive() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let (trace_id, ids) = export_with_sdk(&api, "ex-grpc").await?;
        let (status, body) = api.get_json("/api/executions/ex-grpc/trace", None).await?;
        assert_eq!(status, 200, "{body}");
        let trace: TraceResponse = serde_json::from_value(body)?;
        assert_eq!(trace.execution.trace_id.as_deref(), Some(trace_id.as_str()));
        assert_eq!(trace.execution.workflow_id, "grpc-check");
        let [root, llm] = &trace.spans[..] else { anyhow::bail!("expected two spans, got {:?}", trace.spans) };
        assert_eq!([root.span_id.clone(), llm.span_id.clone()], ids);
        assert_eq!((root.kind, llm.kind), (WireKind::Workflow, WireKind::Llm));
        assert_eq!(llm.parent_span_id.as_deref(), Some(ids[0].as_str()));
        assert_eq!(llm.status.code, StatusCode::Error);
        assert_eq!(llm.token_usage.map(|t| (t.input, t.output)), Some((5, 3)));
        let metrics = api.get("/metrics", None).await?.text().await?;
        let line = r#"trace_api_ingested_spans_total{source="otlp",transport="grpc",result="ok"} 2"#;
        assert!(metrics.contains(line), "{metrics}");
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn refused_calls_answer_their_code_and_store_nothing() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let auth = authenticator()?;
        let api = TestApi::start(&db, |s| s.with_auth(auth).with_otlp_max_bytes(64 * 1024)).await?;
        let writer = token("traces:write", &["ws-1"])?;
        let reader = token("workflows:read", &["ws-1"])?;
        let mut client = grpc_client(&api).await?;
        let good = |execution: &str, id: &str| {
            request(vec![span(TRACE, id, None, "workflow", vec![attr("orcheo.execution.id", execution)])])
        };

        let cases = [
            (None, Code::Unauthenticated, "bearer token"),
            (Some("not-a-jwt"), Code::Unauthenticated, "invalid token"),
            (Some(reader.as_str()), Code::PermissionDenied, "traces:write"),
        ];
        for (token, want, message) in cases {
            let refused = client.export(with_token(good("ex-refused", "00000000000000a1"), token)?).await;
            let status = refused.err().ok_or_else(|| anyhow::anyhow!("{token:?} was accepted"))?;
            assert_eq!(status.code(), want, "{token:?}: {status:?}");
            assert!(status.message().contains(message), "{status:?}");
        }

        // One valid span and one with a short trace id: the whole call is refused.
        let mut bad = span("5b8e", "00000000000000a3", None, "bad", vec![]);
        bad.trace_id.truncate(2);
        let half_bad = request(vec![
            span(TRACE, "00000000000000a2", None, "good", vec![attr("orcheo.execution.id", "ex-refused")]),
            bad,
        ]);
        let status = client.export(with_token(half_bad, Some(&writer))?).await.err();
        let status = status.ok_or_else(|| anyhow::anyhow!("an invalid span was accepted"))?;
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        assert!(status.message().contains("spans[1].traceId must be 16 bytes"), "{status:?}");

        // Over the size limit, plain and (once inflated) gzip-compressed.
        let big = || {
            let padding = attr("padding", &"x".repeat(100 * 1024));
            request(vec![span(
                TRACE,
                "00000000000000a4",
                None,
                "big",
                vec![attr("orcheo.execution.id", "ex-refused"), padding],
            )])
        };
        let status = client.export(with_token(big(), Some(&writer))?).await.err();
        assert_eq!(status.map(|s| s.code()), Some(Code::OutOfRange));
        let mut gzip_client = grpc_client(&api).await?.send_compressed(CompressionEncoding::Gzip);
        let status = gzip_client.export(with_token(big(), Some(&writer))?).await.err();
        assert_eq!(status.map(|s| s.code()), Some(Code::ResourceExhausted));
        assert_eq!(api.get_json("/api/executions/ex-refused/trace", Some(&reader)).await?.0, 404, "nothing was stored");

        // gzip within the limit is accepted, and the answer may come compressed too.
        let mut gzip_client = gzip_client.accept_compressed(CompressionEncoding::Gzip);
        let response = gzip_client.export(with_token(good("ex-gzip", "00000000000000a5"), Some(&writer))?).await?;
        assert_eq!(response.into_inner().partial_success, None);
        let (status, body) = api.get_json("/api/executions/ex-gzip/trace", Some(&reader)).await?;
        assert_eq!((status, body["spans"][0]["span_id"].as_str()), (200, Some("00000000000000a5")), "{body}");

        let metrics = api.get("/metrics", None).await?.text().await?;
        let line = r#"trace_api_ingest_batches_total{source="otlp",transport="grpc",result="error"} 1"#;
        assert!(metrics.contains(line), "the invalid call is counted: {metrics}");
        api.stop().await;
        Ok(db)
    })
    .await
}

/// UNAVAILABLE is the code OTLP exporters retry.
#[tokio::test]
async fn an_unreachable_store_is_unavailable() -> anyhow::Result<()> {
    let db = TestDb::create(common::Backend::Postgres).await?;
    let api = TestApi::start(&db, |s| s).await?;
    db.admin("ALTER DATABASE {db} ALLOW_CONNECTIONS false").await?;
    db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'").await?;
    let mut client = grpc_client(&api).await?;
    let call =
        request(vec![span(TRACE, "00000000000000b1", None, "workflow", vec![attr("orcheo.execution.id", "ex-down")])]);
    let status = client.export(with_token(call, None)?).await.err();
    assert_eq!(status.as_ref().map(tonic::Status::code), Some(Code::Unavailable), "{status:?}");
    db.admin("ALTER DATABASE {db} ALLOW_CONNECTIONS true").await?;
    api.stop().await;
    db.cleanup().await
}
