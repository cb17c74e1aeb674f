//! The audit trail of trace views, written off the request path: handlers queue an entry and a writer task
//! stores whatever has queued in one statement, so a burst of views costs one write, not one each.

use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use trace_model::time;

use crate::store::{AuditEntry, Store, StoreError};
use crate::tasks::BackgroundTasks;

/// Entries that may wait; past this, handlers wait for the writer (never drop an entry).
const QUEUE: usize = 16 * 1024;
const BATCH: usize = 500;

#[derive(Debug, Clone)]
pub struct AuditTrail {
    queue: mpsc::Sender<Queued>,
}

/// What handlers queue: entries, and a request to be told once everything queued before it is stored.
#[derive(Debug)]
enum Queued {
    Entry(AuditEntry),
    Flush(oneshot::Sender<()>),
}

impl AuditTrail {
    /// Starts the writer on `tasks`; call inside the service's runtime. Cancelling the tasks ends it: call
    /// [`AuditTrail::flush`] before, so that nothing queued is lost.
    pub fn start(store: Store, tasks: &BackgroundTasks) -> Self {
        let (queue, mut queued) = mpsc::channel::<Queued>(QUEUE);
        tasks.spawn(async move {
            let mut received = Vec::with_capacity(BATCH);
            let mut batch = Vec::with_capacity(BATCH);
            let mut flushed = Vec::new();
            while queued.recv_many(&mut received, BATCH).await > 0 {
                for item in received.drain(..) {
                    match item {
                        Queued::Entry(entry) => batch.push(entry),
                        Queued::Flush(done) => flushed.push(done),
                    }
                }
                // A store outage holds the entries and retries; the queue fills and handlers wait meanwhile. Entries
                // the store refuses would be refused forever: they are logged and dropped, not retried.
                while !batch.is_empty() {
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
                for done in flushed.drain(..) {
                    let _ = done.send(());
                }
            }
        });
        Self { queue }
    }

    /// Waits until every entry queued before the call is stored: at shutdown, so that no entry is lost.
    pub async fn flush(&self) {
        let (done, stored) = oneshot::channel();
        if self.queue.send(Queued::Flush(done)).await.is_ok() {
            let _ = stored.await;
        }
    }

    /// Records that `subject` did `action` on an execution of `workspace_id`.
    pub async fn record(&self, subject: &str, action: &str, execution_id: &str, workspace_id: &str) {
        self.queue_entry(AuditEntry {
            at: time::format(&chrono::Utc::now()),
            subject: subject.to_owned(),
            action: action.to_owned(),
            execution_id: Some(execution_id.to_owned()),
            workspace_id: Some(workspace_id.to_owned()),
            detail: None,
        })
        .await;
    }

    /// Records that spans `subject` sent were refused (`otlp.rejected`), with the reasons.
    pub async fn record_rejection(&self, subject: &str, reasons: &str) {
        self.queue_entry(AuditEntry {
            at: time::format(&chrono::Utc::now()),
            subject: subject.to_owned(),
            action: "otlp.rejected".to_owned(),
            execution_id: None,
            workspace_id: None,
            detail: Some(reasons.to_owned()),
        })
        .await;
    }

    async fn queue_entry(&self, entry: AuditEntry) {
        let (subject, action) = (entry.subject.clone(), entry.action.clone());
        if self.queue.send(Queued::Entry(entry)).await.is_err() {
            tracing::error!(subject, action, "the audit writer has stopped; entry lost");
        }
    }
}
