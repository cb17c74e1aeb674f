//! Everything the conventions say about one span, read once by one function for spans from either path (our
//! instrumentation and the OTLP receiver) and for the view.

use crate::wire::{Span, SpanKind, TokenUsage};

use super::model::{ModelNames, model_names};
use super::names::NODE_LATENCY_MS;
use super::{
    Cost, ModelText, TokenDetails, artifact_ids, as_count, classify_span, cost, prompt, response, token_details,
};

#[derive(Clone, Debug, PartialEq)]
pub struct Derived<'a> {
    pub kind: SpanKind,
    pub tokens: Option<TokenUsage>,
    pub token_details: TokenDetails,
    pub cost: Option<Cost>,
    /// The node's own run time when the sender reports it (the Python engine writes its node spans after the
    /// step, so their extent is not the node's), else the span's extent.
    pub duration_ms: Option<f64>,
    pub model: ModelNames<'a>,
    pub prompt: Option<ModelText>,
    pub response: Option<ModelText>,
    pub artifact_ids: Vec<&'a str>,
}

/// Reads a span. A kind the sender set (anything but `other`) and token usage it sent are kept.
pub fn derive(span: &Span) -> Derived<'_> {
    let a = &span.attributes;
    Derived {
        kind: span_kind(span),
        tokens: span_tokens(span),
        token_details: token_details(a),
        cost: cost(a),
        duration_ms: span.duration_ms.or_else(|| duration_ms(span)),
        model: model_names(a),
        prompt: prompt(span),
        response: response(span),
        artifact_ids: artifact_ids(a),
    }
}

/// The kind the producer sent; spans sent as "other" (or without a kind) are classified from their attributes.
pub fn span_kind(span: &Span) -> SpanKind {
    match span.kind {
        SpanKind::Other => classify_span(span),
        kind => kind,
    }
}

/// The span's token usage as sent, else as read from its attributes.
pub fn span_tokens(span: &Span) -> Option<TokenUsage> {
    span.token_usage.or_else(|| super::token_usage(&span.attributes))
}

/// The wire fields a store keeps already derived, so that pages and summaries need not read attributes: the
/// kind, token usage and duration. Applied once where a span enters (the instrumentation's records and the
/// OTLP receiver).
pub fn fill_derived(span: &mut Span) {
    if span.kind == SpanKind::Other {
        span.kind = classify_span(span);
    }
    if span.token_usage.is_none() {
        span.token_usage = super::token_usage(&span.attributes);
    }
    span.duration_ms = duration_ms(span);
}

fn duration_ms(span: &Span) -> Option<f64> {
    let latency = span.attributes.get(NODE_LATENCY_MS).and_then(as_count).map(|ms| ms as f64);
    latency.or_else(|| span.measured_duration_ms())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::conventions::names::*;
    use crate::conventions::tests::attrs;
    use crate::tree::tests::span;
    use crate::wire::SpanEvent;

    /// A node span as the Orcheo Python engine writes it: after the step, with the step's metadata.
    fn orcheo_llm_node() -> Span {
        let mut s = span("n", Some("root"), 0);
        s.name = "Draft reply".to_owned();
        s.end_time = Some(s.start_time);
        s.attributes = attrs(&[
            (NODE_ID, json!("draft")),
            (NODE_KIND, json!("AgentNode")),
            (AI_KIND, json!("chat")),
            (AI_MODEL_REQUESTED, json!("openai:gpt-4o-mini")),
            (TOKEN_INPUT, json!(120)),
            (TOKEN_OUTPUT, json!(31)),
            (NODE_LATENCY_MS, json!(842)),
            (ARTIFACT_IDS, json!(["report-1"])),
        ]);
        let event = |name: &str, preview: &str| SpanEvent {
            name: name.to_owned(),
            time: s.start_time,
            attributes: attrs(&[(PREVIEW, json!(preview))]),
        };
        s.events = vec![event(PROMPT_EVENT, "Reply to the customer"), event(RESPONSE_EVENT, "Dear customer, …")];
        s
    }

    #[test]
    fn an_orcheo_python_node_read_whole() {
        let s = orcheo_llm_node();
        let d = derive(&s);
        assert_eq!(d.kind, SpanKind::Llm);
        assert_eq!(d.tokens, Some(TokenUsage::new(120, 31)));
        assert_eq!(d.duration_ms, Some(842.0), "the node's latency, not its zero-length span");
        assert_eq!((d.model.key(), d.model.provider), (Some("gpt-4o-mini"), Some("openai")));
        assert_eq!(d.prompt.map(|t| t.text).as_deref(), Some("Reply to the customer"));
        assert_eq!(d.response.map(|t| t.text).as_deref(), Some("Dear customer, …"));
        assert_eq!(d.artifact_ids, ["report-1"]);
    }

    #[test]
    fn fill_derived_sets_what_the_wire_carries_and_keeps_what_was_sent() {
        let mut s = orcheo_llm_node();
        fill_derived(&mut s);
        assert_eq!(
            (s.kind, s.token_usage, s.duration_ms),
            (SpanKind::Llm, Some(TokenUsage::new(120, 31)), Some(842.0))
        );
        let mut sent = orcheo_llm_node();
        sent.kind = SpanKind::Tool;
        sent.token_usage = Some(TokenUsage::new(1, 1));
        fill_derived(&mut sent);
        assert_eq!((sent.kind, sent.token_usage), (SpanKind::Tool, Some(TokenUsage::new(1, 1))));
        assert_eq!(derive(&sent).kind, SpanKind::Tool);
    }
}
