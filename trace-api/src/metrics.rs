//! The service's own metrics in the Prometheus text format (`GET /metrics`): span ingestion by source and
//! outcome, and request latency by route template (never by the paths requests carry: see [`route_label`]).

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
    /// `ok` or `error`.
    pub result: &'static str,
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
        // 0.5 ms … ~16 s.
        let requests = Family::<RequestLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        registry.register("ingested_spans", "Spans received for storage, by source and result", spans.clone());
        registry.register("ingest_batches", "Span batches received for storage, by source and result", batches.clone());
        registry.register("request_duration_seconds", "HTTP request latency by route", requests.clone());
        Self { registry, spans, batches, requests }
    }

    pub fn ingested(&self, source: &'static str, ok: bool, spans: usize) {
        let labels = IngestLabels { source, result: if ok { "ok" } else { "error" } };
        self.batches.get_or_create(&labels).inc();
        self.spans.get_or_create(&labels).inc_by(spans as u64);
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
        m.ingested("otlp", true, 3);
        m.ingested("otlp", false, 2);
        m.request("GET", "/api/executions".to_owned(), 200, Duration::from_millis(3));
        let text = m.render();
        assert!(text.contains(r#"trace_api_ingested_spans_total{source="otlp",result="ok"} 3"#), "{text}");
        assert!(text.contains(r#"trace_api_ingested_spans_total{source="otlp",result="error"} 2"#), "{text}");
        assert!(text.contains("trace_api_request_duration_seconds_count{"), "{text}");
    }
}
