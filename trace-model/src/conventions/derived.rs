//! Everything the conventions say about one span, read once by one function for spans from either path (our
//! instrumentation and the OTLP receiver) and for the view.

use crate::wire::{Span, SpanKind, TokenUsage};

use super::model::{ModelNames, model_names};
use super::names::NODE_LATENCY_MS;
use super::{Cost, ModelText, TokenDetails, artifact_ids, as_count, classify, cost, prompt, response, token_details};

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
    let kind = match span.kind {
        SpanKind::Other => classify(&span.name, a),
        kind => kind,
    };
    Derived {
        kind,
        tokens: span.token_usage.or_else(|| super::token_usage(a)),
        token_details: token_details(a),
        cost: cost(a),
        duration_ms: span.duration_ms.or_else(|| duration_ms(span)),
        model: model_names(a),
        prompt: prompt(span),
        response: response(span),
        artifact_ids: artifact_ids(a),
    }
}

/// The wire fields a store keeps already derived, so that pages and summaries need not read attributes: the
/// kind, token usage and duration. Applied once where a span enters (the instrumentation's records and the
/// OTLP receiver).
pub fn fill_derived(span: &mut Span) {
    if span.kind == SpanKind::Other {
        span.kind = classify(&span.name, &span.attributes);
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
