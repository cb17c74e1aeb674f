//! Text Postgres cannot hold (U+0000) comes back as it was sent, on both databases: in span names, attribute keys
//! and values, event names and attributes, and status messages. Ids cannot hold it: a batch with such an id is a
//! 400 that says why, and REST ids or filters with it are 404 or 400, never 500.

mod common;

use common::{SpanSpec, TestApi, TestDb, finished_run, on_each_backend};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use trace_api::auth::{AuthConfig, Authenticator};

const TRACE: &str = "5b8efff798038103d269b633813fc60c";
const ESCAPE: &str = "\u{FDD0}";

/// Texts that must survive storage: U+0000 alone, among other text, next to the store's own escape character, and
/// a backslash before `u0000` (text, not an escape).
fn texts() -> Vec<String> {
    vec![
        "\0".to_owned(),
        "before\0after".to_owned(),
        format!("{ESCAPE}0 and {ESCAPE}{ESCAPE} and \0{ESCAPE}"),
        "a backslash then u0000: \\u0000".to_owned(),
    ]
}

fn string(value: &str) -> Value {
    json!({"stringValue": value})
}

/// One OTLP JSON span with `text` in every place a sender may put text.
fn span(span_id: &str, parent: Option<&str>, text: &str, execution: &str) -> Value {
    let mut span = json!({
        "traceId": TRACE, "spanId": span_id, "name": format!("name {text}"),
        "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000100000000",
        "attributes": [
            {"key": "orcheo.execution.id", "value": string(execution)},
            {"key": format!("key {text}"), "value": string("plain value")},
            {"key": "value", "value": string(&format!("value {text}"))},
            {"key": "list", "value": {"arrayValue": {"values": [string(text), string("x")]}}},
        ],
        "events": [{"name": format!("event {text}"), "timeUnixNano": "1700000000050000000",
                    "attributes": [{"key": format!("event key {text}"), "value": string(text)}]}],
        "status": {"code": 2, "message": format!("status {text}")},
    });
    if let Some(parent) = parent {
        span["parentSpanId"] = json!(parent);
    }
    span
}

fn body(spans: Vec<Value>) -> Value {
    json!({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]})
}

async fn post(api: &TestApi, body: &Value) -> anyhow::Result<(u16, Value)> {
    let response = api
        .client
        .post(api.url("/v1/traces"))
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body)?)
        .send()
        .await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
}

#[tokio::test]
async fn spans_with_nul_come_back_as_sent() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let texts = texts();
        let ids: Vec<String> = (0..texts.len()).map(|i| format!("00000000000000a{i}")).collect();
        let spans: Vec<Value> = texts
            .iter()
            .zip(&ids)
            .enumerate()
            .map(|(i, (text, id))| span(id, (i > 0).then_some(ids[0].as_str()), text, "ex-nul"))
            .collect();
        let (status, answer) = post(&api, &body(spans.clone())).await?;
        assert_eq!(status, 200, "{backend:?}: {answer}");
        // Sent again (a retry): the same spans, not changed ended spans.
        let (status, answer) = post(&api, &body(spans)).await?;
        assert_eq!(status, 200, "{backend:?}: {answer}");

        let (status, trace) = api.get_json("/api/executions/ex-nul/trace", None).await?;
        assert_eq!(status, 200, "{trace}");
        let got = trace["spans"].as_array().cloned().unwrap_or_default();
        assert_eq!(got.len(), texts.len(), "{trace}");
        for (text, id) in texts.iter().zip(&ids) {
            let Some(span) = got.iter().find(|s| s["span_id"] == json!(id)) else {
                anyhow::bail!("span {id} missing from {trace}")
            };
            assert_eq!(span["name"], json!(format!("name {text}")), "{text:?}");
            assert_eq!(span["attributes"][format!("key {text}")], json!("plain value"), "{text:?}: {span}");
            assert_eq!(span["attributes"]["value"], json!(format!("value {text}")), "{text:?}");
            assert_eq!(span["attributes"]["list"], json!([text, "x"]), "{text:?}");
            assert_eq!(span["events"][0]["name"], json!(format!("event {text}")), "{text:?}");
            assert_eq!(span["events"][0]["attributes"][format!("event key {text}")], json!(text), "{text:?}");
            assert_eq!(span["status"]["message"], json!(format!("status {text}")), "{text:?}");
        }

        // The engine's own path: an ended span stored again unchanged is a retry, not a change.
        let mut record =
            SpanSpec::new("ex-nul-engine", "root", None, 0, Some(100)).attr("k\0ey", json!("v\0alue")).record();
        record.span.name = format!("workflow \0 {ESCAPE}");
        for _ in 0..2 {
            let ingested = api.store.insert_spans(std::slice::from_ref(&record)).await?;
            assert!(ingested.rejected.is_empty(), "{:?}", ingested.rejected);
        }
        let page = api.store.spans_since("ex-nul-engine", 0).await?;
        assert_eq!(page.spans, vec![record.span.clone()]);
        let (_, trace) = api.get_json("/api/executions/ex-nul-engine/trace", None).await?;
        assert_eq!(trace["spans"][0]["name"], json!(record.span.name));
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn ids_with_nul_are_refused_with_a_reason() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let good = span("00000000000000b1", None, "fine", "ex-good");
        let bad_execution = span("00000000000000b2", None, "fine", "ex\0bad");
        let (status, answer) = post(&api, &body(vec![good.clone(), bad_execution])).await?;
        assert_eq!(status, 400, "{backend:?}: {answer}");
        assert_eq!(answer["code"], "invalid_text", "{answer}");
        assert!(
            answer["detail"].as_str().is_some_and(|d| d.contains("execution id") && d.contains("U+0000")),
            "{answer}"
        );
        let mut bad_workflow = good.clone();
        if let Some(attributes) = bad_workflow["attributes"].as_array_mut() {
            attributes.push(json!({"key": "orcheo.workflow.id", "value": string("wf\0")}));
        }
        let (status, answer) = post(&api, &body(vec![bad_workflow])).await?;
        assert_eq!((status, answer["code"].as_str()), (400, Some("invalid_text")), "{answer}");
        assert_eq!(api.get_json("/api/executions/ex-good/trace", None).await?.0, 404, "nothing of a refused request");

        // REST ids and filters: never a 500.
        let (status, _) = post(&api, &body(vec![good])).await?;
        assert_eq!(status, 200);
        for path in [
            "/api/executions/%00/trace",
            "/api/executions/ex-good%00/trace",
            "/api/artifacts/%00/download",
            "/api/executions/%00/trace/live",
        ] {
            let (status, answer) = api.get_json(path, None).await?;
            assert_eq!((status, answer["code"].as_str()), (404, Some("not_found")), "{backend:?} {path}: {answer}");
        }
        for path in ["/api/executions?workflow_id=%00", "/api/executions?workflow_id=wf%00x&status=%00"] {
            let (status, answer) = api.get_json(path, None).await?;
            assert_eq!(status, 400, "{backend:?} {path}: {answer}");
        }
        for path in ["/api/executions?cursor=%00", "/api/executions/ex-good/trace?cursor=%00"] {
            let (status, answer) = api.get_json(path, None).await?;
            assert_eq!((status, answer["code"].as_str()), (400, Some("invalid_cursor")), "{path}: {answer}");
        }
        assert_eq!(api.get_json("/api/executions/ex-good/trace", None).await?.0, 200);
        api.stop().await;
        Ok(db)
    })
    .await
}

