//! The span rows of a batch: what the store already holds of a trace, the multi-row upsert, moving spans out of a
//! trace's own run, context copies, and the summary sums. Every statement works on both dialects.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use sqlx::{Any, AssertSqlSafe, Row, Transaction};
use trace_model::{Span, SpanRecord, StatusCode, time};

use super::{Dialect, StoreError, to_sql_count};

/// Spans per INSERT statement: 13 parameters each stays far below both databases' parameter limits.
const ROWS_PER_STATEMENT: usize = 256;
const SPAN_COLUMNS: usize = 13;

/// The columns a span row is copied with, in the order of the upsert (the execution id first).
const COPIED_COLUMNS: &str = "span_id, trace_id, parent_span_id, name, kind, status_code, start_time, end_time, \
     input_tokens, output_tokens";
const UPDATE_ALL: &str = "parent_span_id = excluded.parent_span_id, name = excluded.name, kind = excluded.kind, \
     status_code = excluded.status_code, start_time = excluded.start_time, end_time = excluded.end_time, \
     input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, version = excluded.version, \
     payload = excluded.payload";

/// What one span adds to its execution's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Contribution {
    spans: i64,
    errors: i64,
    input_tokens: i64,
    output_tokens: i64,
}

impl Contribution {
    pub fn of(span: &Span) -> Self {
        let tokens = span.token_usage.unwrap_or_default();
        Self {
            spans: 1,
            errors: i64::from(span.status.code == StatusCode::Error),
            input_tokens: to_sql_count(tokens.input),
            output_tokens: to_sql_count(tokens.output),
        }
    }

    pub fn add(&mut self, other: &Self) {
        self.spans = self.spans.saturating_add(other.spans);
        self.errors = self.errors.saturating_add(other.errors);
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
    }

    pub fn subtract(&mut self, other: &Self) {
        self.spans = self.spans.saturating_sub(other.spans);
        self.errors = self.errors.saturating_sub(other.errors);
        self.input_tokens = self.input_tokens.saturating_sub(other.input_tokens);
        self.output_tokens = self.output_tokens.saturating_sub(other.output_tokens);
    }
}

/// A stored row of the batch's trace: a batch span, its parent, or its child.
#[derive(Debug, Clone)]
pub struct StoredRow {
    pub execution_id: String,
    pub span_id: String,
    pub parent: Option<String>,
    pub context: bool,
    pub ended: bool,
    contribution: Contribution,
    /// The wire JSON of an ended member row, to tell a retry from a change.
    payload: Option<String>,
}

impl StoredRow {
    /// What the row counts for in its execution's summary (context copies count: the summary totals the tree
    /// the trace page shows).
    pub fn contribution(&self) -> Contribution {
        self.contribution
    }

    /// Whether `span` (whose values are `values`) is what the row holds. The same text is the same span; other
    /// text (Postgres gives `jsonb` back in its own layout) is compared as spans.
    pub fn same_payload(&self, span: &Span, values: &RowValues) -> Result<bool, StoreError> {
        let Some(payload) = &self.payload else { return Ok(false) };
        if *payload == values.json {
            return Ok(true);
        }
        let stored: Span =
            serde_json::from_str(payload).map_err(|e| StoreError::Corrupt(format!("span payload: {e}")))?;
        Ok(&stored == span)
    }
}

/// The values of a span's row that need no database. They are made before the batch waits for its turn to write:
/// the store writes one batch at a time, so that turn is best spent on SQL alone (docs/benchmarks.md, run K).
#[derive(Debug)]
pub struct RowValues {
    /// The span's wire JSON.
    json: String,
    /// The JSON as stored, when the dialect had to escape it.
    escaped_json: Option<String>,
    name: String,
    start_time: String,
    end_time: Option<String>,
}

impl RowValues {
    pub fn of(dialect: Dialect, span: &Span) -> Result<Self, StoreError> {
        let json = serde_json::to_string(span).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Self {
            escaped_json: dialect.escaped_json(&json),
            json,
            name: dialect.store_text(&span.name).into_owned(),
            start_time: time::format(&span.start_time),
            end_time: span.end_time.as_ref().map(time::format),
        })
    }

    fn stored_json(&self) -> &str {
        self.escaped_json.as_deref().unwrap_or(&self.json)
    }
}

