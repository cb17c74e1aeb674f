//! Writing spans. Ingest is idempotent by span id and order-free: a child may come before its parent, a batch may
//! come twice, and an open span may later come again ended.

use std::collections::BTreeSet;

use engine_instrumentation::SpanRecord;
use trace_model::{ExecutionStatus, Span, SpanKind, StatusCode, time};

use super::{Store, StoreError};

impl Store {
    /// Stores a batch of spans in one transaction and refreshes the summaries of the executions it touches.
    pub async fn insert_spans(&self, records: &[SpanRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut touched = BTreeSet::new();
        for record in records {
            let span = &record.span;
            let payload = serde_json::to_string(span).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let tokens = span.token_usage.unwrap_or_default();
            sqlx::query(
                "INSERT INTO executions (id, workflow_id, trace_id, started_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (id) DO UPDATE SET \
                   started_at = CASE WHEN executions.started_at IS NULL OR excluded.started_at < executions.started_at \
                                THEN excluded.started_at ELSE executions.started_at END, \
                   trace_id = COALESCE(executions.trace_id, excluded.trace_id)",
            )
            .bind(&record.execution_id)
            .bind(record.workflow_id.as_deref().unwrap_or("unknown"))
            .bind(&record.trace_id)
            .bind(time::format(&span.start_time))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO spans (execution_id, span_id, trace_id, parent_span_id, name, kind, status_code, \
                   start_time, end_time, input_tokens, output_tokens, artifact_count, payload) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
                 ON CONFLICT (execution_id, span_id) DO UPDATE SET \
                   parent_span_id = excluded.parent_span_id, name = excluded.name, kind = excluded.kind, \
                   status_code = excluded.status_code, start_time = excluded.start_time, \
                   end_time = excluded.end_time, input_tokens = excluded.input_tokens, \
                   output_tokens = excluded.output_tokens, artifact_count = excluded.artifact_count, \
                   payload = excluded.payload \
                 WHERE spans.end_time IS NULL OR excluded.end_time IS NOT NULL",
            )
            .bind(&record.execution_id)
            .bind(&span.span_id)
            .bind(&record.trace_id)
            .bind(span.parent_span_id.as_deref())
            .bind(&span.name)
            .bind(span.kind.as_str())
            .bind(span.status.code.as_str())
            .bind(time::format(&span.start_time))
            .bind(span.end_time.as_ref().map(time::format))
            .bind(count(tokens.input))
            .bind(count(tokens.output))
            .bind(count(span.artifacts.len() as u64))
            .bind(payload)
            .execute(&mut *tx)
            .await?;
            if is_root(record) {
                record_root(&mut tx, record).await?;
            }
            touched.insert(record.execution_id.as_str());
        }
        for execution_id in touched {
            refresh_summary(&mut tx, execution_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The root span of an execution is its workflow span: it carries the run's timing and outcome.
fn is_root(record: &SpanRecord) -> bool {
    record.span.parent_span_id.is_none() && record.span.kind == SpanKind::Workflow
}

fn run_status(span: &Span) -> ExecutionStatus {
    let declared = trace_model::conventions::str_attr(&span.attributes, "orcheo.execution.status")
        .and_then(ExecutionStatus::parse);
    match (declared, span.end_time, span.status.code) {
        (Some(status), _, _) => status,
        (None, None, _) => ExecutionStatus::Running,
        (None, Some(_), StatusCode::Error) => ExecutionStatus::Error,
        (None, Some(_), _) => ExecutionStatus::Completed,
    }
}

async fn record_root(tx: &mut sqlx::SqliteConnection, record: &SpanRecord) -> Result<(), StoreError> {
    let span = &record.span;
    sqlx::query(
        "UPDATE executions SET root_span_id = ?2, trace_id = ?3, status = ?4, started_at = ?5, finished_at = ?6, \
           workflow_id = COALESCE(?7, workflow_id) WHERE id = ?1",
    )
    .bind(&record.execution_id)
    .bind(&span.span_id)
    .bind(&record.trace_id)
    .bind(run_status(span).as_str())
    .bind(time::format(&span.start_time))
    .bind(span.end_time.as_ref().map(time::format))
    .bind(record.workflow_id.as_deref())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn refresh_summary(tx: &mut sqlx::SqliteConnection, execution_id: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE executions SET \
           span_count = (SELECT COUNT(*) FROM spans WHERE execution_id = ?1), \
           error_count = (SELECT COUNT(*) FROM spans WHERE execution_id = ?1 AND status_code = 'ERROR'), \
           input_tokens = (SELECT COALESCE(SUM(input_tokens), 0) FROM spans WHERE execution_id = ?1), \
           output_tokens = (SELECT COALESCE(SUM(output_tokens), 0) FROM spans WHERE execution_id = ?1), \
           artifact_count = (SELECT COALESCE(SUM(artifact_count), 0) FROM spans WHERE execution_id = ?1) \
         WHERE id = ?1",
    )
    .bind(execution_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// SQLite integers are signed; counts beyond i64 saturate.
fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
