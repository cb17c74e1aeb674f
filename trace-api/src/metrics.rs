//! The service's own metrics in the Prometheus text format (`GET /metrics`): span ingestion by source and
//! outcome, and request latency by route.

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
        let labels = RequestLabels { method: method.to_owned(), route, status };
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

/// The route of a path, with ids replaced, so that latency series stay few.
pub fn route_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let after_collection = i > 0 && matches!(parts[i - 1], "executions" | "artifacts");
        out.push(if after_collection && !part.is_empty() { "{id}" } else { part });
    }
    let route = out.join("/");
    if route.starts_with("/api/")
        || route.starts_with("/v1/")
        || matches!(route.as_str(), "/healthz" | "/readyz" | "/metrics")
    {
        route
    } else {
        "static".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_hide_ids() {
        assert_eq!(route_of("/api/executions/abc/trace"), "/api/executions/{id}/trace");
        assert_eq!(route_of("/api/artifacts/x1/download"), "/api/artifacts/{id}/download");
        assert_eq!(route_of("/api/executions"), "/api/executions");
        assert_eq!(route_of("/pkg/trace_view_bg.wasm"), "static");
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