/// A token's subject is whatever its issuer wrote: one with U+0000 is recorded as it is, and the audit trail goes on.
#[tokio::test]
async fn a_subject_with_nul_is_audited_as_it_is() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        const SECRET: &str = "audit-secret";
        let auth = Authenticator::new(&AuthConfig {
            required: true,
            jwt_secret: Some(SECRET.to_owned()),
            ..AuthConfig::default()
        })?;
        let api = TestApi::start(&db, |s| s.with_auth(auth)).await?;
        api.store.insert_spans(&finished_run("ex-audit", &["a"])).await?;
        let token = |sub: &str| -> anyhow::Result<String> {
            let claims = json!({"sub": sub, "scope": "workflows:read", "workspace_ids": ["*"],
                                "exp": chrono::Utc::now().timestamp() + 600});
            let key = EncodingKey::from_secret(SECRET.as_bytes());
            Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)?)
        };
        for sub in ["eve\0", "ana"] {
            let (status, body) = api.get_json("/api/executions/ex-audit/trace", Some(&token(sub)?)).await?;
            assert_eq!(status, 200, "{backend:?} {sub:?}: {body}");
        }
        // Written off the request path, in order: once the second view is there, the first was handled.
        let mut subjects = Vec::new();
        for _ in 0..50 {
            subjects = api.store.audit_entries(10).await?.into_iter().map(|e| e.subject).collect::<Vec<_>>();
            if subjects.iter().any(|s| s == "ana") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(subjects, ["ana", "eve\0"], "{backend:?}");
        api.stop().await;
        Ok(db)
    })
    .await
}

/// Artifact names and types are the engine's text: U+0000 in them is kept.
#[tokio::test]
async fn artifact_names_with_nul_are_kept() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        api.store.insert_spans(&finished_run("ex-art", &["a"])).await?;
        api.store
            .put_artifact(&trace_api::store::NewArtifact {
                id: "art-nul".to_owned(),
                execution_id: "ex-art".to_owned(),
                span_id: Some(common::span_id("root")),
                name: format!("re\0port {ESCAPE}0.txt"),
                content_type: "text/plain\0".to_owned(),
                content: b"bytes".to_vec(),
            })
            .await?;
        let (status, trace) = api.get_json("/api/executions/ex-art/trace", None).await?;
        assert_eq!(status, 200, "{backend:?}: {trace}");
        let root = trace["spans"].as_array().and_then(|spans| spans.iter().find(|s| s["parent_span_id"].is_null()));
        let artifact = root.map(|r| r["artifacts"][0].clone()).unwrap_or_default();
        assert_eq!(artifact["name"], json!(format!("re\0port {ESCAPE}0.txt")), "{backend:?}: {trace}");
        assert_eq!(artifact["content_type"], json!("text/plain\0"), "{backend:?}: {trace}");
        let response = api.get("/api/artifacts/art-nul/download", None).await?;
        assert_eq!(response.status().as_u16(), 200, "{backend:?}");
        let disposition = response.headers().get("content-disposition").and_then(|v| v.to_str().ok());
        assert!(
            disposition.is_some_and(|d| d.contains("filename*=UTF-8''re%00port%20%EF%B7%900.txt")),
            "{disposition:?}"
        );
        assert_eq!(
            response.headers().get("content-type").and_then(|v| v.to_str().ok()),
            Some("application/octet-stream"),
            "a type that is no header value"
        );
        assert_eq!(response.bytes().await?.as_ref(), b"bytes");
        api.stop().await;
        Ok(db)
    })
    .await
}
