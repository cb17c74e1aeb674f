//! The metrics summary of a trace: duration, tokens, span and error counts, artifacts and models used, and what
//! the model calls cost.

use std::collections::BTreeMap;

use crate::conventions;
use crate::facts::{span_kind, span_tokens};
use crate::pricing::{CostTotal, PriceTable, span_cost};
use crate::timeline::TimeAxis;
use crate::tree::SpanTree;
use crate::wire::{ArtifactRef, Execution, Span, SpanKind, TokenUsage};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TraceMetrics {
    /// The execution's own duration when it has finished, else the time the spans cover so far.
    pub duration_ms: Option<f64>,
    pub tokens: TokenUsage,
    pub spans: usize,
    pub errors: usize,
    /// Every artifact once, in span order.
    pub artifacts: Vec<ArtifactRef>,
    pub models: Vec<ModelUse>,
}

/// One model and how the trace used it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelUse {
    pub model: String,
    pub calls: usize,
    pub tokens: TokenUsage,
}

/// Aggregates over the spans kept in `tree` (duplicates are counted once).
pub fn trace_metrics(execution: &Execution, spans: &[Span], tree: &SpanTree) -> TraceMetrics {
    let kept = || spans.iter().enumerate().filter(|(node, _)| tree.nodes.get(*node).is_some_and(|n| n.included));
    let mut metrics = TraceMetrics::default();
    let mut summed = TokenUsage::default();
    let mut models: BTreeMap<&str, ModelUse> = BTreeMap::new();
    let mut seen_artifacts = std::collections::HashSet::new();
    // A stitched thread's run groups are not spans of any run.
    for (_, span) in kept().filter(|(_, span)| !crate::thread::is_group(span)) {
        metrics.spans += 1;
        metrics.errors += usize::from(span.is_error());
        let tokens = span_tokens(span);
        if let Some(tokens) = &tokens {
            summed.add(tokens);
        }
        if span_kind(span) == SpanKind::Llm
            && let Some(model) = conventions::model_names(&span.attributes).key()
        {
            let entry = models.entry(model).or_insert_with(|| ModelUse {
                model: model.to_owned(),
                calls: 0,
                tokens: TokenUsage::default(),
            });
            entry.calls += 1;
            if let Some(tokens) = &tokens {
                entry.tokens.add(tokens);
            }
        }
        for artifact in &span.artifacts {
            if seen_artifacts.insert(artifact.id.as_str()) {
                metrics.artifacts.push(artifact.clone());
            }
        }
    }
    // The execution's total when the API sent one (it may count spans not loaded yet); else the spans' sum.
    metrics.tokens = if execution.token_usage.is_empty() { summed } else { execution.token_usage };
    metrics.models = models.into_values().collect();
    metrics.duration_ms = match (execution.started_at, execution.finished_at) {
        (Some(start), Some(end)) => (end - start).num_microseconds().map(|us| us as f64 / 1000.0),
        _ => TimeAxis::of(spans).map(|axis| axis.duration_ms()),
    };
    metrics
}

/// What the model calls of a trace cost, overall and per model (keyed as [`ModelUse::model`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CostMetrics {
    pub total: CostTotal,
    /// In the order first met; a trace calls a handful of models.
    pub by_model: Vec<(String, CostTotal)>,
}

impl CostMetrics {
    pub fn model(&self, model: &str) -> Option<&CostTotal> {
        self.by_model.iter().find(|(name, _)| name == model).map(|(_, total)| total)
    }
}

