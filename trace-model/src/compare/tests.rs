use chrono::Duration;
use serde_json::json;

use super::*;
use crate::conventions::names::*;
use crate::tree::tests::span;

/// A run as our instrumentation records it: the workflow root, then per node (id, attempt, status, ms, output)
/// a node span, and for `llm` nodes a model call under it (prompt, response, tokens).
struct Builder {
    spans: Vec<Span>,
}

impl Builder {
    fn new(prefix: &str) -> Self {
        let mut root = span(&format!("{prefix}root"), None, 0);
        root.name = "workflow wf".to_owned();
        root.kind = SpanKind::Workflow;
        root.end_time = Some(root.start_time + Duration::milliseconds(1000));
        Self { spans: vec![root] }
    }

    fn node(mut self, id: &str, attempt: u64, status: StatusCode, ms: i64, output: &str) -> Self {
        let root = self.spans[0].span_id.clone();
        let n = self.spans.len() as i64;
        let mut s = span(&format!("{root}-{id}-{attempt}"), Some(&root), n * 10);
        s.name = format!("node {id}");
        s.kind = SpanKind::Node;
        s.status.code = status;
        s.end_time = Some(s.start_time + Duration::milliseconds(ms));
        s.attributes.insert(NODE_ID.to_owned(), json!(id));
        s.attributes.insert(NODE_ATTEMPT.to_owned(), json!(attempt));
        s.attributes.insert(OUTPUT_VALUE.to_owned(), json!(output));
        self.spans.push(s);
        self
    }

    /// A model call under the last node.
    fn llm(mut self, prompt: &str, response: &str, tokens: (u64, u64)) -> Self {
        let Some(parent) = self.spans.last().cloned() else { return self };
        let mut s = span(&format!("{}-llm", parent.span_id), Some(&parent.span_id), 0);
        s.start_time = parent.start_time + Duration::milliseconds(1);
        s.end_time = Some(s.start_time + Duration::milliseconds(5));
        s.name = "chat local-mini".to_owned();
        s.kind = SpanKind::Llm;
        s.status.code = StatusCode::Ok;
        s.attributes.insert(NODE_ID.to_owned(), parent.attributes[NODE_ID].clone());
        s.attributes.insert(GEN_AI_REQUEST_MODEL.to_owned(), json!("gpt-4o"));
        s.attributes.insert(PROMPT_PREVIEW.to_owned(), json!(prompt));
        s.attributes.insert(RESPONSE_PREVIEW.to_owned(), json!(response));
        s.token_usage = Some(TokenUsage::new(tokens.0, tokens.1));
        self.spans.push(s);
        self
    }

    fn build(self) -> (Vec<Span>, SpanTree) {
        let tree = SpanTree::build(&self.spans);
        (self.spans, tree)
    }
}

fn base(prefix: &str) -> Builder {
    Builder::new(prefix)
        .node("fetch", 1, StatusCode::Ok, 100, "report")
        .node("summarize", 1, StatusCode::Ok, 200, "summary")
        .llm("Summarize the report", "A short summary", (100, 20))
        .node("publish", 1, StatusCode::Ok, 50, "done")
}

fn run_compare(left: &(Vec<Span>, SpanTree), right: &(Vec<Span>, SpanTree)) -> Comparison {
    compare(Run { spans: &left.0, tree: &left.1 }, Run { spans: &right.0, tree: &right.1 }, &PriceTable::default())
}

/// Each row as (name, changes' labels).
fn summary(c: &Comparison) -> Vec<(String, Vec<&'static str>)> {
    c.rows.iter().map(|r| (r.name.clone(), r.changes.labels(r.kind))).collect()
}

#[test]
fn identical_runs_have_no_differences() {
    let c = run_compare(&base("a").build(), &base("b").build());
    assert_eq!(c.differing, 0);
    let names: Vec<&str> = c.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["workflow wf", "node fetch", "node summarize", "chat local-mini", "node publish"]);
    assert!(c.rows.iter().all(|r| r.left.is_some() && r.right.is_some() && !r.changes.any()));
    let llm = &c.rows[3];
    assert_eq!(llm.depth, 2);
    assert_eq!(llm.left.as_ref().and_then(|s| s.tokens), Some(TokenUsage::new(100, 20)));
    // 100 × 2.50 + 20 × 10 per million.
    assert!(
        matches!(&llm.right.as_ref().and_then(|s| s.cost.clone()), Some(SpanCost::Estimated(e)) if (e.usd - 0.00045).abs() < 1e-12)
    );
    assert_eq!(llm.left.as_ref().map(|s| s.node), Some(3));
}

#[test]
fn a_node_missing_on_one_side_is_only_there_with_its_children() {
    let left = base("a").build();
    let right = Builder::new("b")
        .node("fetch", 1, StatusCode::Ok, 100, "report")
        .node("publish", 1, StatusCode::Ok, 50, "done")
        .node("archive", 1, StatusCode::Ok, 50, "archived")
        .build();
    let c = run_compare(&left, &right);
    assert_eq!(
        summary(&c)[..c.differing],
        [
            ("node summarize".to_owned(), vec!["only in A"]),
            ("chat local-mini".to_owned(), vec!["only in A"]),
            ("node archive".to_owned(), vec!["only in B"]),
        ]
    );
    let archive = &c.rows[2];
    assert!(archive.left.is_none() && archive.right.as_ref().map(|s| s.node) == Some(3));
    assert_eq!(c.rows.len(), 6);
}

