//! Redaction before any span leaves the process: a corpus of secrets goes through prompts, URLs and errors, and
//! none of it survives in any persisted or exported byte. Also previews, the payload budget, prompt capture, the
//! kill switch and sampling.

mod common;

use std::sync::Arc;

use common::receivers::{GrpcReceiver, HttpReceiver};
use common::{Spans, attr, run_with};
use engine_instrumentation::config::{ExporterKind, OtlpProtocol};
use engine_instrumentation::{MemorySink, RunOutcome, RunRequest, SpanRecord, TracingConfig, TracingPipeline};
use reference_engine::samples::{self, LoopbackServer};
use reference_engine::{Engine, NodeAction, NodeSpec, Step, Workflow};

/// Secrets of every supported shape, and the part of each that must never appear.
const CORPUS: [(&str, &str); 17] = [
    ("openai key sk-proj-Zx8Qw4Er6Ty2Ui0Op9As7Df5Gh3Jk1Lm", "Zx8Qw4Er6Ty2Ui0Op9As7Df5Gh3Jk1Lm"),
    ("anthropic sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"),
    ("google AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"),
    ("github ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"),
    ("slack xoxb-1234567890-AbCdEfGhIjKl", "1234567890-AbCdEfGhIjKl"),
    ("stripe sk_live_51HxYzAbCdEfGhIjKlMnOp", "51HxYzAbCdEfGhIjKlMnOp"),
    ("hf hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567", "AbCdEfGhIjKlMnOpQrStUvWxYz01234567"),
    ("aws AKIAIOSFODNN7EXAMPLE", "IOSFODNN7EXAMPLE"),
    ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI/K7MDENG"),
    (
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "dozjgNryP4J3jVmNHl0w5N",
    ),
    ("Authorization: Bearer 9f8e7d6c5b4a3f2e1d0cQ", "9f8e7d6c5b4a3f2e1d0cQ"),
    (
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END RSA PRIVATE KEY-----",
        "MIIEvQIBADANBgkqhkiG9w0BAQEF",
    ),
    (r#"config {"db_password": "Hunter2-corpus!", "user": "svc"}"#, "Hunter2-corpus!"),
    ("login password=S3cr3t-Pa55word", "S3cr3t-Pa55word"),
    ("mail jane.doe@example.org", "jane.doe@example.org"),
    ("visa 4111 1111 1111 1111", "4111 1111 1111 1111"),
    ("mastercard 5500-0000-0000-0004", "5500-0000-0000-0004"),
];

/// A workflow that carries every secret through a prompt, an HTTP URL, an artifact, and an error message.
fn leaky(http_base: &str) -> Workflow {
    let everything: Vec<&str> = CORPUS.iter().map(|(text, _)| *text).collect();
    let everything = everything.join("\n");
    Workflow::new(
        "leaky",
        vec![
            Step::Node(NodeSpec::new(
                "ask",
                NodeAction::Llm {
                    model: "local-mini".to_owned(),
                    system: everything.clone(),
                    prompt: everything.clone(),
                },
            )),
            Step::Node(NodeSpec::new(
                "call",
                NodeAction::Http {
                    method: "GET".to_owned(),
                    url: format!(
                        "{http_base}/x?api_key=sk-proj-Zx8Qw4Er6Ty2Ui0Op9As7Df5Gh3Jk1Lm&token=9f8e7d6c5b4a3f2e1d0cQ"
                    ),
                },
            )),
            Step::Node(NodeSpec::new("fail", NodeAction::Fail { message: everything })),
        ],
    )
}

fn leaks(bytes: &[u8]) -> Vec<&'static str> {
    CORPUS.iter().map(|(_, secret)| *secret).filter(|secret| contains(bytes, secret.as_bytes())).collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_survives_in_persisted_or_exported_bytes() -> anyhow::Result<()> {
    let server = LoopbackServer::start().await?;
    let http = HttpReceiver::start().await?;
    let grpc = GrpcReceiver::start().await?;
    for (protocol, endpoint, received) in [
        (OtlpProtocol::HttpProtobuf, http.endpoint(), &http.received),
        (OtlpProtocol::Grpc, grpc.endpoint(), &grpc.received),
    ] {
        let config = TracingConfig { exporter: ExporterKind::Otlp, protocol, endpoint, ..TracingConfig::default() };
        let (outcome, records) = run_with(config, &leaky(&server.url("")), RunRequest::new("exec-leak")).await?;
        anyhow::ensure!(matches!(outcome, RunOutcome::Failed { .. }), "{outcome:?}");
        // The secrets did reach the spans' inputs: the run went through every node.
        assert_eq!(records.len(), 6, "root, three nodes, the model call and the HTTP call");
        let stored = serde_json::to_vec(&records.iter().map(|r| &r.span).collect::<Vec<_>>())?;
        assert_eq!(leaks(&stored), Vec::<&str>::new(), "persisted ({protocol:?})");
        let exported = received.raw();
        assert!(!exported.is_empty(), "{protocol:?}: something was exported");
        assert_eq!(leaks(&exported.concat()), Vec::<&str>::new(), "exported ({protocol:?})");
        assert!(contains(&stored, b"[REDACTED:api_key]") && contains(&exported.concat(), b"[REDACTED:api_key]"));
    }
    assert!(!server.received().is_empty(), "the real request carried its URL");
    Ok(())
}

#[tokio::test]
async fn previews_are_truncated_and_marked() -> anyhow::Result<()> {
    let config = TracingConfig { preview_max_length: 40, ..TracingConfig::default() };
    let (_, records) = run_with(config, &samples::summarize(), RunRequest::new("exec-preview")).await?;
    let spans = Spans::new(&records);
    let llm = spans.one("chat local-mini")?;
    let preview = attr(llm, "orcheo.prompt.preview")?.as_str().unwrap_or_default();
    assert_eq!(preview.chars().count(), 40);
    assert_eq!(attr(llm, "orcheo.prompt.truncated")?, true);
    assert!(!preview.contains("ops@example.com"));
    Ok(())
}

#[tokio::test]
async fn capture_prompts_off_keeps_counts_but_no_text() -> anyhow::Result<()> {
    let config = TracingConfig { capture_prompts: false, ..TracingConfig::default() };
    let (_, records) = run_with(config, &samples::summarize(), RunRequest::new("exec-noprompt")).await?;
    let llm = Spans::new(&records).one("chat local-mini")?;
    for key in ["gen_ai.input.messages", "gen_ai.output.messages", "orcheo.prompt.preview", "orcheo.response.preview"] {
        assert!(!llm.span.attributes.contains_key(key), "{key}");
    }
    assert!(llm.span.token_usage.is_some_and(|t| t.input > 0 && t.output > 0));
    Ok(())
}

#[tokio::test]
async fn the_payload_budget_cuts_largest_values_and_keeps_every_span() -> anyhow::Result<()> {
    let huge = "lorem ipsum dolor sit amet ".repeat(50_000); // ~1.35 MB per message
    let workflow = Workflow::new(
        "huge-prompts",
        (0..3)
            .map(|i| {
                Step::Node(NodeSpec::new(
                    &format!("ask_{i}"),
                    NodeAction::Llm {
                        model: "local-mini".to_owned(),
                        system: "Be brief.".to_owned(),
                        prompt: huge.clone(),
                    },
                ))
            })
            .collect(),
    );
    let sink = MemorySink::default();
    let pipeline = TracingPipeline::with_sink(Arc::new(sink.clone()))?;
    pipeline.wrap(Engine::default()).run(&workflow, &RunRequest::new("exec-huge")).await;
    pipeline.shutdown().await?;
    let records: Vec<SpanRecord> = sink.records();
    assert_eq!(records.len(), 7, "root, three nodes, three model calls: none dropped");
    let payload: usize = records.iter().map(|r| serde_json::to_vec(&r.span).map_or(0, |b| b.len())).sum();
    assert!(payload < 1_100_000, "stored payload {payload} bytes");
    let cut: Vec<_> =
        records.iter().filter(|r| r.span.attributes.get("orcheo.truncated") == Some(&true.into())).collect();
    assert!(!cut.is_empty());
    assert!(cut.iter().any(|r| r.span.name.starts_with("chat ")), "model calls are cut");
    for record in &cut {
        let keys = record.span.attributes["orcheo.truncated.attributes"].as_array().cloned().unwrap_or_default();
        if record.span.name.starts_with("node ") {
            // A node span's bulk is its input and output state (docs/configuration.md, "Node input and output").
            assert!(keys.iter().all(|k| k == "input.value" || k == "output.value"), "{keys:?}");
        } else {
            assert!(keys.contains(&"gen_ai.input.messages".into()), "the largest value goes first: {keys:?}");
        }
        assert!(record.span.attributes["orcheo.truncated.bytes"].as_u64().unwrap_or(0) > 0);
    }
    assert_eq!(pipeline.stats().truncated_spans, cut.len() as u64, "counted");
    Ok(())
}

#[tokio::test]
async fn the_kill_switch_records_nothing_and_changes_nothing() -> anyhow::Result<()> {
    let config = TracingConfig { enabled: false, ..TracingConfig::default() };
    let traced = run_with(TracingConfig::default(), &samples::summarize(), RunRequest::new("exec-on")).await?;
    let (outcome, records) = run_with(config, &samples::summarize(), RunRequest::new("exec-off")).await?;
    assert!(records.is_empty());
    assert_eq!(outcome, traced.0, "the run's result is the same either way");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsampled_traces_are_persisted_but_not_exported() -> anyhow::Result<()> {
    let http = HttpReceiver::start().await?;
    let server = LoopbackServer::start().await?;
    let config = TracingConfig {
        exporter: ExporterKind::Otlp,
        endpoint: http.endpoint(),
        sample_ratio: 0.0,
        ..TracingConfig::default()
    };
    let (_, records) =
        run_with(config, &samples::http_call(&server.url("/x")), RunRequest::new("exec-unsampled")).await?;
    assert_eq!(records.len(), 4);
    assert!(http.received.spans().is_empty());
    let traceparent = server.received().first().and_then(|r| r.traceparent.clone()).unwrap_or_default();
    assert!(traceparent.ends_with("-00"), "downstream learns the trace is not sampled: {traceparent}");
    Ok(())
}
