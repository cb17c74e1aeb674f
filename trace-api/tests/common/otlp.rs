//! OTLP requests built by hand, for both receivers, and the tokens that send them.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use serde_json::json;
use tonic::transport::Channel;
use trace_api::auth::{AuthConfig, Authenticator};

use super::TestApi;

pub const JWT_SECRET: &str = "otlp-test-secret";

/// Auth required, HS256 tokens signed with [`JWT_SECRET`].
pub fn authenticator() -> anyhow::Result<Authenticator> {
    Ok(Authenticator::new(&AuthConfig {
        required: true,
        jwt_secret: Some(JWT_SECRET.to_owned()),
        ..AuthConfig::default()
    })?)
}

/// A token with `scope` for `workspaces`.
pub fn token(scope: &str, workspaces: &[&str]) -> anyhow::Result<String> {
    let claims = json!({
        "sub": "sender", "scope": scope, "workspace_ids": workspaces,
        "exp": chrono::Utc::now().timestamp() + 600,
    });
    let key = EncodingKey::from_secret(JWT_SECRET.as_bytes());
    Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)?)
}

pub fn attr(key: &str, value: &str) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(Value::StringValue(value.to_owned())) }),
        ..KeyValue::default()
    }
}

/// An ended span: `trace` is 32 hex digits, `span` and `parent` 16.
pub fn span(trace: &str, span: &str, parent: Option<&str>, name: &str, attributes: Vec<KeyValue>) -> Span {
    Span {
        trace_id: const_hex::decode(trace).unwrap_or_default(),
        span_id: const_hex::decode(span).unwrap_or_default(),
        parent_span_id: parent.map(|p| const_hex::decode(p).unwrap_or_default()).unwrap_or_default(),
        name: name.to_owned(),
        start_time_unix_nano: 1_800_000_000_000_000_000,
        end_time_unix_nano: 1_800_000_000_200_000_000,
        attributes,
        ..Span::default()
    }
}

pub fn request(spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            scope_spans: vec![ScopeSpans { spans, ..ScopeSpans::default() }],
            ..ResourceSpans::default()
        }],
    }
}

/// A client of the API's OTLP/gRPC receiver.
pub async fn grpc_client(api: &TestApi) -> anyhow::Result<TraceServiceClient<Channel>> {
    Ok(TraceServiceClient::connect(api.grpc_url()).await?)
}

/// `message` with `authorization: Bearer <token>` when a token is given.
pub fn with_token<T>(message: T, token: Option<&str>) -> anyhow::Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    if let Some(token) = token {
        request.metadata_mut().insert("authorization", format!("Bearer {token}").parse()?);
    }
    Ok(request)
}

/// The OTLP/HTTP form of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpEncoding {
    Protobuf,
    Json,
}

/// Posts `request` to `/v1/traces`; the status and the `ExportTraceServiceResponse` (or error body as JSON).
pub async fn post_http(
    api: &TestApi,
    encoding: HttpEncoding,
    request: &ExportTraceServiceRequest,
    token: Option<&str>,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let (content_type, body) = match encoding {
        HttpEncoding::Protobuf => ("application/x-protobuf", request.encode_to_vec()),
        HttpEncoding::Json => ("application/json", serde_json::to_vec(request)?),
    };
    let mut post = api.client.post(api.url("/v1/traces")).header("content-type", content_type).body(body);
    if let Some(token) = token {
        post = post.bearer_auth(token);
    }
    let response = post.send().await?;
    let status = response.status().as_u16();
    let answered_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = response.bytes().await?;
    let body = match (status, encoding) {
        (200, HttpEncoding::Protobuf) => {
            anyhow::ensure!(answered_type.as_deref() == Some("application/x-protobuf"), "{answered_type:?}");
            let decoded =
                opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse::decode(&bytes[..])?;
            serde_json::to_value(decoded)?
        }
        _ => serde_json::from_slice(&bytes)?,
    };
    Ok((status, body))
}

/// A finished run of `spans` spans (a root and its children) with a few kilobytes of attributes each, as OTLP JSON;
/// `index` makes its trace and span ids its own.
pub fn json_run(execution: &str, index: u64, spans: usize) -> serde_json::Value {
    let trace_id = format!("{:032x}", 0xdead_0000_u128 + u128::from(index));
    let span = |i: usize| {
        let mut span = json!({
            "traceId": trace_id, "spanId": format!("{:016x}", index << 16 | (i as u64 + 1)),
            "name": if i == 0 { "workflow run".to_owned() } else { format!("node {i}") },
            "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000100000000",
            "attributes": [
                {"key": "orcheo.execution.id", "value": {"stringValue": execution}},
                {"key": "payload", "value": {"stringValue": "x".repeat(3000)}}
            ]
        });
        if i > 0 {
            span["parentSpanId"] = json!(format!("{:016x}", index << 16 | 1));
        }
        span
    };
    json!({"resourceSpans": [{"scopeSpans": [{"spans": (0..spans).map(span).collect::<Vec<_>>()}]}]})
}