#[test]
fn a_changed_output_and_prompt_are_flagged_by_text() {
    let left = base("a").build();
    let right = Builder::new("b")
        .node("fetch", 1, StatusCode::Ok, 100, "report")
        .node("summarize", 1, StatusCode::Ok, 200, "another summary")
        .llm("Summarize the report!", "A different summary", (100, 20))
        .node("publish", 1, StatusCode::Ok, 50, "done")
        .build();
    let c = run_compare(&left, &right);
    assert_eq!(
        summary(&c)[..c.differing],
        [("node summarize".to_owned(), vec!["output"]), ("chat local-mini".to_owned(), vec!["prompt", "response"]),]
    );
    let llm = c.rows[1].right.as_ref().map(|s| s.node).unwrap_or_default();
    assert_eq!(input_text(&right.0[llm]).as_deref(), Some("Summarize the report!"));
    assert_eq!(output_text(&right.0[2]).as_deref(), Some("another summary"));
}

#[test]
fn status_duration_and_tokens_changes() {
    let left = base("a").build();
    let right = Builder::new("b")
        .node("fetch", 1, StatusCode::Error, 100, "report")
        // 200 → 230 ms: 30 ms but only 13 %: not notable.
        .node("summarize", 1, StatusCode::Ok, 230, "summary")
        .llm("Summarize the report", "A short summary", (100, 35))
        // 50 → 80 ms: 30 ms and 37 %.
        .node("publish", 1, StatusCode::Ok, 80, "done")
        .build();
    let c = run_compare(&left, &right);
    assert_eq!(
        summary(&c)[..c.differing],
        [
            ("node fetch".to_owned(), vec!["status"]),
            ("chat local-mini".to_owned(), vec!["tokens"]),
            ("node publish".to_owned(), vec!["duration"]),
        ]
    );
    let mut open = right.clone();
    open.0[1].end_time = None;
    let c = run_compare(&left, &open);
    assert_eq!(
        summary(&c)[0],
        ("node fetch".to_owned(), vec!["status", "duration"]),
        "an open span has no duration yet"
    );
}

#[test]
fn a_retried_node_is_aligned_by_attempt() {
    let left = Builder::new("a")
        .node("enrich", 1, StatusCode::Error, 10, "timeout")
        .node("enrich", 2, StatusCode::Ok, 10, "enriched")
        .build();
    // The second run succeeds at once: its attempt 1 is matched with the first run's attempt 1.
    let right = Builder::new("b").node("enrich", 1, StatusCode::Ok, 10, "enriched").build();
    let c = run_compare(&left, &right);
    let rows: Vec<(Option<usize>, Option<usize>, Vec<&str>)> = c
        .rows
        .iter()
        .map(|r| (r.left.as_ref().map(|s| s.node), r.right.as_ref().map(|s| s.node), r.changes.labels(r.kind)))
        .collect();
    assert_eq!(
        rows,
        [(Some(1), Some(1), vec!["status", "output"]), (Some(2), None, vec!["only in A"]), (Some(0), Some(0), vec![])]
    );

    // Without attempt attributes, the how-manyth span of the node is its attempt.
    let strip = |mut run: (Vec<Span>, SpanTree)| {
        for s in &mut run.0 {
            s.attributes.remove(NODE_ATTEMPT);
        }
        run
    };
    let both = Builder::new("b")
        .node("enrich", 1, StatusCode::Error, 10, "timeout")
        .node("enrich", 2, StatusCode::Ok, 10, "enriched")
        .build();
    let c = run_compare(&strip(left), &strip(both));
    assert_eq!(c.differing, 0);
    assert_eq!(c.rows.len(), 3);
}

#[test]
fn differences_come_first_then_the_order_of_the_runs() {
    let left = base("a").build();
    let right = Builder::new("b")
        .node("validate", 1, StatusCode::Ok, 5, "ok")
        .node("fetch", 1, StatusCode::Ok, 100, "report")
        .node("summarize", 1, StatusCode::Ok, 200, "summary")
        .llm("Summarize the report", "A short summary", (100, 20))
        .node("publish", 1, StatusCode::Error, 50, "done")
        .build();
    let c = run_compare(&left, &right);
    let names: Vec<&str> = c.rows.iter().map(|r| r.name.as_str()).collect();
    // The new first node of B goes after the root (its predecessor in B); publish changed; then the rest in order.
    assert_eq!(
        names,
        ["node validate", "node publish", "workflow wf", "node fetch", "node summarize", "chat local-mini"]
    );
    assert_eq!(c.differing, 2);
}

#[test]
fn repeated_calls_under_a_node_are_matched_in_order() {
    let two_calls = |prefix: &str, second: &str| {
        Builder::new(prefix)
            .node("draft", 1, StatusCode::Ok, 100, "draft")
            .llm("first", "one", (1, 1))
            .llm_sibling("second", second)
            .build()
    };
    let c = run_compare(&two_calls("a", "two"), &two_calls("b", "changed"));
    assert_eq!(summary(&c)[..c.differing], [("chat local-mini".to_owned(), vec!["response"])]);
    assert_eq!(c.rows[0].left.as_ref().map(|s| s.node), Some(3), "the second call with the second call");
}

impl Builder {
    /// Another model call under the same node as the last one.
    fn llm_sibling(mut self, prompt: &str, response: &str) -> Self {
        let Some(mut s) = self.spans.last().cloned() else { return self };
        s.span_id.push('2');
        s.start_time += Duration::milliseconds(2);
        s.end_time = Some(s.start_time + Duration::milliseconds(5));
        s.attributes.insert(PROMPT_PREVIEW.to_owned(), json!(prompt));
        s.attributes.insert(RESPONSE_PREVIEW.to_owned(), json!(response));
        self.spans.push(s);
        self
    }
}
