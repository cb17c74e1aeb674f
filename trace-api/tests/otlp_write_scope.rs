//! Writers stay in their workspaces on both OTLP transports: spans a token may not write (into another
//! workspace's execution, or a new execution in another workspace) are refused one by one and reported as OTLP
//! partial success, nothing of them is stored, and the rest of the request is.

mod common;

use common::otlp::{HttpEncoding, attr, authenticator, grpc_client, post_http, request, span, token, with_token};
use common::{TestApi, TestDb, on_each_backend};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use serde_json::Value;

#[derive(Debug, Clone, Copy)]
enum Transport {
    Http(HttpEncoding),
    Grpc,
}

/// The `ExportTraceServiceResponse` as JSON (what OTLP/JSON would say).
async fn send(
    api: &TestApi,
    transport: Transport,
    call: &ExportTraceServiceRequest,
    token: &str,
) -> anyhow::Result<Value> {
    match transport {
        Transport::Http(encoding) => {
            let (status, body) = post_http(api, encoding, call, Some(token)).await?;
            anyhow::ensure!(status == 200, "{transport:?} answered {status}: {body}");
            Ok(body)
        }
        Transport::Grpc => {
            let response = grpc_client(api).await?.export(with_token(call.clone(), Some(token))?).await?;
            Ok(serde_json::to_value(response.into_inner())?)
        }
    }
}

#[tokio::test]
async fn spans_outside_the_writers_workspaces_are_refused_and_reported() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let auth = authenticator()?;
        let api = TestApi::start(&db, |s| s.with_auth(auth)).await?;
        let writer_a = token("traces:write", &["ws-a"])?;
        let writer_b = token("traces:write", &["ws-b"])?;
        let reader = token("workflows:read", &["ws-a", "ws-b"])?;
        let transports = [
            ("p", Transport::Http(HttpEncoding::Protobuf)),
            ("j", Transport::Http(HttpEncoding::Json)),
            ("g", Transport::Grpc),
        ];
        for (n, (tag, transport)) in transports.into_iter().enumerate() {
            let trace_a = format!("{:032x}", 0xa0 + n);
            let trace_b = format!("{:032x}", 0xb0 + n);
            let trace_c = format!("{:032x}", 0xc0 + n);
            let (ex_a, ex_b, ex_c) = (format!("ex-a-{tag}"), format!("ex-b-{tag}"), format!("ex-c-{tag}"));
            // ws-a's execution, written by ws-a's writer.
            let theirs = request(vec![span(
                &trace_a,
                "000000000000a001",
                None,
                "workflow a",
                vec![attr("orcheo.execution.id", &ex_a), attr("orcheo.workspace.id", "ws-a")],
            )]);
            let answer = send(&api, transport, &theirs, &writer_a).await?;
            assert!(answer["partialSuccess"].is_null(), "{transport:?}: {answer}");

            // ws-b's writer: a child into ws-a's execution, a new execution declared in ws-a, and its own run.
            let mixed = request(vec![
                span(&trace_a, "000000000000a002", Some("000000000000a001"), "intruder", vec![]),
                span(
                    &trace_c,
                    "000000000000c001",
                    None,
                    "workflow c",
                    vec![attr("orcheo.execution.id", &ex_c), attr("orcheo.workspace.id", "ws-a")],
                ),
                span(&trace_b, "000000000000b001", None, "workflow b", vec![attr("orcheo.execution.id", &ex_b)]),
            ]);
            let answer = send(&api, transport, &mixed, &writer_b).await?;
            let partial = &answer["partialSuccess"];
            assert_eq!(partial["rejectedSpans"].as_i64(), Some(2), "{transport:?}: {answer}");
            let message = partial["errorMessage"].as_str().unwrap_or_default();
            assert!(message.starts_with("2 spans rejected: "), "{message}");
            assert!(message.contains(r#"may not write to workspace "ws-a""#), "{message}");

            // The accepted span is stored, in the writer's workspace; nothing of the refused ones is.
            let (status, own) = api.get_json(&format!("/api/executions/{ex_b}/trace"), Some(&reader)).await?;
            assert_eq!((status, own["spans"].as_array().map(Vec::len)), (200, Some(1)), "{own}");
            let only_b = token("workflows:read", &["ws-b"])?;
            assert_eq!(api.get_json(&format!("/api/executions/{ex_b}/trace"), Some(&only_b)).await?.0, 200);
            let (_, a) = api.get_json(&format!("/api/executions/{ex_a}/trace"), Some(&reader)).await?;
            let ids: Vec<&str> =
                a["spans"].as_array().into_iter().flatten().filter_map(|s| s["span_id"].as_str()).collect();
            assert_eq!(ids, ["000000000000a001"], "{transport:?}: the intruder is not in ws-a's execution");
            assert_eq!(api.get_json(&format!("/api/executions/{ex_c}/trace"), Some(&reader)).await?.0, 404);
        }
        // Each refusal is on the audit trail: who sent the spans, and why they were refused.
        let rejections = common::eventually_audited(&api, "otlp.rejected", 3).await?;
        for entry in &rejections {
            assert_eq!(entry.subject, "sender");
            let detail = entry.detail.as_deref().unwrap_or_default();
            assert!(detail.starts_with("2 spans rejected: ") && detail.contains("ws-a"), "{detail}");
        }
        let metrics = api.get("/metrics", None).await?.text().await?;
        for line in [
            r#"trace_api_ingested_spans_total{source="otlp",transport="http",result="rejected"} 4"#,
            r#"trace_api_ingested_spans_total{source="otlp",transport="grpc",result="rejected"} 2"#,
        ] {
            assert!(metrics.contains(line), "{line} in {metrics}");
        }
        api.stop().await;
        Ok(db)
    })
    .await
}
