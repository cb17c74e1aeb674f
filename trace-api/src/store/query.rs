//! Reading run history and traces.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use trace_model::{Execution, ExecutionStatus, Span, SpanTree, TokenUsage, TreeItem, time};

use super::{ArtifactMeta, Dialect, Store, StoreError, from_sql_count};

/// Filters and keyset position of a run-history page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionFilter {
    pub workflow_id: Option<String>,
    /// Only executions of this trace (what a span link names).
    pub trace_id: Option<String>,
    /// Only executions of this conversation thread.
    pub thread_id: Option<String>,
    pub status: Option<ExecutionStatus>,
    /// Only these workspaces; `None` for all (a caller with access everywhere).
    pub workspaces: Option<Vec<String>>,
    /// Only executions inserted before this sequence number (the cursor of the previous page).
    pub before_seq: Option<i64>,
    /// Also traces without an execution id that hold no workflow, node, LLM or tool span (bare HTTP requests).
    pub include_unlisted: bool,
    pub limit: u32,
}

/// The spans of an execution that had arrived when paging began (`max_seq`), in depth-first order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceSnapshot {
    pub max_seq: i64,
    /// The spans' arrival numbers (`seq`, the row key), parents before children.
    pub order: Arc<Vec<i64>>,
}

/// What a trace page needs before its spans, read in one statement: the execution, its workspace, its
/// artifacts and, for a first page, how far span arrival has got.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceHead {
    pub workspace: String,
    pub execution: Execution,
    /// The highest `seq` among the execution's spans (0 for none); `None` when not asked for.
    pub max_seq: Option<i64>,
    pub artifacts: Vec<ArtifactMeta>,
}

/// A page of whole spans with the version watermark at read time.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanPage {
    pub spans: Vec<Span>,
    pub max_version: i64,
}

const EXECUTION_COLUMNS: &str = "seq, id, workspace_id, workflow_id, status, thread_id, trace_id, root_span_id, \
     started_at, finished_at, span_count, error_count, input_tokens, output_tokens, artifact_count, last_span_at";

/// Spans per statement when ordering a trace on SQLite, each chunk one JSON text of ~300 KB (a 10k-span test
/// crosses chunks).
const SKELETON_CHUNK: i64 = 4_096;

/// Up to `$4` spans of execution `$1` after `seq` `$2` up to `$3`, in arrival order, as `skeleton`: a JSON array
/// of `[seq, span_id, parent_span_id, start_time]` (NULL when none).
const SQLITE_SKELETON_CHUNK: &str = "SELECT json_group_array(json_array(seq, span_id, parent_span_id, start_time)) \
     AS skeleton FROM (SELECT seq, span_id, parent_span_id, start_time FROM spans \
       WHERE execution_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4)";

/// What ordering needs of a span, without its payload.
struct Skeleton {
    seq: i64,
    span_id: String,
    parent_span_id: Option<String>,
    start_time: DateTime<Utc>,
}

impl Skeleton {
    fn new(seq: i64, span_id: String, parent_span_id: Option<String>, start: &str) -> Result<Self, StoreError> {
        let start_time = time::parse(start).map_err(|e| StoreError::Corrupt(format!("start_time: {e}")))?;
        Ok(Self { seq, span_id, parent_span_id, start_time })
    }
}

impl TreeItem for Skeleton {
    fn item_id(&self) -> &str {
        &self.span_id
    }

    fn parent_id(&self) -> Option<&str> {
        self.parent_span_id.as_deref()
    }

    fn start(&self) -> DateTime<Utc> {
        self.start_time
    }
}

/// `$first, $first+1, …` for `count` parameters, in both dialects: for statements that name a parameter twice
/// (so cannot use SQLite's anonymous `?`) and have few parameters.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

/// Depth-first orders of pinned snapshots, by execution and arrival watermark: paging a large trace computes
/// its order once, not once per page.
#[derive(Clone)]
pub struct OrderCache(moka::sync::Cache<(String, i64), Arc<Vec<i64>>>);

