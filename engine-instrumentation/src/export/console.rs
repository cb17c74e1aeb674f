//! The console exporter: one JSON line per span (the wire `Span` with its execution) on standard output.

use std::io::Write as _;

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use crate::span_record;

#[derive(Debug, Default, Clone, Copy)]
pub struct ConsoleExporter;

impl SpanExporter for ConsoleExporter {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let mut out = std::io::stdout().lock();
        for span in &batch {
            let record = span_record::from_span_data(span);
            let line = serde_json::json!({
                "execution_id": record.execution_id,
                "trace_id": record.trace_id,
                "span": record.span,
            });
            writeln!(out, "{line}").map_err(|e| OTelSdkError::InternalFailure(e.to_string()))?;
        }
        Ok(())
    }
}
