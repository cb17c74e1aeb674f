//! Deletes finished executions older than `TRACE_API_RETENTION_DAYS`, at start-up and then hourly, a batch at a
//! time so that no one transaction holds the store for long.

use std::time::Duration;

use crate::store::Store;

const BATCH: u32 = 100;
const EVERY: Duration = Duration::from_secs(3600);
const AFTER_ERROR: Duration = Duration::from_secs(60);

/// Starts the sweeper; call inside the service's runtime. It runs as long as the runtime does.
pub fn start(store: Store, keep: Duration) {
    tokio::spawn(async move {
        loop {
            let cutoff = chrono::Utc::now() - chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
            match store.delete_finished_before(&cutoff, BATCH).await {
                // A full batch: there may be more right away.
                Ok(ids) if ids.len() == BATCH as usize => {
                    tracing::info!(executions = ids.len(), "retention: deleted old executions");
                }
                Ok(ids) => {
                    if !ids.is_empty() {
                        tracing::info!(executions = ids.len(), "retention: deleted old executions");
                    }
                    tokio::time::sleep(EVERY).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "retention: old executions not deleted yet; retrying");
                    tokio::time::sleep(AFTER_ERROR).await;
                }
            }
        }
    });
}