impl Default for OrderCache {
    fn default() -> Self {
        Self(
            moka::sync::Cache::builder()
                .weigher(|_, order: &Arc<Vec<i64>>| u32::try_from(order.len().saturating_mul(8)).unwrap_or(u32::MAX))
                .max_capacity(256 * 1024 * 1024)
                .time_to_idle(std::time::Duration::from_secs(300))
                .build(),
        )
    }
}

impl std::fmt::Debug for OrderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderCache").field("entries", &self.0.entry_count()).finish()
    }
}

impl Store {
    /// Newest first, with the sequence number of each row for the next page's cursor.
    pub async fn list_executions(&self, filter: &ExecutionFilter) -> Result<Vec<(i64, Execution)>, StoreError> {
        let cut = self.stall_cut();
        // A stalled run is stored as running, told apart by when it last heard of a span ($6 when asked).
        let (stored_status, stall_clause) = match (filter.status, &cut) {
            (Some(ExecutionStatus::Stalled), Some(_)) => (Some("running"), " AND last_span_at < $6"),
            (Some(ExecutionStatus::Stalled), None) => return Ok(Vec::new()),
            (Some(ExecutionStatus::Running), Some(_)) => {
                (Some("running"), " AND (last_span_at IS NULL OR last_span_at >= $6)")
            }
            (status, _) => (status.map(ExecutionStatus::as_str), ""),
        };
        let first_workspace = if stall_clause.is_empty() { 6 } else { 7 };
        let workspace_clause = match &filter.workspaces {
            None => String::new(),
            Some(list) if list.is_empty() => return Ok(Vec::new()),
            Some(list) => format!(" AND workspace_id IN ({})", placeholders(first_workspace, list.len())),
        };
        let trace_at = first_workspace + filter.workspaces.as_ref().map_or(0, Vec::len);
        let trace_clause =
            if filter.trace_id.is_some() { format!(" AND trace_id = ${trace_at}") } else { String::new() };
        let thread_at = trace_at + usize::from(filter.trace_id.is_some());
        let thread_clause =
            if filter.thread_id.is_some() { format!(" AND thread_id = ${thread_at}") } else { String::new() };
        let sql = format!(
            "SELECT {EXECUTION_COLUMNS} FROM executions \
             WHERE ($1 IS NULL OR workflow_id = $1) AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR seq < $3) \
             AND ($5 OR listed = 1){stall_clause}{workspace_clause}{trace_clause}{thread_clause} ORDER BY seq DESC LIMIT $4"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(filter.workflow_id.clone())
            .bind(stored_status)
            .bind(filter.before_seq)
            .bind(i64::from(filter.limit))
            .bind(filter.include_unlisted);
        if !stall_clause.is_empty() {
            query = query.bind(cut.clone());
        }
        for workspace in filter.workspaces.iter().flatten() {
            query = query.bind(workspace.clone());
        }
        if let Some(trace_id) = &filter.trace_id {
            query = query.bind(trace_id.clone());
        }
        if let Some(thread_id) = &filter.thread_id {
            query = query.bind(thread_id.clone());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get("seq")?, execution_from_row(row, cut.as_deref())?))).collect()
    }

    /// Runs still open that heard of no span since this time are stalled (`None`: never).
    fn stall_cut(&self) -> Option<String> {
        let after = chrono::Duration::from_std(self.stall_after?).ok()?;
        Some(time::format(&(Utc::now() - after)))
    }

    /// An execution and the workspace it belongs to.
    pub async fn execution(&self, id: &str) -> Result<Option<(String, Execution)>, StoreError> {
        if super::check_id("execution id", id).is_err() {
            return Ok(None);
        }
        let row = sqlx::query(AssertSqlSafe(format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let cut = self.stall_cut();
        row.as_ref().map(|row| Ok((row.try_get("workspace_id")?, execution_from_row(row, cut.as_deref())?))).transpose()
    }

    /// The execution `id` with its artifacts and, when `watermark` is set, the highest `seq` of its spans: one
    /// statement instead of one each, so a page costs two round trips to the database.
    pub async fn trace_head(&self, id: &str, watermark: bool) -> Result<Option<TraceHead>, StoreError> {
        if super::check_id("execution id", id).is_err() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {EXECUTION_COLUMNS}, \
               CASE WHEN $2 THEN CAST(COALESCE((SELECT MAX(seq) FROM spans WHERE execution_id = $1), 0) AS BIGINT) \
               END AS max_seq, {} AS artifacts \
             FROM executions WHERE id = $1",
            self.dialect.artifacts_json()
        );
        let row = sqlx::query(AssertSqlSafe(sql)).bind(id).bind(watermark).fetch_optional(&self.pool).await?;
        let Some(row) = row else { return Ok(None) };
        let artifacts: Option<String> = row.try_get("artifacts")?;
        let artifacts = match artifacts.map(|text| self.dialect.read_json(text)) {
            Some(text) => serde_json::from_str::<Vec<ArtifactMeta>>(&text)
                .map_err(|e| StoreError::Corrupt(format!("artifacts: {e}")))?,
            None => Vec::new(),
        };
        Ok(Some(TraceHead {
            workspace: row.try_get("workspace_id")?,
            execution: execution_from_row(&row, self.stall_cut().as_deref())?,
            max_seq: row.try_get("max_seq")?,
            artifacts,
        }))
    }

    /// The depth-first order of the spans that had arrived at `max_seq` (see [`TraceHead::max_seq`]).
    pub async fn snapshot(&self, execution_id: &str, max_seq: i64) -> Result<TraceSnapshot, StoreError> {
        let key = (execution_id.to_owned(), max_seq);
        if let Some(order) = self.orders.0.get(&key) {
            return Ok(TraceSnapshot { max_seq, order });
        }
        let order = Arc::new(self.depth_first(execution_id, max_seq).await?);
        self.orders.0.insert(key, Arc::clone(&order));
        Ok(TraceSnapshot { max_seq, order })
    }

    async fn depth_first(&self, execution_id: &str, max_seq: i64) -> Result<Vec<i64>, StoreError> {
        let skeleton = match self.dialect {
            Dialect::Sqlite => self.skeleton_in_chunks(execution_id, max_seq).await?,
            Dialect::Postgres => self.skeleton_rows(execution_id, max_seq).await?,
        };
        let tree = SpanTree::build(&skeleton);
        let mut order = Vec::with_capacity(skeleton.len());
        let mut skeleton: Vec<Option<Skeleton>> = skeleton.into_iter().map(Some).collect();
        for node in tree.depth_first() {
            if let Some(item) = skeleton[node].take() {
                order.push(item.seq);
            }
        }
        Ok(order)
    }

    /// What ordering needs of each span, a row each: Postgres streams rows from its socket cheaply.
    async fn skeleton_rows(&self, execution_id: &str, max_seq: i64) -> Result<Vec<Skeleton>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, span_id, parent_span_id, start_time FROM spans \
             WHERE execution_id = $1 AND seq <= $2 ORDER BY seq",
        )
        .bind(execution_id)
        .bind(max_seq)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let start: String = row.try_get("start_time")?;
                Skeleton::new(row.try_get("seq")?, row.try_get("span_id")?, row.try_get("parent_span_id")?, &start)
            })
            .collect()
    }

    /// What ordering needs of each span, as JSON text of [`SKELETON_CHUNK`] spans at a time: sqlx's SQLite driver
    /// hands each row from its worker thread to the caller (about 2 µs a row, most of ordering a large trace).
    async fn skeleton_in_chunks(&self, execution_id: &str, max_seq: i64) -> Result<Vec<Skeleton>, StoreError> {
        let mut skeleton = Vec::new();
        let mut after = 0;
        loop {
            let row = sqlx::query(SQLITE_SKELETON_CHUNK)
                .bind(execution_id)
                .bind(after)
                .bind(max_seq)
                .bind(SKELETON_CHUNK)
                .fetch_one(&self.pool)
                .await?;
            let chunk: Option<String> = row.try_get("skeleton")?;
            let chunk: Vec<(i64, String, Option<String>, String)> = match chunk {
                Some(text) => serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("spans: {e}")))?,
                None => Vec::new(),
            };
            let full = chunk.len() as i64 == SKELETON_CHUNK;
            for (seq, span_id, parent_span_id, start) in chunk {
                after = after.max(seq);
                skeleton.push(Skeleton::new(seq, span_id, parent_span_id, &start)?);
            }
            if !full {
                return Ok(skeleton);
            }
        }
    }

    /// The stored wire JSON of an execution's spans by `seq`, as one JSON array in the order of `seqs` (spans not
    /// found are left out). The database joins the payloads into one text, so a page is one row to fetch, not one
    /// per span, and pages splice it into their body as it is, without building a `Span` for each. The keys go in
    /// as one JSON array parameter: one statement for every page size, cheap to plan; each is one lookup of the
    /// table's own key.
    pub async fn span_payloads(&self, execution_id: &str, seqs: &[i64]) -> Result<String, StoreError> {
        if seqs.is_empty() {
            return Ok("[]".to_owned());
        }
        let ids = serde_json::to_string(seqs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let row =
            sqlx::query(self.dialect.payloads_in_order()).bind(ids).bind(execution_id).fetch_one(&self.pool).await?;
        let payloads: Option<String> = row.try_get("payloads")?;
        Ok(payloads.map_or_else(|| "[]".to_owned(), |text| self.dialect.read_json(text)))
    }

    /// Spans of an execution changed after `version` (all of them for 0), and the newest version among them.
    pub async fn spans_since(&self, execution_id: &str, version: i64) -> Result<SpanPage, StoreError> {
        let sql = format!(
            "SELECT version, {} AS payload FROM spans WHERE execution_id = $1 AND version > $2 ORDER BY seq",
            self.dialect.payload_text()
        );
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(execution_id).bind(version).fetch_all(&self.pool).await?;
        let mut max_version = version;
        let mut spans = Vec::with_capacity(rows.len());
        for row in &rows {
            max_version = max_version.max(row.try_get("version")?);
            spans.push(span_from_row(row, self.dialect)?);
        }
        Ok(SpanPage { spans, max_version })
    }
}