fn json_ids<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<String, StoreError> {
    serde_json::to_string(&ids.into_iter().collect::<Vec<_>>()).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The rows of trace `trace_id` that are spans of `group`, their parents, or their children.
pub async fn known(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    trace_id: &str,
    group: &[&SpanRecord],
) -> Result<Vec<StoredRow>, StoreError> {
    let own: Vec<&str> = group.iter().map(|r| r.span.span_id.as_str()).collect();
    let mut wanted: BTreeSet<&str> = own.iter().copied().collect();
    wanted.extend(group.iter().filter_map(|r| r.span.parent_span_id.as_deref()));
    // Two index lookups (by span id, by parent id) rather than one `OR`, which the planners answer by walking
    // every span of the trace: a large trace arriving in batches made each batch read the whole trace again.
    let columns = format!(
        "SELECT execution_id, span_id, parent_span_id, context, \
           CAST(CASE WHEN end_time IS NULL THEN 0 ELSE 1 END AS BIGINT) AS ended, status_code, input_tokens, \
           output_tokens, CASE WHEN end_time IS NOT NULL AND context = 0 THEN {} END AS payload FROM spans",
        dialect.payload_text()
    );
    let (wanted_list, own_list) = (dialect.json_list(2), dialect.json_list(3));
    let sql = format!(
        "{columns} WHERE trace_id = $1 AND span_id IN {wanted_list} \
         UNION ALL {columns} WHERE trace_id = $1 AND parent_span_id IN {own_list} AND span_id NOT IN {wanted_list}"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(trace_id)
        .bind(json_ids(wanted)?)
        .bind(json_ids(own)?)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|row| {
            let status: String = row.try_get("status_code")?;
            Ok(StoredRow {
                execution_id: row.try_get("execution_id")?,
                span_id: row.try_get("span_id")?,
                parent: row.try_get("parent_span_id")?,
                context: row.try_get::<i64, _>("context")? != 0,
                ended: row.try_get::<i64, _>("ended")? != 0,
                contribution: Contribution {
                    spans: 1,
                    errors: i64::from(status == StatusCode::Error.as_str()),
                    input_tokens: row.try_get("input_tokens")?,
                    output_tokens: row.try_get("output_tokens")?,
                },
                payload: row.try_get::<Option<String>, _>("payload")?.map(|p| dialect.read_json(p)),
            })
        })
        .collect()
}

/// The multi-row upsert of `rows` spans. An ended span is never replaced, an
/// identical copy changes nothing, and a context copy gives way to the span itself.
fn upsert_sql(dialect: Dialect, rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO spans (execution_id, span_id, trace_id, parent_span_id, name, kind, status_code, start_time, \
         end_time, input_tokens, output_tokens, version, payload, context) VALUES ",
    );
    for row in 0..rows {
        let first = row * SPAN_COLUMNS + 1;
        let params = dialect.params(first, SPAN_COLUMNS - 1);
        let payload = dialect.json_param(first + SPAN_COLUMNS - 1);
        sql.push_str(&format!("{}({params}, {payload}, 0)", if row == 0 { "" } else { ", " }));
    }
    sql.push_str(&format!(
        " ON CONFLICT (execution_id, span_id) DO UPDATE SET {UPDATE_ALL}, context = 0 \
         WHERE (spans.end_time IS NULL OR spans.context = 1) \
           AND (spans.payload <> excluded.payload OR spans.context = 1)"
    ));
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
    cell.get_or_init(|| upsert_sql(dialect, ROWS_PER_STATEMENT))
}

