//! Sampling that decides what leaves for the collector, not what is recorded: a trace the parent-based ratio
//! sampler drops is still recorded (and persisted, so the Trace tab shows every run) but not marked sampled, so the
//! OTLP and console exporters skip it and downstream services see `sampled=0` in `traceparent`.

use opentelemetry::trace::{Link, SpanKind, TraceId};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::{Sampler, SamplingDecision, SamplingResult, ShouldSample};

#[derive(Debug, Clone)]
pub struct RecordAllSampler {
    inner: Sampler,
}

impl RecordAllSampler {
    /// Parent-based, with a trace-id ratio for new traces.
    pub fn ratio(ratio: f64) -> Self {
        Self { inner: Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio))) }
    }
}

impl ShouldSample for RecordAllSampler {
    fn should_sample(
        &self,
        parent_context: Option<&Context>,
        trace_id: TraceId,
        name: &str,
        span_kind: &SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        let mut result = self.inner.should_sample(parent_context, trace_id, name, span_kind, attributes, links);
        if result.decision == SamplingDecision::Drop {
            result.decision = SamplingDecision::RecordOnly;
        }
        result
    }
}
