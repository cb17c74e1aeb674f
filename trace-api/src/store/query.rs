//! Reading run history and traces.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use trace_model::{Execution, ExecutionStatus, Span, TokenUsage, time};

use super::{Store, StoreError};

/// Filters and keyset position of a run-history page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    pub workflow_id: Option<String>,
    pub status: Option<ExecutionStatus>,
    /// Only executions inserted before this sequence number (the cursor of the previous page).
    pub before_seq: Option<i64>,
    pub limit: u32,
}

const EXECUTION_COLUMNS: &str = "seq, id, workflow_id, status, trace_id, root_span_id, started_at, finished_at, \
     span_count, error_count, input_tokens, output_tokens, artifact_count";

impl Store {
    /// Newest first, with the sequence number of each row for the next page's cursor.
    pub async fn list_executions(&self, filter: &ExecutionFilter) -> Result<Vec<(i64, Execution)>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EXECUTION_COLUMNS} FROM executions \
             WHERE (?1 IS NULL OR workflow_id = ?1) AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR seq < ?3) \
             ORDER BY seq DESC LIMIT ?4"
        )))
        .bind(filter.workflow_id.as_deref())
        .bind(filter.status.map(ExecutionStatus::as_str))
        .bind(filter.before_seq)
        .bind(i64::from(filter.limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok((row.try_get("seq")?, execution_from_row(row)?))).collect()
    }

    pub async fn execution(&self, id: &str) -> Result<Option<Execution>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE id = ?1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(execution_from_row).transpose()
    }

    /// Every span of an execution, in no particular order.
    pub async fn spans(&self, execution_id: &str) -> Result<Vec<Span>, StoreError> {
        let rows = sqlx::query("SELECT payload FROM spans WHERE execution_id = ?1")
            .bind(execution_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let payload: String = row.try_get("payload")?;
                serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("span payload: {e}")))
            })
            .collect()
    }
}

fn execution_from_row(row: &SqliteRow) -> Result<Execution, StoreError> {
    let status: String = row.try_get("status")?;
    let timestamp = |column: &str| -> Result<_, StoreError> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| time::parse(&t).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))).transpose()
    };
    let unsigned = |column: &str| -> Result<u64, StoreError> {
        let n: i64 = row.try_get(column)?;
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(Execution {
        id: row.try_get("id")?,
        workflow_id: row.try_get("workflow_id")?,
        status: ExecutionStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
        thread_id: None,
        started_at: timestamp("started_at")?,
        finished_at: timestamp("finished_at")?,
        trace_id: row.try_get("trace_id")?,
        root_span_id: row.try_get("root_span_id")?,
        token_usage: TokenUsage::new(unsigned("input_tokens")?, unsigned("output_tokens")?),
        span_count: unsigned("span_count")?,
        error_count: unsigned("error_count")?,
        artifact_count: unsigned("artifact_count")?,
        links: vec![],
    })
}
