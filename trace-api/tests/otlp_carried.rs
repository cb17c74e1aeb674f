//! What OTLP carries besides attributes — the sender's resource, the instrumentation scope, the OpenTelemetry
//! span kind, the counts its SDK dropped, and links — arrives with each span and is served back.

mod common;

use std::collections::HashMap;

use common::{TestApi, TestDb, on_each_backend};
use opentelemetry::trace::{Link, Span as _, SpanKind, TraceContextExt, Tracer as _, TracerProvider as _};
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanLimits};
use trace_model::{OtelSpanKind, TraceResponse};

#[tokio::test]
async fn resource_scope_kind_dropped_counts_and_links_are_kept() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(api.url("/v1/traces"))
            .with_headers(HashMap::from([("authorization".to_owned(), "Bearer unused".to_owned())]))
            .build()?;
        let provider = SdkTracerProvider::builder()
            .with_resource(
                Resource::builder()
                    .with_service_name("checkout")
                    .with_attributes([KeyValue::new("service.version", "1.4.2"), KeyValue::new("host.name", "web-7")])
                    .build(),
            )
            .with_span_limits(SpanLimits { max_attributes_per_span: 3, ..SpanLimits::default() })
            .with_batch_exporter(exporter)
            .build();
        let scope = InstrumentationScope::builder("checkout-tracer").with_version("0.9.1").build();
        let tracer = provider.tracer_with_scope(scope);
        let root = tracer
            .span_builder("workflow checkout")
            .with_kind(SpanKind::Server)
            .with_attributes([
                KeyValue::new("orcheo.execution.id", "carried"),
                KeyValue::new("orcheo.span.kind", "workflow"),
            ])
            .start(&tracer);
        let root_context = root.span_context().clone();
        let cx = opentelemetry::Context::current_with_span(root);
        let mut call = tracer
            .span_builder("POST /charge")
            .with_kind(SpanKind::Client)
            .with_links(vec![Link::with_context(root_context.clone())])
            .start_with_context(&tracer, &cx);
        for i in 0..5 {
            call.set_attribute(KeyValue::new(format!("extra.{i}"), i));
        }
        call.end();
        cx.span().end();
        tokio::task::spawn_blocking(move || {
            let flushed = provider.force_flush();
            let _ = provider.shutdown();
            flushed
        })
        .await??;

        let (status, body) = api.get_json("/api/executions/carried/trace", None).await?;
        assert_eq!(status, 200, "{body}");
        let trace: TraceResponse = serde_json::from_value(body)?;
        let [root, call] = &trace.spans[..] else { anyhow::bail!("two spans expected: {:?}", trace.spans) };
        for span in [root, call] {
            assert_eq!(span.resource["service.name"], "checkout");
            assert_eq!(span.resource["service.version"], "1.4.2");
            assert_eq!(span.resource["host.name"], "web-7");
            let scope = span.scope.as_ref().map(|s| (s.name.as_str(), s.version.as_deref()));
            assert_eq!(scope, Some(("checkout-tracer", Some("0.9.1"))));
        }
        assert_eq!((root.otel_kind, call.otel_kind), (Some(OtelSpanKind::Server), Some(OtelSpanKind::Client)));
        assert_eq!(call.dropped.attributes, 2, "five set, three kept");
        assert_eq!(root.dropped.attributes, 0);
        let [link] = &call.links[..] else { anyhow::bail!("one link expected: {:?}", call.links) };
        assert_eq!(
            (link.trace_id.as_str(), link.span_id.as_str()),
            (root_context.trace_id().to_string().as_str(), root.span_id.as_str())
        );
        let trace_id = root_context.trace_id().to_string();
        let (status, runs) =
            api.get_json(&format!("/api/executions?trace_id={}", trace_id.to_uppercase()), None).await?;
        assert_eq!(status, 200, "{runs}");
        let ids: Vec<&str> =
            runs["executions"].as_array().into_iter().flatten().filter_map(|e| e["id"].as_str()).collect();
        assert_eq!(ids, ["carried"], "the run a link to this trace leads to");
        let (_, none) = api.get_json(&format!("/api/executions?trace_id={}", "0".repeat(32)), None).await?;
        assert_eq!(none["executions"], serde_json::json!([]));
        api.stop().await;
        Ok(db)
    })
    .await
}
