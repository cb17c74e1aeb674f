//! Everything after a span ends: the export stage (redaction, budget) and the exporter queues behind it, the
//! persistence side ([`SpanSink`] and the store's exporter), the console and OTLP exporters, their counters, and
//! the meter provider that sends the counters to the collector.

pub mod console;
pub(crate) mod exporter;
pub(crate) mod metrics;
pub(crate) mod otlp;
pub(crate) mod queue;
pub(crate) mod stage;
pub mod stats;

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use trace_model::SpanRecord;

pub use exporter::Backoff;
pub use queue::BatchSettings;

use crate::span_record;
use exporter::BatchExporter;
use stage::StagedSpan;

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("span store unavailable: {0}")]
    Unavailable(String),
    #[error("span store rejected the batch: {0}")]
    Rejected(String),
}

/// Somewhere to keep finished spans. The returned future must not need the caller's async runtime: the exporter
/// polls it on its own thread (spawn onto your runtime and await the join handle).
pub trait SpanSink: Send + Sync + fmt::Debug + 'static {
    fn store(&self, spans: Vec<SpanRecord>) -> BoxFuture<'static, Result<(), SinkError>>;
}

/// The store's exporter: converts started and ended spans to [`SpanRecord`]s and hands them to a [`SpanSink`].
#[derive(Debug, Clone)]
pub(crate) struct PersistenceExporter {
    sink: Arc<dyn SpanSink>,
}

impl PersistenceExporter {
    pub fn new(sink: Arc<dyn SpanSink>) -> Self {
        Self { sink }
    }
}

impl BatchExporter<StagedSpan> for PersistenceExporter {
    fn export(&self, batch: Vec<StagedSpan>) -> OTelSdkResult {
        let records: Vec<SpanRecord> = batch
            .iter()
            .map(|staged| match staged {
                StagedSpan::Open(data) => span_record::from_open_span(data),
                StagedSpan::Ended(data) => span_record::from_span_data(data),
            })
            .collect();
        futures_executor::block_on(self.sink.store(records)).map_err(|e| OTelSdkError::InternalFailure(e.to_string()))
    }
}
