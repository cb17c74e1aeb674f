//! Writing spans. Ingest is idempotent by span id and order-free: a child may come before its parent, a batch may
//! come twice, and an open span may later come again ended. One transaction per batch; spans go in multi-row
//! statements.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use engine_instrumentation::SpanRecord;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};
use trace_model::conventions::{self, EXECUTION_STATUS, WORKSPACE_ID};
use trace_model::{ExecutionStatus, Span, SpanKind, StatusCode, time};

use super::{Dialect, Store, StoreError, to_sql_count};

/// Spans per INSERT statement: 13 parameters each stays far below both databases' parameter limits.
const ROWS_PER_STATEMENT: usize = 256;
const SPAN_COLUMNS: usize = 13;
pub const DEFAULT_WORKSPACE: &str = "default";
const UNKNOWN_WORKFLOW: &str = "unknown";

/// What a batch touched, for live subscribers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingested {
    pub execution_ids: Vec<String>,
    pub spans: usize,
}

/// The execution row a batch needs, from all of its spans in the batch.
#[derive(Debug)]
struct ExecutionSeed<'a> {
    workflow_id: &'a str,
    workspace_id: &'a str,
    trace_id: &'a str,
    started_at: String,
}

impl Store {
    /// Stores a batch of spans and refreshes the summaries of the executions it touches.
    pub async fn insert_spans(&self, records: &[SpanRecord]) -> Result<Ingested, StoreError> {
        let spans = latest_per_span(records);
        if spans.is_empty() {
            return Ok(Ingested::default());
        }
        let executions = seeds(&spans);
        let turn = self.turns.take().await;
        let mut tx = self.pool.begin().await?;
        // Upserting the execution rows first also locks them (Postgres): batches of one execution then allocate
        // versions in commit order, which live subscribers rely on.
        let mut finished = BTreeMap::new();
        for (id, seed) in &executions {
            finished.insert(*id, upsert_execution(&mut tx, id, seed).await?);
        }
        let version: i64 = sqlx::query(self.dialect.next_version()).fetch_one(&mut *tx).await?.try_get("value")?;
        for chunk in spans.chunks(ROWS_PER_STATEMENT) {
            upsert_spans(&mut tx, self.dialect, chunk, version).await?;
        }
        for record in spans.iter().filter(|r| is_root(r)) {
            record_root(&mut tx, record).await?;
            finished.insert(record.execution_id.as_str(), record.span.end_time.is_some());
        }
        for id in executions.keys() {
            if finished.get(id).copied().unwrap_or(true) || self.summaries.due(id) {
                refresh_summary(&mut tx, id).await?;
            }
            self.changes.notify_in(&mut tx, id).await?;
        }
        tx.commit().await?;
        drop(turn);
        for id in executions.keys() {
            self.changes.notify_local(id);
        }
        Ok(Ingested { execution_ids: executions.keys().map(|id| (*id).to_owned()).collect(), spans: spans.len() })
    }
}

/// One record per (execution, span): an ended version wins over an open one, else the last one wins. A single
/// statement may not upsert the same row twice.
fn latest_per_span(records: &[SpanRecord]) -> Vec<&SpanRecord> {
    let mut latest: BTreeMap<(&str, &str), &SpanRecord> = BTreeMap::new();
    for record in records {
        let key = (record.execution_id.as_str(), record.span.span_id.as_str());
        let keep_old =
            latest.get(&key).is_some_and(|old| old.span.end_time.is_some() && record.span.end_time.is_none());
        if !keep_old {
            latest.insert(key, record);
        }
    }
    latest.into_values().collect()
}

fn seeds<'a>(spans: &[&'a SpanRecord]) -> BTreeMap<&'a str, ExecutionSeed<'a>> {
    let mut seeds: BTreeMap<&str, ExecutionSeed> = BTreeMap::new();
    for record in spans {
        let started = time::format(&record.span.start_time);
        let workspace = conventions::str_attr(&record.span.attributes, WORKSPACE_ID);
        let seed = seeds.entry(record.execution_id.as_str()).or_insert_with(|| ExecutionSeed {
            workflow_id: UNKNOWN_WORKFLOW,
            workspace_id: DEFAULT_WORKSPACE,
            trace_id: &record.trace_id,
            started_at: started.clone(),
        });
        if let Some(workflow) = record.workflow_id.as_deref() {
            seed.workflow_id = workflow;
        }
        if let Some(workspace) = workspace {
            seed.workspace_id = workspace;
        }
        if started < seed.started_at {
            seed.started_at = started;
        }
    }
    seeds
}

/// Creates or updates the execution row; true when the execution has finished.
async fn upsert_execution(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    seed: &ExecutionSeed<'_>,
) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "INSERT INTO executions (id, workspace_id, workflow_id, trace_id, started_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (id) DO UPDATE SET \
           started_at = CASE WHEN executions.started_at IS NULL OR excluded.started_at < executions.started_at \
                        THEN excluded.started_at ELSE executions.started_at END, \
           trace_id = COALESCE(executions.trace_id, excluded.trace_id), \
           workflow_id = CASE WHEN executions.workflow_id = 'unknown' THEN excluded.workflow_id \
                         ELSE executions.workflow_id END, \
           workspace_id = CASE WHEN executions.workspace_id = 'default' THEN excluded.workspace_id \
                          ELSE executions.workspace_id END \
         RETURNING status",
    )
    .bind(id)
    .bind(seed.workspace_id)
    .bind(seed.workflow_id)
    .bind(seed.trace_id)
    .bind(&seed.started_at)
    .fetch_one(&mut **tx)
    .await?;
    let status: String = row.try_get("status")?;
    Ok(status != ExecutionStatus::Running.as_str())
}

