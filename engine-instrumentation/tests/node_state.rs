//! Each node's input and output state on its span (`input.value` / `output.value`, JSON): redacted, bounded,
//! within the payload budget, and off with `capture_state`.

mod common;

use common::{Spans, attr, run_with};
use engine_instrumentation::attrs;
use engine_instrumentation::budget::SHORT_VALUE;
use engine_instrumentation::state::{MAX_ITEMS, MAX_STRING_CHARS};
use engine_instrumentation::{RunOutcome, RunRequest, SpanRecord, TracingConfig};
use reference_engine::samples::{self, FAKE_API_KEY};
use reference_engine::{NodeAction, NodeSpec, Step, Workflow};
use serde_json::{Value, json};

/// The JSON state recorded under `key` (`input.value` or `output.value`).
fn state(record: &SpanRecord, key: &str) -> anyhow::Result<Value> {
    let text = attr(record, key)?.as_str().unwrap_or_default();
    Ok(serde_json::from_str(text)?)
}

fn task(id: &str) -> Step {
    Step::Node(NodeSpec::new(id, NodeAction::Task { duration: std::time::Duration::ZERO }))
}

#[tokio::test]
async fn node_spans_carry_their_input_and_output_state_redacted() -> anyhow::Result<()> {
    let (outcome, records) =
        run_with(TracingConfig::default(), &samples::summarize(), RunRequest::new("exec-io")).await?;
    anyhow::ensure!(matches!(outcome, RunOutcome::Completed { .. }), "{outcome:?}");
    let spans = Spans::new(&records);
    let node = spans.one("node summarize")?;
    assert_eq!(attr(node, attrs::INPUT_MIME_TYPE)?, attrs::JSON_MIME_TYPE);
    assert_eq!(attr(node, attrs::OUTPUT_MIME_TYPE)?, attrs::JSON_MIME_TYPE);
    let input = state(node, attrs::INPUT_VALUE)?;
    let output = state(node, attrs::OUTPUT_VALUE)?;
    // The secret-named field loses its value, the e-mail address is redacted as text; the rest is as the engine had it.
    assert_eq!(input["settings"]["api_key"], "[REDACTED:secret_key]");
    assert_eq!(input["recipient"], "[REDACTED:email]");
    assert_eq!(input["settings"]["max_words"], 120);
    assert_eq!(input["results"], json!({"fetch_report": "fetch_report done"}));
    // The output is the state the node left: its own result added.
    assert_eq!(output["results"]["fetch_report"], "fetch_report done");
    assert!(output["results"]["summarize"].as_str().is_some_and(|s| !s.is_empty()), "{output}");
    assert_eq!(output["settings"]["api_key"], "[REDACTED:secret_key]");
    assert!(!node.span.attributes.contains_key(attrs::NODE_INPUT_TRUNCATED), "a small state is not bounded");
    // Nothing of the key survives anywhere in the stored spans.
    let stored = serde_json::to_string(&records.iter().map(|r| &r.span).collect::<Vec<_>>())?;
    assert!(!stored.contains(FAKE_API_KEY) && !stored.contains("ops@example.com"));
    // The first node starts from the workflow's state and an empty result set.
    let first = state(spans.one("node fetch_report")?, attrs::INPUT_VALUE)?;
    assert_eq!(first["results"], json!({}));
    assert_eq!(first["report"], "Q3 2026");
    Ok(())
}

