//! The store as the instrumentation's [`SpanSink`]: finished spans of workflows run in this process land here. The
//! instrumentation lists the artifacts a span wrote by id; the API gives each its download URL here.

use std::sync::Arc;

use engine_instrumentation::{SinkError, SpanSink};
use futures_util::future::BoxFuture;
use tokio::runtime::Handle;
use trace_model::SpanRecord;

use crate::metrics::{IngestResult, Metrics};
use crate::routes;
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
    fn store(&self, mut spans: Vec<SpanRecord>) -> BoxFuture<'static, Result<(), SinkError>> {
        // A URL the engine set (its own artifact store) is kept.
        for artifact in spans.iter_mut().flat_map(|record| record.span.artifacts.iter_mut()) {
            if artifact.download_url.is_empty() {
                artifact.download_url = routes::download_url(&artifact.id);
            }
        }
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
