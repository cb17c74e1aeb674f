//! Property tests of what the service reads from the outside: the OTLP decoder (protobuf and JSON, gzip or not)
//! with the conversion and redaction behind it, and the REST paths and query parameters. Whatever arrives, the
//! answer is a value or a clear error — never a panic, never a 500. The generated inputs start from a corpus of
//! the hard cases: U+0000, invalid UTF-8, deep nesting, huge counts.

mod common;

use std::io::Write;

use engine_instrumentation::redact::Redactor;
use engine_instrumentation::redact::record::redact_wire_span;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;
use trace_api::otlp::{Encoding, decode, to_records};

const MAX: usize = 1 << 20;

fn span(name: &str, attributes: serde_json::Value) -> serde_json::Value {
    json!({"traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174", "name": name,
           "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000100000000",
           "droppedAttributesCount": 4_294_967_295_u32, "kind": 99, "attributes": attributes})
}

fn body(spans: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "fuzz\u{0}"}}]}, "scopeSpans": [{"spans": spans}]}]}))
    .unwrap_or_default()
}

/// Valid bodies with the hard cases in them, and bodies that are broken on purpose.
static CORPUS: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(corpus);

fn corpus() -> Vec<Vec<u8>> {
    let mut nested = json!({"stringValue": "leaf"});
    for _ in 0..200 {
        nested = json!({"kvlistValue": {"values": [{"key": "k", "value": nested}]}});
    }
    let mut shallow = json!({"stringValue": "leaf"});
    for _ in 0..20 {
        shallow = json!({"arrayValue": {"values": [shallow, {"intValue": "9223372036854775807"}]}});
    }
    let many: Vec<serde_json::Value> = (0..300)
        .map(|i| {
            let mut s = span(&format!("s{i}"), json!([]));
            s["spanId"] = json!(format!("{:016x}", i + 1));
            s["parentSpanId"] = json!(format!("{:016x}", i));
            s
        })
        .collect();
    vec![
        body(vec![span(
            "nul\u{0}name",
            json!([{"key": "k\u{0}", "value": {"stringValue": "v\u{0}password=hunter2"}}]),
        )]),
        body(vec![span("deep", json!([{"key": "deep", "value": nested}]))]),
        body(vec![span("nested", json!([{"key": "n", "value": shallow}]))]),
        body(many),
        body(vec![span("bytes", json!([{"key": "b", "value": {"bytesValue": "////"}}]))]),
        b"{\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [{\"name\": \"\xff\xfe\"}]}]}]}".to_vec(),
        vec![0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f],
        vec![0x0a; 64],
    ]
}

/// Decodes, converts and redacts like the receiver; checks what comes out is well-formed.
fn receive(bytes: &[u8], encoding: Encoding, gzip: bool) {
    let compressed;
    let (body, content_encoding) = if gzip {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = gz.write_all(bytes);
        compressed = gz.finish().unwrap_or_default();
        (compressed.as_slice(), Some("gzip"))
    } else {
        (bytes, None)
    };
    let Ok(request) = decode(body, encoding, content_encoding, MAX) else { return };
    let redactor = Redactor::default();
    for mut record in to_records(&request) {
        assert_eq!(record.trace_id.len(), 32, "{record:?}");
        assert_eq!(record.span.span_id.len(), 16, "{record:?}");
        redact_wire_span(&redactor, &mut record.span);
        assert!(!serde_json::to_string(&record.span).unwrap_or_default().contains("hunter2"));
    }
}

proptest! {
    #![proptest_config(Config { cases: 1500, ..Config::default() })]

    #[test]
    fn any_bytes_are_refused_or_read(bytes in proptest::collection::vec(any::<u8>(), 0..2048), json in any::<bool>(), gzip in any::<bool>()) {
        receive(&bytes, if json { Encoding::Json } else { Encoding::Protobuf }, gzip);
    }

    #[test]
    fn mutated_corpus_bodies_are_refused_or_read(
        seed in 0..8_usize,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..12),
        cut in any::<prop::sample::Index>(),
        gzip in any::<bool>(),
    ) {
        let mut bytes = CORPUS[seed].clone();
        for (at, byte) in edits {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        let keep = cut.index(bytes.len() + 1);
        bytes.truncate(keep.max(bytes.len() / 2));
        receive(&bytes, Encoding::Json, gzip);
        receive(&bytes, Encoding::Protobuf, gzip);
    }
}

#[test]
fn the_corpus_itself_is_read_or_refused_with_a_reason() {
    for (i, bytes) in CORPUS.iter().enumerate() {
        match decode(bytes, Encoding::Json, None, MAX) {
            Ok(request) => assert!(!to_records(&request).is_empty(), "corpus {i}"),
            Err(e) => assert!(!e.to_string().is_empty(), "corpus {i}"),
        }
        receive(bytes, Encoding::Protobuf, true);
    }
}

/// Query values and path ids as a careless or hostile client sends them.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[0-9]{1,30}",
        "-[0-9]{1,6}",
        Just("%00".to_owned()),
        Just("%ZZ%".to_owned()),
        Just("v1.%00.5".to_owned()),
        "v1\\.[0-9a-z.]{0,20}",
        "(%[0-9A-F]{2}){1,10}",
        Just("a".repeat(5000)),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_paths_and_queries_never_answer_500() -> anyhow::Result<()> {
    common::on_each_backend(|_, db: common::TestDb| async move {
        let api = common::TestApi::start(&db, |s| s).await?;
        api.store.insert_spans(&common::finished_run("ex-fuzz", &["a", "b"])).await?;
        let mut runner = TestRunner::new(Config { cases: 300, ..Config::default() });
        let keys = ["limit", "cursor", "status", "workflow_id", "trace_id", "include", "access_token"];
        let strategy = (prop::sample::select(keys.to_vec()), hostile_text(), hostile_text(), 0..4_usize);
        for _ in 0..300 {
            let (key, value, id, route) =
                strategy.new_tree(&mut runner).map_err(|e| anyhow::anyhow!("generating: {e}"))?.current();
            let path = match route {
                0 => format!("/api/executions?{key}={value}"),
                1 => format!("/api/executions/{id}/trace?{key}={value}"),
                2 => format!("/api/executions/ex-fuzz/trace?{key}={value}"),
                _ => format!("/api/artifacts/{id}/download"),
            };
            let Ok(url) = reqwest::Url::parse(&api.url(&path)) else { continue };
            let response = api.client.get(url).send().await?;
            let status = response.status().as_u16();
            let text = response.text().await?;
            assert!(status < 500, "{path} answered {status}: {text}");
            if status >= 400 {
                let error: serde_json::Value = serde_json::from_str(&text)?;
                assert!(error["detail"].is_string() && error["code"].is_string(), "{path}: {text}");
            }
        }
        api.stop().await;
        Ok(db)
    })
    .await
}
