//! The load both `benches/api_load.rs` and `examples/profile_paths.rs` put on the API: a finished execution of
//! many spans for the store, OTLP protobuf bodies for the receiver, and senders that post them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};
use prost::Message;
use trace_model::{SpanRecord, SpanStatus, StatusCode};

pub const SPANS_PER_REQUEST: usize = 1000;

/// Spans of one finished execution: a root, then nodes of 100 children each.
pub fn run_of(execution: &str, spans: usize) -> Vec<SpanRecord> {
    // A trace of its own: the OTLP bodies below use small trace ids, and spans are filed by trace and span id.
    let trace_id = format!("{:0>32}", const_hex::encode(execution.as_bytes()).chars().take(32).collect::<String>());
    let base = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
    let record = |i: usize, parent: Option<usize>| {
        let start = base + chrono::Duration::microseconds(i as i64 * 10);
        let mut span = trace_model::Span {
            span_id: format!("{:016x}", i + 1),
            parent_span_id: parent.map(|p| format!("{:016x}", p + 1)),
            name: if parent.is_none() { "workflow bench".to_owned() } else { format!("node n{i}") },
            kind: if parent.is_none() { trace_model::SpanKind::Workflow } else { trace_model::SpanKind::Node },
            start_time: start,
            end_time: Some(start + chrono::Duration::microseconds(5)),
            duration_ms: Some(0.005),
            status: SpanStatus { code: StatusCode::Ok, message: None },
            attributes: [("orcheo.node.id".to_owned(), serde_json::json!(format!("n{i}")))].into_iter().collect(),
            ..Default::default()
        };
        span.duration_ms = span.measured_duration_ms();
        SpanRecord {
            execution_id: Some(execution.to_owned()),
            workflow_id: Some("bench".to_owned()),
            workspace_id: None,
            trace_id: trace_id.clone(),
            span,
        }
    };
    (0..spans).map(|i| record(i, (i > 0).then(|| if i % 101 == 1 { 0 } else { i - (i - 1) % 101 }))).collect()
}

pub fn otlp_body(request: usize) -> Vec<u8> {
    let trace_id = format!("{:032x}", request / 10 + 1).into_bytes();
    let trace_id = hex_bytes(&trace_id);
    let execution = format!("ingest-{}", request / 10);
    let spans = (0..SPANS_PER_REQUEST)
        .map(|i| {
            let n = (request % 10) * SPANS_PER_REQUEST + i + 1;
            let start = 1_800_000_000_000_000_000 + n as u64 * 1000;
            Span {
                trace_id: trace_id.clone(),
                span_id: hex_bytes(format!("{n:016x}").as_bytes()),
                parent_span_id: if n == 1 { vec![] } else { hex_bytes(b"0000000000000001") },
                name: format!("node n{n}"),
                start_time_unix_nano: start,
                end_time_unix_nano: start + 500,
                attributes: vec![attr("orcheo.execution.id", &execution), attr("orcheo.node.id", &format!("n{n}"))],
                status: Some(Status { code: 1, message: String::new() }),
                ..Default::default()
            }
        })
        .collect();
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans { spans, ..Default::default() }],
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

fn attr(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(any_value::Value::StringValue(value.to_owned())) }),
        ..Default::default()
    }
}

fn hex_bytes(hex: &[u8]) -> Vec<u8> {
    hex.chunks(2).map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0)).collect()
}

/// Posts every body to `url` (`/v1/traces`) from `senders` concurrent senders; returns how long it took.
pub async fn send_all(url: &str, bodies: Vec<Vec<u8>>, senders: usize) -> anyhow::Result<Duration> {
    let bodies = Arc::new(bodies);
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for sender in 0..senders {
        let (bodies, client, url) = (Arc::clone(&bodies), client.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            for body in bodies.iter().skip(sender).step_by(senders) {
                let response = client
                    .post(&url)
                    .header("content-type", "application/x-protobuf")
                    .body(body.clone())
                    .send()
                    .await?;
                let status = response.status();
                anyhow::ensure!(status.is_success(), "ingest answered {status}: {}", response.text().await?);
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed())
}