/// Sums the cost of the model calls kept in `tree`: the senders' figures and the estimates from `prices` apart.
/// Apart from [`trace_metrics`] because the host may replace the price table of a loaded trace.
pub fn cost_metrics(spans: &[Span], tree: &SpanTree, prices: &PriceTable) -> CostMetrics {
    let mut metrics = CostMetrics::default();
    let kept = spans.iter().enumerate().filter(|(node, _)| tree.nodes.get(*node).is_some_and(|n| n.included));
    // Model calls only: a workflow or chain span reporting its children's total would count them twice.
    for (_, span) in kept.filter(|(_, span)| span_kind(span) == SpanKind::Llm) {
        let Some(cost) = span_cost(span, prices) else { continue };
        metrics.total.add(&cost);
        if let Some(model) = conventions::model_names(&span.attributes).key() {
            match metrics.by_model.iter_mut().find(|(name, _)| name == model) {
                Some((_, total)) => total.add(&cost),
                None => {
                    let mut total = CostTotal::default();
                    total.add(&cost);
                    metrics.by_model.push((model.to_owned(), total));
                }
            }
        }
    }
    metrics
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;
    use crate::wire::StatusCode;
    use chrono::Duration;
    use serde_json::json;

    fn execution() -> Execution {
        serde_json::from_value(json!({"id": "e", "workflow_id": "w"})).unwrap()
    }

    fn artifact(id: &str) -> ArtifactRef {
        ArtifactRef {
            id: id.to_owned(),
            name: format!("{id}.txt"),
            content_type: "text/plain".to_owned(),
            size_bytes: 3,
            download_url: format!("/api/artifacts/{id}/download"),
        }
    }

    fn llm(id: &str, model: &str, input: u64, output: u64, start: i64) -> Span {
        let mut s = span(id, Some("root"), start);
        s.kind = SpanKind::Llm;
        s.attributes.insert(conventions::GEN_AI_REQUEST_MODEL.to_owned(), json!(model));
        s.token_usage = Some(TokenUsage::new(input, output));
        s
    }

    fn sample() -> Vec<Span> {
        let mut root = span("root", None, 0);
        root.end_time = Some(root.start_time + Duration::milliseconds(250));
        let mut failed = span("bad", Some("root"), 5);
        failed.status.code = StatusCode::Error;
        failed.artifacts = vec![artifact("x"), artifact("y")];
        let mut again = span("tool", Some("root"), 6);
        again.artifacts = vec![artifact("x")];
        vec![
            root,
            llm("l1", "gpt-a", 10, 5, 1),
            llm("l2", "gpt-b", 1, 1, 2),
            llm("l3", "gpt-a", 3, 2, 3),
            failed,
            again,
        ]
    }

    #[test]
    fn counts_tokens_models_artifacts_and_errors() {
        let spans = sample();
        let tree = SpanTree::build(&spans);
        let m = trace_metrics(&execution(), &spans, &tree);
        assert_eq!((m.spans, m.errors), (6, 1));
        assert_eq!(m.tokens, TokenUsage::new(14, 8));
        let models: Vec<_> = m.models.iter().map(|u| (u.model.as_str(), u.calls, u.tokens.total)).collect();
        assert_eq!(models, [("gpt-a", 2, 20), ("gpt-b", 1, 2)]);
        assert_eq!(m.artifacts.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(m.duration_ms, Some(250.0), "the spans' extent while the execution has no end");
    }

    #[test]
    fn the_executions_own_totals_win() {
        let spans = sample();
        let tree = SpanTree::build(&spans);
        let mut execution = execution();
        execution.token_usage = TokenUsage::new(100, 50);
        execution.started_at = Some(spans[0].start_time);
        execution.finished_at = Some(spans[0].start_time + Duration::seconds(2));
        let m = trace_metrics(&execution, &spans, &tree);
        assert_eq!(m.tokens.total, 150);
        assert_eq!(m.duration_ms, Some(2000.0));
    }

    #[test]
    fn costs_per_model_and_overall_with_their_sources_apart() {
        let mut spans = sample();
        spans[1].attributes.insert(conventions::GEN_AI_REQUEST_MODEL.to_owned(), json!("gpt-4o"));
        spans[3].attributes.insert(conventions::GEN_AI_REQUEST_MODEL.to_owned(), json!("gpt-4o"));
        spans[3].attributes.insert(conventions::LLM_COST_TOTAL.to_owned(), json!(0.25));
        // A chain span with its children's total: not a model call, not counted.
        spans[5].attributes.insert(conventions::LLM_COST_TOTAL.to_owned(), json!(9.0));
        let tree = SpanTree::build(&spans);
        let prices = PriceTable::default().with_overrides(r#"{"gpt-4o": {"input": 1000, "output": 2000}}"#);
        let c = cost_metrics(&spans, &tree, &prices.unwrap_or_else(|e| panic!("{e}")));
        // l1: 10 in, 5 out at $1000 / $2000 per million = $0.02; l3: the sender's $0.25; gpt-b has no price.
        assert_eq!((c.total.sent_calls, c.total.estimated_calls, c.total.unpriced_calls), (1, 1, 1));
        assert_eq!(((c.total.estimated_usd * 1e6).round(), c.total.sent_usd), (20_000.0, 0.25));
        assert_eq!(c.by_model.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["gpt-4o", "gpt-b"]);
        assert_eq!(c.model("gpt-4o").map(CostTotal::label).as_deref(), Some("$0.2500 + ≈ $0.0200 (estimated)"));
        assert_eq!(c.model("gpt-b").map(CostTotal::label).as_deref(), Some("no price"));
        assert_eq!(c.model("gpt-c"), None);
        let cheaper = PriceTable::default().with_overrides(r#"{"gpt-4o": {"input": 0, "output": 0}}"#);
        let c = cost_metrics(&spans, &tree, &cheaper.unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(c.total.label(), "$0.2500 + ≈ $0 (estimated) · 1 call with no price");
    }

    #[test]
    fn duplicates_count_once_and_an_empty_trace_has_no_duration() {
        let spans = vec![llm("a", "m", 1, 1, 0), llm("a", "m", 1, 1, 0)];
        let tree = SpanTree::build(&spans);
        let m = trace_metrics(&execution(), &spans, &tree);
        assert_eq!((m.spans, m.tokens.total, m.models[0].calls), (1, 2, 1));
        let empty = trace_metrics(&execution(), &[], &SpanTree::default());
        assert_eq!((empty.spans, empty.duration_ms), (0, None));
    }
}
