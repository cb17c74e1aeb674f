//! A [`SpanSink`] that keeps spans in memory: for tests and tools that inspect what a run recorded.

use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use trace_model::SpanRecord;

use crate::export::{SinkError, SpanSink};

#[derive(Debug, Clone, Default)]
pub struct MemorySink {
    records: Arc<Mutex<Vec<SpanRecord>>>,
}

impl MemorySink {
    /// Everything stored so far, in arrival order.
    pub fn records(&self) -> Vec<SpanRecord> {
        self.records.lock().map(|r| r.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }
}

impl SpanSink for MemorySink {
    fn store(&self, spans: Vec<SpanRecord>) -> BoxFuture<'static, Result<(), SinkError>> {
        match self.records.lock() {
            Ok(mut records) => records.extend(spans),
            Err(poisoned) => poisoned.into_inner().extend(spans),
        }
        Box::pin(async { Ok(()) })
    }
}
