//! SQLite takes one writer at a time. Left to itself, a second writer gets SQLITE_BUSY and its busy handler
//! sleeps (1 ms, 2 ms, 5 ms, … up to 100 ms) before trying again, so concurrent batches idle while the file is
//! free. Writers of this process take turns on an async lock instead and start the moment the previous one
//! commits; the busy timeout still covers other processes. Postgres writes concurrently and has no lock.

use std::sync::Arc;

use tokio::sync::{Mutex, MutexGuard};

use super::Dialect;

#[derive(Debug, Clone, Default)]
pub struct WriteTurns(Option<Arc<Mutex<()>>>);

impl WriteTurns {
    pub fn for_dialect(dialect: Dialect) -> Self {
        Self((dialect == Dialect::Sqlite).then(|| Arc::new(Mutex::new(()))))
    }

    /// Hold the returned guard until the write transaction has committed or rolled back.
    pub async fn take(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}