#[tokio::test]
async fn capture_state_off_records_neither_side() -> anyhow::Result<()> {
    let config = TracingConfig { capture_state: false, ..TracingConfig::default() };
    let (_, records) = run_with(config, &samples::summarize(), RunRequest::new("exec-no-io")).await?;
    assert_eq!(records.len(), 5, "root, three nodes, the model call");
    for record in records.iter().filter(|r| r.span.name.starts_with("node ")) {
        for key in [attrs::INPUT_VALUE, attrs::OUTPUT_VALUE, attrs::INPUT_MIME_TYPE, attrs::OUTPUT_MIME_TYPE] {
            assert!(!record.span.attributes.contains_key(key), "{} has {key}", record.span.name);
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_failed_attempt_has_an_input_and_no_output() -> anyhow::Result<()> {
    let (_, records) = run_with(TracingConfig::default(), &samples::retry(), RunRequest::new("exec-io-retry")).await?;
    let attempts = Spans::new(&records).all("node enrich");
    assert_eq!(attempts.len(), 3);
    for attempt in &attempts {
        let failed = attempt.span.attributes.get("orcheo.node.status").and_then(Value::as_str) == Some("failed");
        assert!(attempt.span.attributes.contains_key(attrs::INPUT_VALUE));
        assert_eq!(attempt.span.attributes.contains_key(attrs::OUTPUT_VALUE), !failed, "{}", attempt.span.span_id);
    }
    Ok(())
}

#[tokio::test]
async fn parallel_branches_each_add_only_their_own_result() -> anyhow::Result<()> {
    let (_, records) = run_with(TracingConfig::default(), &samples::fan_out(), RunRequest::new("exec-io-fan")).await?;
    let spans = Spans::new(&records);
    let news = state(spans.one("node scan_news")?, attrs::OUTPUT_VALUE)?;
    let keys: Vec<&String> = news["results"].as_object().map(|m| m.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["plan", "scan_news"]);
    let merge = state(spans.one("node merge")?, attrs::INPUT_VALUE)?;
    let keys: Vec<&String> = merge["results"].as_object().map(|m| m.keys().collect()).unwrap_or_default();
    assert_eq!(keys, ["plan", "scan_filings", "scan_news", "scan_prices"]);
    Ok(())
}

#[tokio::test]
async fn large_states_are_bounded_and_marked() -> anyhow::Result<()> {
    let deep = (0..10).fold(json!("bottom"), |inner, _| json!({ "down": inner }));
    let workflow = Workflow::new("big-state", vec![task("only")]).with_state(json!({
        "deep": deep,
        "list": (0..100).collect::<Vec<u32>>(),
        "text": "t".repeat(MAX_STRING_CHARS + 500),
        "token": "sk-live-0123456789abcdefghijklmnop",
    }));
    let (_, records) = run_with(TracingConfig::default(), &workflow, RunRequest::new("exec-io-big")).await?;
    let node = Spans::new(&records).one("node only")?;
    assert_eq!(attr(node, attrs::NODE_INPUT_TRUNCATED)?, true);
    assert_eq!(attr(node, attrs::NODE_OUTPUT_TRUNCATED)?, true);
    let input = state(node, attrs::INPUT_VALUE)?;
    // The root object is depth 0: objects at depths 1 to 5 are kept, the one at depth 6 is the mark.
    assert_eq!(input["deep"]["down"]["down"]["down"]["down"]["down"], attrs::STATE_CUT);
    let list = input["list"].as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), MAX_ITEMS + 1);
    assert_eq!(list[MAX_ITEMS], format!("{}36", attrs::STATE_MORE_ITEMS));
    let text = input["text"].as_str().unwrap_or_default();
    assert_eq!(text.chars().count(), MAX_STRING_CHARS + attrs::TRUNCATION_MARK.chars().count());
    assert!(text.ends_with(attrs::TRUNCATION_MARK));
    // Secret-shaped text inside the state is redacted like any other value.
    assert!(input["token"].as_str().is_some_and(|t| t.contains("[REDACTED") && !t.contains("0123456789abcdef")));
    Ok(())
}

#[tokio::test]
async fn states_count_against_the_payload_budget() -> anyhow::Result<()> {
    let notes: Vec<String> = (0..20).map(|i| format!("{i}:{}", "n".repeat(1_000))).collect();
    let steps = (0..4).map(|i| task(&format!("step_{i}"))).collect();
    let workflow = Workflow::new("budgeted", steps).with_state(json!({ "notes": notes }));
    let config = TracingConfig { execution_budget_bytes: 50_000, ..TracingConfig::default() };
    let (_, records) = run_with(config, &workflow, RunRequest::new("exec-io-budget")).await?;
    assert_eq!(records.len(), 5, "every span is kept");
    let nodes: Vec<&SpanRecord> = records.iter().filter(|r| r.span.name.starts_with("node ")).collect();
    let total: usize = nodes
        .iter()
        .flat_map(|r| [attrs::INPUT_VALUE, attrs::OUTPUT_VALUE].map(|k| r.span.attributes.get(k)))
        .map(|v| v.and_then(Value::as_str).map_or(0, str::len))
        .sum();
    // Each state is ~20 KB: eight of them do not fit in 50 KB. A cut value keeps a short head and the mark.
    assert!(total > 45_000 && total <= 50_000 + 8 * (SHORT_VALUE + attrs::TRUNCATION_MARK.len()), "{total}");
    let cut: Vec<&&SpanRecord> = nodes.iter().filter(|r| r.span.attributes.contains_key(attrs::TRUNCATED)).collect();
    assert!(!cut.is_empty());
    for record in cut {
        let names = attr(record, attrs::TRUNCATED_ATTRIBUTES)?.to_string();
        for (value, mime) in
            [(attrs::INPUT_VALUE, attrs::INPUT_MIME_TYPE), (attrs::OUTPUT_VALUE, attrs::OUTPUT_MIME_TYPE)]
        {
            if names.contains(value) {
                assert!(attr(record, value)?.as_str().is_some_and(|t| t.ends_with(attrs::TRUNCATION_MARK)));
                assert_eq!(attr(record, mime)?, "text/plain");
            } else {
                assert_eq!(attr(record, mime)?, attrs::JSON_MIME_TYPE);
                state(record, value)?;
            }
        }
    }
    Ok(())
}
