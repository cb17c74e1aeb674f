//! The service's own metrics in the Prometheus text format (`GET /metrics`): span ingestion by source, transport
//! and outcome, values redacted on arrival, and request latency by route template (never by the paths requests
//! carry: see [`route_label`]).

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct IngestLabels {
    /// `otlp` (the receiver) or `engine` (workflows run in this process).
    pub source: &'static str,
    /// How the spans came: `http` or `grpc` (OTLP), `local` (the engine in this process).
    pub transport: &'static str,
    /// `ok`, `rejected` (refused by the store, the rest of the batch stored; spans only) or `error`.
    pub result: &'static str,
}

/// How a batch of spans fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestResult {
    /// Stored, except `rejected` spans the store refused.
    Stored { rejected: usize },
    /// Nothing stored.
    Failed,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

pub struct Metrics {
    registry: Registry,
    spans: Family<IngestLabels, Counter>,
    batches: Family<IngestLabels, Counter>,
    redacted: Counter,
    requests: Family<RequestLabels, Histogram>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("trace_api");
        let spans = Family::<IngestLabels, Counter>::default();
        let batches = Family::<IngestLabels, Counter>::default();
        let redacted = Counter::default();
        // 0.5 ms … ~16 s.
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register("ingested_spans", "Spans received for storage, by source and result", spans.clone());
        registry.register(
            "ingested_spans",
            "Spans received for storage, by source, transport and result",
            spans.clone(),
        );
        registry.register(
            "ingest_batches",
            "Span batches received for storage, by source, transport and result",
            batches.clone(),
        );
        registry.register(
            "redacted_values",
            "Span names, attribute values and status messages redacted in spans received over OTLP",
            redacted.clone(),
        );
        registry.register("request_duration_seconds", "HTTP request latency by route", requests.clone());
        Self { registry, spans, batches, redacted, requests }
    }

    /// Counts a batch of `spans` spans from `source` over `transport`.
    pub fn ingested(&self, source: &'static str, transport: &'static str, spans: usize, result: IngestResult) {
        let labels = |result| IngestLabels { source, transport, result };
        match result {
            IngestResult::Stored { rejected } => {
                self.batches.get_or_create(&labels("ok")).inc();
                self.spans.get_or_create(&labels("ok")).inc_by(spans.saturating_sub(rejected) as u64);
                if rejected > 0 {
                    self.spans.get_or_create(&labels("rejected")).inc_by(rejected as u64);
                }
            }
            IngestResult::Failed => {
                self.batches.get_or_create(&labels("error")).inc();
                self.spans.get_or_create(&labels("error")).inc_by(spans as u64);
            }
        }
    }

    /// Counts values redacted on arrival.
    pub fn redacted(&self, values: usize) {
        if values > 0 {
            self.redacted.inc_by(values as u64);
        }
    }

    pub fn request(&self, method: &str, route: String, status: u16, elapsed: Duration) {
        let labels = RequestLabels { method: method_label(method).to_owned(), route, status };
        self.requests.get_or_create(&labels).observe(elapsed.as_secs_f64());
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// The method of a request as a label: HTTP allows any token as a method, so others than the standard ones share
/// one label.
pub fn method_label(method: &str) -> &'static str {
    const STANDARD: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
    STANDARD.into_iter().find(|m| *m == method).unwrap_or("other")
}

/// The label of requests no route takes (unknown paths under `/api`, any method on a path that has no route):
/// one series for all of them, whatever their paths.
pub const UNMATCHED: &str = "unmatched";

/// The route label of a request from the template of the route it matched (salvo's matched path, e.g.
/// `api/executions/{id}/trace`), so that series follow routes, never the ids or paths requests carry.
pub fn route_label(matched_path: &str) -> String {
    if matched_path.is_empty() { UNMATCHED.to_owned() } else { format!("/{matched_path}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_route_templates() {
        assert_eq!(route_label("api/executions/{id}/trace"), "/api/executions/{id}/trace");
        assert_eq!(route_label("healthz"), "/healthz");
        assert_eq!(route_label(""), UNMATCHED);
        assert_eq!(method_label("PATCH"), "PATCH");
        assert_eq!(method_label("BREW"), "other");
    }

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::new();
        m.ingested("otlp", "http", 4, IngestResult::Stored { rejected: 1 });
        m.ingested("otlp", "grpc", 2, IngestResult::Failed);
        m.redacted(5);
        m.request("GET", "/api/executions".to_owned(), 200, Duration::from_millis(3));
        let text = m.render();
        let series = [
            r#"trace_api_ingested_spans_total{source="otlp",transport="http",result="ok"} 3"#,
            r#"trace_api_ingested_spans_total{source="otlp",transport="http",result="rejected"} 1"#,
            r#"trace_api_ingest_batches_total{source="otlp",transport="http",result="ok"} 1"#,
            r#"trace_api_ingested_spans_total{source="otlp",transport="grpc",result="error"} 2"#,
            "trace_api_redacted_values_total 5",
        ];
        for line in series {
            assert!(text.contains(line), "{line} in {text}");
        }
        assert!(text.contains("trace_api_request_duration_seconds_count{"), "{text}");
    }
}
