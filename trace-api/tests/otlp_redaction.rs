//! Secrets in spans that arrive over OTLP (HTTP and gRPC) are redacted before they are stored, with the rules the
//! instrumentation uses: one probe per built-in rule, in span, event and link attributes, the span name and the
//! status message, read back through the REST API.

mod common;

use common::otlp::{HttpEncoding, attr, grpc_client, post_http, request, span, with_token};
use common::{TestApi, TestDb, on_each_backend};
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{Span, Status};

/// Attribute key, value with a secret, the secret, and the marker that replaces it.
const PROBES: &[(&str, &str, &str, &str)] = &[
    ("db.password", "hunter2", "hunter2", "[REDACTED:secret_key]"),
    ("probe.login", "login with password=pw-in-text-42", "pw-in-text-42", "[REDACTED:credential]"),
    ("probe.openai", "key sk-proj1234567890abcdefghij", "sk-proj1234567890abcdefghij", "[REDACTED:api_key]"),
    ("probe.github", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnop", "[REDACTED:api_key]"),
    ("probe.aws", "id AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE", "[REDACTED:aws_access_key]"),
    (
        "probe.aws_env",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI/K7MDENG",
        "[REDACTED:aws_secret_key]",
    ),
    (
        "probe.jwt",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl",
        "eyJzdWIiOiIxMjM0NSJ9",
        "[REDACTED:jwt]",
    ),
    ("probe.header", "Bearer abcdef0123456789token", "abcdef0123456789token", "[REDACTED:bearer]"),
    ("probe.basic", "Basic dXNlcjpwYXNzd29yZDEyMw==", "dXNlcjpwYXNzd29yZDEyMw", "[REDACTED:basic_auth]"),
    ("probe.card", "card 4111 1111 1111 1111", "4111 1111 1111 1111", "[REDACTED:card_number]"),
    (
        "probe.pem",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq\n-----END RSA PRIVATE KEY-----",
        "MIIEowIBAAKCAQEA7bq",
        "[REDACTED:private_key]",
    ),
    ("probe.email", "mail ops@example.com", "ops@example.com", "[REDACTED:email]"),
    ("probe.json", r#"{"user": "ann", "password": "json-pw-77"}"#, "json-pw-77", "[REDACTED:secret_field]"),
];

const NAME_SECRET: &str = "name-pw-99";
const STATUS_SECRET: &str = "status@example.com";
const EVENT_SECRET: &str = "sk-event1234567890abcdefgh";
const LINK_SECRET: &str = "linktoken1234567890";

/// A span carrying every probe, and a secret in each other place redaction reaches.
fn secret_span(trace: &str, execution: &str) -> Span {
    let mut attributes = vec![attr("orcheo.execution.id", execution)];
    attributes.extend(PROBES.iter().map(|(key, value, _, _)| attr(key, value)));
    let mut span = span(trace, "00000000000000d1", None, &format!("login password={NAME_SECRET}"), attributes);
    span.status = Some(Status { message: format!("denied for {STATUS_SECRET}"), code: 2 });
    span.events = vec![Event {
        time_unix_nano: span.start_time_unix_nano,
        name: "exception".to_owned(),
        attributes: vec![attr("exception.message", &format!("bad key {EVENT_SECRET}"))],
        dropped_attributes_count: 0,
    }];
    span.links = vec![Link {
        trace_id: span.trace_id.clone(),
        span_id: vec![0xd0; 8],
        attributes: vec![attr("probe.link", &format!("Bearer {LINK_SECRET}"))],
        ..Link::default()
    }];
    span
}

#[tokio::test]
async fn secrets_sent_over_otlp_are_stored_redacted() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let (status, body) = post_http(
            &api,
            HttpEncoding::Json,
            &request(vec![secret_span("5b8efff798038103d269b633813fc6d1", "ex-red-http")]),
            None,
        )
        .await?;
        assert_eq!(status, 200, "{body}");
        let call = request(vec![secret_span("5b8efff798038103d269b633813fc6d2", "ex-red-grpc")]);
        grpc_client(&api).await?.export(with_token(call, None)?).await?;

        for execution in ["ex-red-http", "ex-red-grpc"] {
            let response = api.get(&format!("/api/executions/{execution}/trace"), None).await?;
            let text = response.text().await?;
            let trace: serde_json::Value = serde_json::from_str(&text)?;
            let stored = &trace["spans"][0];
            for (key, _, secret, marker) in PROBES {
                let value = stored["attributes"][key].as_str().unwrap_or_default();
                assert!(value.contains(marker) && !value.contains(secret), "{execution} {key}: {value}");
            }
            for secret in PROBES.iter().map(|p| p.2).chain([NAME_SECRET, STATUS_SECRET, EVENT_SECRET, LINK_SECRET]) {
                assert!(!text.contains(secret), "{execution}: {secret} stored in {text}");
            }
            assert_eq!(stored["name"], "login password=[REDACTED:credential]");
            assert_eq!(stored["status"]["message"], "denied for [REDACTED:email]");
            assert_eq!(stored["events"][0]["attributes"]["exception.message"], "bad key [REDACTED:api_key]");
            assert_eq!(stored["links"][0]["attributes"]["probe.link"], "[REDACTED:bearer]");
            assert_eq!(stored["attributes"]["orcheo.execution.id"], execution, "other values stay");
        }
        let metrics = api.get("/metrics", None).await?.text().await?;
        // Per span: every probe, the name, the status message, the event and the link attribute.
        let line = format!("trace_api_redacted_values_total {}", 2 * (PROBES.len() + 4));
        assert!(metrics.contains(&line), "{line} in {metrics}");
        api.stop().await;

        // With TRACE_API_REDACT=off the receiver stores what it gets.
        let plain = TestApi::start(&db, |s| s.with_redactor(None)).await?;
        let call = request(vec![secret_span("5b8efff798038103d269b633813fc6d3", "ex-plain")]);
        assert_eq!(post_http(&plain, HttpEncoding::Protobuf, &call, None).await?.0, 200);
        let (_, trace) = plain.get_json("/api/executions/ex-plain/trace", None).await?;
        assert_eq!(trace["spans"][0]["attributes"]["db.password"], "hunter2");
        plain.stop().await;
        Ok(db)
    })
    .await
}
