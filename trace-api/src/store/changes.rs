//! Change notices: "execution X has new or changed spans". Live subscribers listen here and read what changed from
//! the store. In one process a broadcast channel carries them; on Postgres a NOTIFY sent with the writing
//! transaction reaches every replica's LISTEN as well.

use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, Transaction};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;

use super::{Dialect, StoreError};

const CHANNEL: &str = "trace_updates";
/// Notices a slow subscriber may fall behind by before it is told it lagged (it then re-reads everything new).
const CAPACITY: usize = 1024;

#[derive(Debug, Clone)]
pub struct Changes {
    sender: broadcast::Sender<String>,
    dialect: Dialect,
    _listener: Option<Arc<Listener>>,
}

/// The LISTEN task; it ends with the last clone of the store.
#[derive(Debug)]
struct Listener(JoinHandle<()>);

impl Drop for Listener {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Changes {
    pub(super) fn start(dialect: Dialect, url: &str) -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        let listener = (dialect == Dialect::Postgres)
            .then(|| Arc::new(Listener(tokio::spawn(listen(url.to_owned(), sender.clone())))));
        Self { sender, dialect, _listener: listener }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<String> {
        self.sender.subscribe()
    }

    /// Queues a notice for other replicas; Postgres delivers it when the transaction commits.
    pub(super) async fn notify_in(&self, tx: &mut Transaction<'_, Any>, execution_id: &str) -> Result<(), StoreError> {
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)").bind(CHANNEL).bind(execution_id).execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Tells this process's subscribers at once (a notice from LISTEN may follow; reading twice is harmless).
    pub(super) fn notify_local(&self, execution_id: &str) {
        // No receiver is not an error: nobody is watching.
        let _ = self.sender.send(execution_id.to_owned());
    }
}

/// Forwards Postgres notices to local subscribers, reconnecting after outages.
async fn listen(url: String, sender: broadcast::Sender<String>) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match sqlx::postgres::PgListener::connect(&url).await {
            Ok(mut listener) => {
                if let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "LISTEN failed");
                } else {
                    backoff = Duration::from_millis(200);
                    loop {
                        match listener.recv().await {
                            Ok(notice) => {
                                let _ = sender.send(notice.payload().to_owned());
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "lost the LISTEN connection");
                                break;
                            }
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot connect to LISTEN for live updates"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(10));
    }
}
