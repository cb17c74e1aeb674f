//! Deleting executions, with their spans and artifacts: by age (retention, once they are older than the configured
//! age) and by id (the demo's live loop keeps only its last runs). The audit trail keeps its entries.

use chrono::{DateTime, Utc};
use sqlx::{Any, Row, Transaction};
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
            self.delete_in(&mut tx, id).await?;
        }
        tx.commit().await?;
        connection.committed();
        drop(turn);
        for id in &ids {
            self.changes.notify_local(id);
        }
        Ok(ids)
    }

    /// Deletes the executions named in `ids`, with their spans and artifacts, in one transaction, whatever their
    /// status; ids the store does not hold are skipped. Returns the ids that were deleted.
    pub async fn delete_executions(&self, ids: &[String]) -> Result<Vec<String>, StoreError> {
        let turn = self.turns.take().await;
        let mut connection = WriteConnection::acquire(&self.pool).await?;
        let mut tx = connection.begin().await?;
        let mut deleted = Vec::new();
        for id in ids {
            let held = sqlx::query("SELECT id FROM executions WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            if held.is_some() {
                self.delete_in(&mut tx, id).await?;
                deleted.push(id.clone());
            }
        }
        tx.commit().await?;
        connection.committed();
        drop(turn);
        for id in &deleted {
            self.changes.notify_local(id);
        }
        Ok(deleted)
    }

    async fn delete_in(&self, tx: &mut Transaction<'_, Any>, id: &str) -> Result<(), StoreError> {
        for statement in [
            "DELETE FROM spans WHERE execution_id = $1",
            "DELETE FROM artifacts WHERE execution_id = $1",
            "DELETE FROM artifact_refs WHERE execution_id = $1",
            "DELETE FROM executions WHERE id = $1",
        ] {
            sqlx::query(statement).bind(id).execute(&mut **tx).await?;
        }
        // Cached pages of the execution go, here and in other replicas.
        self.changes.notify_in(tx, id).await?;
        Ok(())
    }
}