fn span_from_row(row: &AnyRow, dialect: Dialect) -> Result<Span, StoreError> {
    let payload = dialect.read_json(row.try_get("payload")?);
    serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt(format!("span payload: {e}")))
}

/// An execution as stored; a running one that heard of no span since `stall_cut` shows as stalled.
fn execution_from_row(row: &AnyRow, stall_cut: Option<&str>) -> Result<Execution, StoreError> {
    let stored: String = row.try_get("status")?;
    let last_span_at: Option<String> = row.try_get("last_span_at")?;
    let stalled = stored == ExecutionStatus::Running.as_str()
        && matches!((stall_cut, last_span_at.as_deref()), (Some(cut), Some(last)) if last < cut);
    let status = if stalled { ExecutionStatus::Stalled.as_str().to_owned() } else { stored };
    let timestamp = |column: &str| -> Result<_, StoreError> {
        let text: Option<String> = row.try_get(column)?;
        text.map(|t| time::parse(&t).map_err(|e| StoreError::Corrupt(format!("{column}: {e}")))).transpose()
    };
    let count = |column: &str| -> Result<u64, StoreError> { Ok(from_sql_count(row.try_get(column)?)) };
    Ok(Execution {
        id: row.try_get("id")?,
        workflow_id: row.try_get("workflow_id")?,
        status: ExecutionStatus::parse(&status).ok_or_else(|| StoreError::Corrupt(format!("status {status}")))?,
        thread_id: row.try_get("thread_id")?,
        started_at: timestamp("started_at")?,
        finished_at: timestamp("finished_at")?,
        trace_id: row.try_get("trace_id")?,
        root_span_id: row.try_get("root_span_id")?,
        token_usage: TokenUsage::new(count("input_tokens")?, count("output_tokens")?),
        span_count: count("span_count")?,
        error_count: count("error_count")?,
        artifact_count: count("artifact_count")?,
        links: vec![],
    })
}
