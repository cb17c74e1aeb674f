//! The audit trail: who viewed which execution's trace, and when; whose spans were refused, and why.

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
    /// What the action was about beyond its execution (the reasons spans were refused).
    pub detail: Option<String>,
}

impl Store {
    /// Appends entries in one statement.
    pub async fn audit(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let rows: Vec<String> =
            (0..entries.len()).map(|i| format!("({})", self.dialect.params(i * 6 + 1, 6))).collect();
        let sql = format!(
            "INSERT INTO audit_log (at, subject, action, execution_id, workspace_id, detail) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        // A token's subject is whatever its issuer wrote, U+0000 included.
        let text = |value: &str| self.dialect.store_text(value).into_owned();
        for entry in entries {
            query = query
                .bind(entry.at.clone())
                .bind(text(&entry.subject))
                .bind(text(&entry.action))
                .bind(entry.execution_id.as_deref().map(text))
                .bind(entry.workspace_id.as_deref().map(text))
                .bind(entry.detail.as_deref().map(text));
        }
        let _turn = self.turns.take().await;
        query.execute(&self.pool).await?;
        Ok(())
    }

    /// The most recent entries first.
    pub async fn audit_entries(&self, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, subject, action, execution_id, workspace_id, detail FROM audit_log ORDER BY seq DESC LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let text = |column: &str| -> Result<Option<String>, StoreError> {
                    Ok(row.try_get::<Option<String>, _>(column)?.map(|v| self.dialect.read_text(v)))
                };
                Ok(AuditEntry {
                    at: row.try_get("at")?,
                    subject: text("subject")?.unwrap_or_default(),
                    action: text("action")?.unwrap_or_default(),
                    execution_id: text("execution_id")?,
                    workspace_id: text("workspace_id")?,
                    detail: text("detail")?,
                })
            })
            .collect()
    }
}