/// Writes `(execution, span)` rows. Which rows the statement changes is known beforehand, so it returns none:
/// the batch leaves out spans stored as ended, and under the trace's write lock nothing else changes them, so
/// every row written is new, a context copy, or an open span (an identical open copy is left as it is, which adds
/// nothing to a summary either way). Returning the rows cost a third of the write (docs/benchmarks.md, run K).
pub async fn upsert(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    rows: &[(&str, &SpanRecord, &RowValues)],
    version: i64,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = if chunk.len() == ROWS_PER_STATEMENT {
            full_statement(dialect).to_owned()
        } else {
            upsert_sql(dialect, chunk.len())
        };
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (execution, record, values) in chunk {
            let span = &record.span;
            let tokens = span.token_usage.unwrap_or_default();
            query = query
                .bind(*execution)
                .bind(span.span_id.as_str())
                .bind(record.trace_id.as_str())
                .bind(span.parent_span_id.as_deref())
                .bind(values.name.as_str())
                .bind(span.kind.as_str())
                .bind(span.status.code.as_str())
                .bind(values.start_time.as_str())
                .bind(values.end_time.as_deref())
                .bind(to_sql_count(tokens.input))
                .bind(to_sql_count(tokens.output))
                .bind(version)
                .bind(values.stored_json());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The artifacts a written span names, counted once per execution however many spans name them.
pub async fn add_artifact_refs(
    tx: &mut Transaction<'_, Any>,
    execution: &str,
    record: &SpanRecord,
) -> Result<(), StoreError> {
    for artifact in &record.span.artifacts {
        sqlx::query(
            "INSERT INTO artifact_refs (execution_id, span_id, artifact_id) VALUES ($1, $2, $3) \
             ON CONFLICT (execution_id, span_id, artifact_id) DO NOTHING",
        )
        .bind(execution)
        .bind(record.span.span_id.clone())
        .bind(artifact.id.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Drops the member row of `span_id` in `execution` (with the artifacts it named there).
pub async fn delete_member(tx: &mut Transaction<'_, Any>, execution: &str, span_id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM spans WHERE execution_id = $1 AND span_id = $2 AND context = 0")
        .bind(execution)
        .bind(span_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM artifact_refs WHERE execution_id = $1 AND span_id = $2")
        .bind(execution)
        .bind(span_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves every member of the trace's own run below `parents` (at any depth) to `execution`, as new rows: live
/// subscribers and trace pages see them arrive. Answers how many moved.
pub async fn move_descendants(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    trace_id: &str,
    execution: &str,
    parents: &[&str],
    version: i64,
) -> Result<usize, StoreError> {
    let sql = format!(
        "WITH RECURSIVE moved(span_id) AS ( \
           SELECT span_id FROM spans WHERE trace_id = $1 AND execution_id = $1 AND context = 0 \
             AND parent_span_id IN {} \
           UNION SELECT s.span_id FROM spans s JOIN moved m ON s.parent_span_id = m.span_id \
             WHERE s.trace_id = $1 AND s.execution_id = $1 AND s.context = 0) \
         SELECT span_id FROM moved",
        dialect.json_list(2)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(trace_id)
        .bind(json_ids(parents.iter().copied())?)
        .fetch_all(&mut **tx)
        .await?;
    let moved: Vec<String> = rows.iter().map(|row| row.try_get("span_id")).collect::<Result<_, _>>()?;
    if moved.is_empty() {
        return Ok(0);
    }
    let ids = json_ids(moved.iter().map(String::as_str))?;
    let list = dialect.json_list(3);
    let insert = format!(
        "INSERT INTO spans (execution_id, {COPIED_COLUMNS}, version, payload, context) \
         SELECT $2, {COPIED_COLUMNS}, $4, payload, 0 FROM spans \
           WHERE execution_id = $1 AND context = 0 AND span_id IN {list} \
         ON CONFLICT (execution_id, span_id) DO UPDATE SET {UPDATE_ALL}, context = 0"
    );
    sqlx::query(AssertSqlSafe(insert))
        .bind(trace_id)
        .bind(execution)
        .bind(ids.clone())
        .bind(version)
        .execute(&mut **tx)
        .await?;
    let delete =
        format!("DELETE FROM spans WHERE execution_id = $1 AND context = 0 AND span_id IN {}", dialect.json_list(2));
    sqlx::query(AssertSqlSafe(delete)).bind(trace_id).bind(ids.clone()).execute(&mut **tx).await?;
    let refs = format!("UPDATE artifact_refs SET execution_id = $2 WHERE execution_id = $1 AND span_id IN {list}");
    sqlx::query(AssertSqlSafe(refs)).bind(trace_id).bind(execution).bind(ids).execute(&mut **tx).await?;
    Ok(moved.len())
}

/// The members of trace `trace_id` from `start` up to the trace's root (those outside `outside_of`, when given).
const CHAIN: &str = "WITH RECURSIVE up(span_id, parent_span_id) AS ( \
       SELECT span_id, parent_span_id FROM spans \
         WHERE trace_id = $1 AND span_id = $3 AND context = 0 AND execution_id <> $2 \
       UNION SELECT s.span_id, s.parent_span_id FROM spans s JOIN up ON s.span_id = up.parent_span_id \
         WHERE s.trace_id = $1 AND s.context = 0 AND s.execution_id <> $2) ";

/// Copies `start` and its ancestors outside `execution` into it as context (refreshing older copies). Answers
/// how many rows changed.
pub async fn copy_context(
    tx: &mut Transaction<'_, Any>,
    trace_id: &str,
    execution: &str,
    start: &str,
    version: i64,
) -> Result<u64, StoreError> {
    let sql = format!(
        "{CHAIN}INSERT INTO spans (execution_id, {COPIED_COLUMNS}, version, payload, context) \
         SELECT $2, {COPIED_COLUMNS}, $4, payload, 1 FROM spans \
           WHERE trace_id = $1 AND context = 0 AND execution_id <> $2 AND span_id IN (SELECT span_id FROM up) \
         ON CONFLICT (execution_id, span_id) DO UPDATE SET {UPDATE_ALL} \
           WHERE spans.context = 1 AND spans.payload <> excluded.payload"
    );
    let done = sqlx::query(AssertSqlSafe(sql))
        .bind(trace_id)
        .bind(execution)
        .bind(start)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// The span ids above `start` in its trace (members only).
pub async fn ancestors(
    tx: &mut Transaction<'_, Any>,
    trace_id: &str,
    start: &str,
) -> Result<BTreeSet<String>, StoreError> {
    // No execution is excluded: `$2` is a value no execution id has.
    let sql = format!("{CHAIN}SELECT span_id FROM up");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(trace_id).bind("").bind(start).fetch_all(&mut **tx).await?;
    let mut above = BTreeSet::new();
    for row in &rows {
        let id: String = row.try_get("span_id")?;
        if id != start {
            above.insert(id);
        }
    }
    Ok(above)
}

pub async fn member_count(tx: &mut Transaction<'_, Any>, execution: &str) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM spans WHERE execution_id = $1 AND context = 0")
        .bind(execution)
        .fetch_one(&mut **tx)
        .await?;
    Ok(row.try_get("n")?)
}

pub async fn apply_delta(
    tx: &mut Transaction<'_, Any>,
    execution: &str,
    delta: &Contribution,
) -> Result<(), StoreError> {
    if *delta == Contribution::default() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE executions SET span_count = span_count + $2, error_count = error_count + $3, \
           input_tokens = input_tokens + $4, output_tokens = output_tokens + $5 WHERE id = $1",
    )
    .bind(execution)
    .bind(delta.spans)
    .bind(delta.errors)
    .bind(delta.input_tokens)
    .bind(delta.output_tokens)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Sums the summary again from the execution's spans, context included (after spans moved in or out).
pub async fn recount(tx: &mut Transaction<'_, Any>, execution: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE executions SET \
           (span_count, error_count, input_tokens, output_tokens) = (SELECT COUNT(*), \
              CAST(COALESCE(SUM(CASE WHEN status_code = 'ERROR' THEN 1 ELSE 0 END), 0) AS BIGINT), \
              CAST(COALESCE(SUM(input_tokens), 0) AS BIGINT), CAST(COALESCE(SUM(output_tokens), 0) AS BIGINT) \
            FROM spans WHERE execution_id = $1) \
         WHERE id = $1",
    )
    .bind(execution)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether a trace's own run is still worth listing after spans moved out of it.
pub async fn relist(tx: &mut Transaction<'_, Any>, execution: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE executions SET listed = CASE WHEN EXISTS (SELECT 1 FROM spans WHERE execution_id = $1 \
           AND context = 0 AND kind IN ('workflow', 'node', 'llm', 'tool')) THEN 1 ELSE 0 END \
         WHERE id = $1 AND id = trace_id",
    )
    .bind(execution)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_row_statement_numbers_every_parameter_once() {
        let sql = upsert_sql(Dialect::Postgres, 2);
        assert!(sql.contains("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, 0)"));
        assert!(sql.contains(", ($14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26::jsonb, 0)"));
        assert!(!sql.contains("$27"));
        let sqlite = upsert_sql(Dialect::Sqlite, 2);
        assert!(sqlite.contains("VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0), (?, ?,"));
        assert!(!sqlite.contains('$') && sqlite.matches('?').count() == 26);
    }
}
