//! Retention: finished executions are deleted, with their spans and artifacts, once they are older than the
//! configured age. The audit trail keeps its entries.

use chrono::{DateTime, Utc};
use sqlx::Row;
use trace_model::time;

use super::write::WriteConnection;
use super::{Store, StoreError};

impl Store {
    /// Deletes up to `limit` executions that finished before `cutoff` (oldest first), with their spans and
    /// artifacts, in one transaction; returns their ids. Running executions are kept, however old.
    pub async fn delete_finished_before(&self, cutoff: &DateTime<Utc>, limit: u32) -> Result<Vec<String>, StoreError> {
        let turn = self.turns.take().await;
        let mut connection = WriteConnection::acquire(&self.pool).await?;
        let mut tx = connection.begin().await?;
        let rows = sqlx::query(
            "SELECT id FROM executions WHERE status <> 'running' AND finished_at IS NOT NULL AND finished_at < $1 \
             ORDER BY finished_at LIMIT $2",
        )
        .bind(time::format(cutoff))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let ids = rows.iter().map(|row| row.try_get("id")).collect::<Result<Vec<String>, _>>()?;
        for id in &ids {
            for statement in [
                "DELETE FROM spans WHERE execution_id = $1",
                "DELETE FROM artifacts WHERE execution_id = $1",
                "DELETE FROM executions WHERE id = $1",
            ] {
                sqlx::query(statement).bind(id).execute(&mut *tx).await?;
            }
            // Cached pages of the execution go, here and in other replicas.
            self.changes.notify_in(&mut tx, id).await?;
        }
        tx.commit().await?;
        connection.committed();
        drop(turn);
        for id in &ids {
            self.changes.notify_local(id);
        }
        Ok(ids)
    }
}
