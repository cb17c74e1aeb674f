//! The audit trail: who viewed which execution's trace, and when.

use sqlx::Row;
use trace_model::time;

use super::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub subject: String,
    pub action: String,
    pub execution_id: Option<String>,
    pub workspace_id: Option<String>,
}

impl Store {
    pub async fn audit(
        &self,
        subject: &str,
        action: &str,
        execution_id: &str,
        workspace_id: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, subject, action, execution_id, workspace_id) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(time::format(&chrono::Utc::now()))
        .bind(subject)
        .bind(action)
        .bind(execution_id)
        .bind(workspace_id)
        .execute(&self.pool)
        .await?;
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
