//! A connection for one write transaction that is closed, not returned to the pool, unless the write committed.
//!
//! After a failed statement or COMMIT (a full disk, a read-only file) SQLite may keep the transaction open — and
//! with it the file's write lock — or end it on its own, while sqlx's idea of the transaction may say otherwise.
//! A connection in that state made every later write of this process look successful and store nothing. Closing
//! it rolls back whatever is open; the pool opens a fresh connection for the next write, so the store recovers
//! by itself once the disk can take writes again.

use std::ops::{Deref, DerefMut};

use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Connection, Transaction};

#[derive(Debug)]
pub(crate) struct WriteConnection {
    connection: PoolConnection<Any>,
    committed: bool,
}

impl WriteConnection {
    pub(crate) async fn acquire(pool: &AnyPool) -> Result<Self, sqlx::Error> {
        Ok(Self { connection: pool.acquire().await?, committed: false })
    }

    pub(crate) async fn begin(&mut self) -> Result<Transaction<'_, Any>, sqlx::Error> {
        self.connection.begin().await
    }

    /// The transaction committed: the connection may go back to the pool.
    pub(crate) fn committed(mut self) {
        self.committed = true;
    }
}

impl Drop for WriteConnection {
    fn drop(&mut self) {
        if !self.committed {
            self.connection.close_on_drop();
        }
    }
}

impl Deref for WriteConnection {
    type Target = PoolConnection<Any>;

    fn deref(&self) -> &Self::Target {
        &self.connection
    }
}

impl DerefMut for WriteConnection {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.connection
    }
}
