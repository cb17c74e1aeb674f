//! The audit trail of trace views, written off the request path: handlers queue an entry and a writer task
//! stores whatever has queued in one statement, so a burst of views costs one write, not one each.

use std::time::Duration;

use tokio::sync::mpsc;
use trace_model::time;

use crate::store::{AuditEntry, Store, StoreError};

/// Entries that may wait; past this, handlers wait for the writer (never drop an entry).
const QUEUE: usize = 16 * 1024;
const BATCH: usize = 500;

#[derive(Debug, Clone)]
pub struct AuditTrail {
    queue: mpsc::Sender<AuditEntry>,
}

impl AuditTrail {
    /// Starts the writer; call inside the service's runtime.
    pub fn start(store: Store) -> Self {
        let (queue, mut entries) = mpsc::channel::<AuditEntry>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while entries.recv_many(&mut batch, BATCH).await > 0 {
                // A store outage holds the entries and retries; the queue fills and handlers wait meanwhile. Entries
                // the store refuses would be refused forever: they are logged and dropped, not retried.
                loop {
                    match store.audit(&batch).await {
                        Ok(()) => break,
                        Err(e @ (StoreError::Invalid(_) | StoreError::Unstorable(_))) => {
                            tracing::error!(error = %e, entries = ?batch, "audit entries refused by the store; lost");
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, entries = batch.len(), "audit entries not stored yet; retrying");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
                batch.clear();
            }
        });
        Self { queue }
    }

    /// Records that `subject` did `action` on an execution of `workspace_id`.
    pub async fn record(&self, subject: &str, action: &str, execution_id: &str, workspace_id: &str) {
        let entry = AuditEntry {
            at: time::format(&chrono::Utc::now()),
            subject: subject.to_owned(),
            action: action.to_owned(),
            execution_id: Some(execution_id.to_owned()),
            workspace_id: Some(workspace_id.to_owned()),
        };
        if self.queue.send(entry).await.is_err() {
            tracing::error!(subject, action, execution_id, "the audit writer has stopped; entry lost");
        }
    }
}
