//! The audit trail: who viewed which execution's trace, and when.

use sqlx::Row;

use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// RFC 3339, as the wire format writes times.
    pub at: String,
    pub subject: String,
    pub action: String,
    pub execution_id: Option<String>,
    pub workspace_id: Option<String>,
}

impl Store {
    /// Appends entries in one statement.
    pub async fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let rows: Vec<String> =
            (0..entries.len()).map(|i| format!("({})", self.dialect.params(i * 5 + 1, 5))).collect();
        let sql = format!(
            "INSERT INTO audit_log (at, subject, action, execution_id, workspace_id) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for entry in entries {
            query = query
                .bind(entry.at.clone())
                .bind(entry.subject.clone())
                .bind(entry.action.clone())
                .bind(entry.execution_id.clone())
                .bind(entry.workspace_id.clone());
        }
        let _turn = self.turns.take().await;
        query.execute(&self.pool).await?;
        Ok(())
    }

    /// The most recent entries first.
    pub async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, subject, action, execution_id, workspace_id FROM audit_log ORDER BY seq DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AuditEntry {
                    at: row.try_get("at")?,
                    subject: row.try_get("subject")?,
                    action: row.try_get("action")?,
                    execution_id: row.try_get("execution_id")?,
                    workspace_id: row.try_get("workspace_id")?,
                })
            })
            .collect()
    }
}
