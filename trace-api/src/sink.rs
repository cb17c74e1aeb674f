//! The store as the instrumentation's [`SpanSink`]: finished spans of workflows run in this process land here.

use std::sync::Arc;

use engine_instrumentation::{SinkError, SpanSink};
use futures_util::future::BoxFuture;
use tokio::runtime::Handle;
use trace_model::SpanRecord;

use crate::metrics::{IngestResult, Metrics};
use crate::store::{Store, StoreError};

#[derive(Debug, Clone)]
pub struct StoreSink {
    store: Store,
    runtime: Handle,
    metrics: Option<Arc<Metrics>>,
}

impl StoreSink {
    /// `runtime` runs the writes: the exporter calls from its own thread, outside any runtime.
    pub fn new(store: Store, runtime: Handle) -> Self {
        Self { store, runtime, metrics: None }
    }

    /// Counts what is stored (and what fails) as `source="engine"`, `transport="local"` ingestion.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }
}

impl SpanSink for StoreSink {
    fn store(&self, spans: Vec<SpanRecord>) -> BoxFuture<'static, Result<(), SinkError>> {
        let store = self.store.clone();
        let metrics = self.metrics.clone();
        let write = self.runtime.spawn(async move {
            let result = store.insert_spans(&spans).await;
            if let Some(metrics) = metrics {
                let outcome = match &result {
                    Ok(ingested) => IngestResult::Stored { rejected: ingested.rejected.len() },
                    Err(_) => IngestResult::Failed,
                };
                metrics.ingested("engine", "local", spans.len(), outcome);
            }
            result
        });
        Box::pin(async move {
            match write.await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e @ StoreError::Unavailable(_))) => Err(SinkError::Unavailable(e.to_string())),
                Ok(Err(e)) => Err(SinkError::Rejected(e.to_string())),
                Err(join) => Err(SinkError::Unavailable(format!("store task ended: {join}"))),
            }
        })
    }
}