/// The multi-row upsert of `rows` spans. An ended span is never replaced by an open copy, and an identical copy
/// changes nothing (so a retried batch does not wake live subscribers).
fn upsert_spans_sql(dialect: Dialect, rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO spans (execution_id, span_id, trace_id, parent_span_id, name, kind, status_code, start_time, \
         end_time, input_tokens, output_tokens, version, payload) VALUES ",
    );
    for row in 0..rows {
        let first = row * SPAN_COLUMNS + 1;
        let params = dialect.params(first, SPAN_COLUMNS - 1);
        let payload = dialect.json_param(first + SPAN_COLUMNS - 1);
        sql.push_str(&format!("{}({params}, {payload})", if row == 0 { "" } else { ", " }));
    }
    sql.push_str(
        " ON CONFLICT (execution_id, span_id) DO UPDATE SET \
           parent_span_id = excluded.parent_span_id, name = excluded.name, kind = excluded.kind, \
           status_code = excluded.status_code, start_time = excluded.start_time, end_time = excluded.end_time, \
           input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, \
           version = excluded.version, payload = excluded.payload \
         WHERE (spans.end_time IS NULL OR excluded.end_time IS NOT NULL) AND spans.payload <> excluded.payload",
    );
    sql
}

/// The statement of a full chunk, built once per dialect: building it costs more than copying it.
fn full_statement(dialect: Dialect) -> &'static str {
    static SQLITE: OnceLock<String> = OnceLock::new();
    static POSTGRES: OnceLock<String> = OnceLock::new();
    let cell = match dialect {
        Dialect::Sqlite => &SQLITE,
        Dialect::Postgres => &POSTGRES,
    };
    cell.get_or_init(|| upsert_spans_sql(dialect, ROWS_PER_STATEMENT))
}

async fn upsert_spans(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    spans: &[&SpanRecord],
    version: i64,
) -> Result<(), StoreError> {
    let sql = if spans.len() == ROWS_PER_STATEMENT {
        full_statement(dialect).to_owned()
    } else {
        upsert_spans_sql(dialect, spans.len())
    };
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for record in spans {
        let span = &record.span;
        let payload = serde_json::to_string(span).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tokens = span.token_usage.unwrap_or_default();
        query = query
            .bind(record.execution_id.clone())
            .bind(span.span_id.clone())
            .bind(record.trace_id.clone())
            .bind(span.parent_span_id.clone())
            .bind(span.name.clone())
            .bind(span.kind.as_str())
            .bind(span.status.code.as_str())
            .bind(time::format(&span.start_time))
            .bind(span.end_time.as_ref().map(time::format))
            .bind(to_sql_count(tokens.input))
            .bind(to_sql_count(tokens.output))
            .bind(version)
            .bind(payload);
    }
    query.execute(&mut **tx).await?;
    Ok(())
}

/// The root span of an execution is its workflow span: it carries the run's timing and outcome.
fn is_root(record: &SpanRecord) -> bool {
    record.span.parent_span_id.is_none() && record.span.kind == SpanKind::Workflow
}

fn run_status(span: &Span) -> ExecutionStatus {
    let declared = conventions::str_attr(&span.attributes, EXECUTION_STATUS).and_then(ExecutionStatus::parse);
    match (declared, span.end_time, span.status.code) {
        (Some(status), _, _) => status,
        (None, None, _) => ExecutionStatus::Running,
        (None, Some(_), StatusCode::Error) => ExecutionStatus::Error,
        (None, Some(_), _) => ExecutionStatus::Completed,
    }
}

async fn record_root(tx: &mut Transaction<'_, Any>, record: &SpanRecord) -> Result<(), StoreError> {
    let span = &record.span;
    sqlx::query(
        "UPDATE executions SET root_span_id = $2, trace_id = $3, status = $4, started_at = $5, finished_at = $6, \
           workflow_id = COALESCE($7, workflow_id) WHERE id = $1",
    )
    .bind(record.execution_id.clone())
    .bind(span.span_id.clone())
    .bind(record.trace_id.clone())
    .bind(run_status(span).as_str())
    .bind(time::format(&span.start_time))
    .bind(span.end_time.as_ref().map(time::format))
    // The root names the workflow with authority; other spans may only have guessed it.
    .bind(record.workflow_id.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn refresh_summary(tx: &mut Transaction<'_, Any>, execution_id: &str) -> Result<(), StoreError> {
    // One pass over the execution's spans for all four sums.
    sqlx::query(
        "UPDATE executions SET \
           (span_count, error_count, input_tokens, output_tokens) = (SELECT COUNT(*), \
              CAST(COALESCE(SUM(CASE WHEN status_code = 'ERROR' THEN 1 ELSE 0 END), 0) AS BIGINT), \
              CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) \
            FROM spans WHERE execution_id = $1), \
           artifact_count = (SELECT COUNT(*) FROM artifacts WHERE execution_id = $1) \
         WHERE id = $1",
    )
    .bind(execution_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_statement_numbers_every_parameter_once() {
        let sql = upsert_spans_sql(Dialect::Postgres, 2);
        assert!(sql.contains("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)"));
        assert!(sql.contains(", ($14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26::jsonb)"));
        assert!(!sql.contains("$27"));
        let sqlite = upsert_spans_sql(Dialect::Sqlite, 2);
        assert!(sqlite.contains("VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?,"));
        assert!(!sqlite.contains('$') && sqlite.matches('?').count() == 26);
    }
}
