//! Writing spans. Ingest is idempotent by span id and order-free: a child may come before its parent, a batch may
//! come twice, an open span may later come again ended. Each span is filed under its execution (`membership`);
//! one transaction per batch; spans go in multi-row statements, and the summaries move by what the batch changed.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use sqlx::{Any, Row, Transaction};
use trace_model::conventions::{self, EXECUTION_STATUS, WORKFLOW_ID};
use trace_model::{ExecutionStatus, Span, SpanKind, SpanRecord, StatusCode, time};

use super::membership::{self, Filed, Incoming};
use super::span_rows::{self, Contribution, RowValues, StoredRow};
use super::write::WriteConnection;
use super::{Dialect, Store, StoreError};

pub const DEFAULT_WORKSPACE: &str = "default";
const UNKNOWN_WORKFLOW: &str = "unknown";

/// What a batch touched, for live subscribers, and what it refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingested {
    pub execution_ids: Vec<String>,
    /// Spans written: new, or replacing an open span or a context copy.
    pub spans: usize,
    pub rejected: Vec<RejectedSpan>,
}

/// A span the store refused; the rest of its batch is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedSpan {
    pub trace_id: String,
    pub span_id: String,
    pub reason: String,
}

/// The workspaces a writer may write into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteScope {
    Any,
    Only(BTreeSet<String>),
}

impl WriteScope {
    fn allows(&self, workspace: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Only(set) => set.contains(workspace),
        }
    }

    /// The workspace of a new execution whose spans name none: the writer's only workspace, else the default.
    fn default_workspace(&self) -> &str {
        match self {
            Self::Only(set) if set.len() == 1 => set.iter().next().map_or(DEFAULT_WORKSPACE, String::as_str),
            _ => DEFAULT_WORKSPACE,
        }
    }
}

/// An execution row as the batch finds it.
#[derive(Debug, Clone)]
struct ExistingExecution {
    workspace_id: String,
    trace_id: Option<String>,
    root_span_id: Option<String>,
}

/// What happened to one execution in this batch.
#[derive(Debug, Default)]
struct Touch<'a> {
    trace_id: String,
    /// Summary change of the spans upserted; `None` once a recount is needed (spans moved in or out).
    delta: Option<Contribution>,
    /// Spans that may be the execution's span (or, for a trace's run, its root).
    root_candidates: Vec<&'a SpanRecord>,
    /// Spans moved out: the row goes when nothing is left, and its listing is looked at again.
    lost_spans: bool,
    /// The execution's span as stored before the batch.
    current_root: Option<String>,
}

impl Store {
    /// Stores a batch from a trusted writer (this process's engine).
    pub async fn insert_spans(&self, records: &[SpanRecord]) -> Result<Ingested, StoreError> {
        self.insert_spans_as(records, &WriteScope::Any).await
    }

    /// Stores a batch, refusing (and reporting) spans outside the writer's workspaces, spans that contradict where
    /// their span id is already filed, and different content for a span that has ended.
    pub async fn insert_spans_as(&self, records: &[SpanRecord], scope: &WriteScope) -> Result<Ingested, StoreError> {
        for record in records {
            check_ids(record)?;
        }
        let spans = latest_per_span(records);
        if spans.is_empty() {
            return Ok(Ingested::default());
        }
        let mut by_trace: BTreeMap<&str, (Vec<&SpanRecord>, Vec<RowValues>)> = BTreeMap::new();
        for record in spans {
            let (group, values) = by_trace.entry(record.trace_id.as_str()).or_default();
            values.push(RowValues::of(self.dialect, &record.span)?);
            group.push(record);
        }
        let turn = self.turns.take().await;
        let mut connection = WriteConnection::acquire(&self.pool).await?;
        let mut tx = connection.begin().await?;
        let version: i64 = sqlx::query(self.dialect.next_version()).fetch_one(&mut *tx).await?.try_get("value")?;
        let mut batch =
            Batch { dialect: self.dialect, version, scope, touched: BTreeMap::new(), rejected: vec![], stored: 0 };
        for (trace_id, (group, values)) in &by_trace {
            if let Some(lock) = self.dialect.trace_lock() {
                sqlx::query(lock).bind(*trace_id).execute(&mut *tx).await?;
            }
            batch.trace(&mut tx, trace_id, group, values).await?;
        }
        for (id, touch) in &batch.touched {
            finish_execution(&mut tx, id, touch).await?;
            self.changes.notify_in(&mut tx, id).await?;
        }
        tx.commit().await?;
        connection.committed();
        drop(turn);
        for id in batch.touched.keys() {
            self.changes.notify_local(id);
        }
        Ok(Ingested {
            execution_ids: batch.touched.into_keys().collect(),
            spans: batch.stored,
            rejected: batch.rejected,
        })
    }
}

/// The ids a record files its span under, none holding U+0000 (span text may: see `pg_text`). A batch with such an
/// id is refused whole, before anything is written.
fn check_ids(record: &SpanRecord) -> Result<(), StoreError> {
    let span = &record.span;
    super::check_id("trace id", &record.trace_id)?;
    super::check_id("span id", &span.span_id)?;
    let declared = conventions::str_attr(&span.attributes, WORKFLOW_ID);
    let ids = [
        ("parent span id", span.parent_span_id.as_deref()),
        ("execution id", record.execution_id.as_deref()),
        ("workflow id", record.workflow_id.as_deref()),
        ("workflow id", declared),
        ("workspace id", record.workspace_id.as_deref()),
    ];
    let artifacts = span.artifacts.iter().map(|a| ("artifact id", Some(a.id.as_str())));
    for (what, id) in ids.into_iter().chain(artifacts) {
        // The message is made only for an id that fails: this runs for every span that arrives.
        if let Some(id) = id
            && super::check_id(what, id).is_err()
        {
            return super::check_id(&format!("{what} of span {}", span.span_id), id);
        }
    }
    Ok(())
}

/// One record per (trace, span): an ended version wins over an open one, else the last one wins. A single
/// statement may not upsert the same row twice.
fn latest_per_span(records: &[SpanRecord]) -> Vec<&SpanRecord> {
    let mut latest: FxHashMap<(&str, &str), &SpanRecord> = FxHashMap::default();
    for record in records {
        let key = (record.trace_id.as_str(), record.span.span_id.as_str());
        let keep_old =
            latest.get(&key).is_some_and(|old| old.span.end_time.is_some() && record.span.end_time.is_none());
        if !keep_old {
            latest.insert(key, record);
        }
    }
    // In (trace, span) order, as the rows have always been written.
    let mut latest: Vec<_> = latest.into_iter().collect();
    latest.sort_unstable_by_key(|(key, _)| *key);
    latest.into_iter().map(|(_, record)| record).collect()
}

#[derive(Debug)]
struct Batch<'a> {
    dialect: Dialect,
    version: i64,
    scope: &'a WriteScope,
    touched: BTreeMap<String, Touch<'a>>,
    rejected: Vec<RejectedSpan>,
    stored: usize,
}

impl<'a> Batch<'a> {
    fn reject(&mut self, record: &SpanRecord, reason: String) {
        self.rejected.push(RejectedSpan {
            trace_id: record.trace_id.clone(),
            span_id: record.span.span_id.clone(),
            reason,
        });
    }

    fn touch(&mut self, execution_id: &str, trace_id: &str) -> &mut Touch<'a> {
        self.touched.entry(execution_id.to_owned()).or_insert_with(|| Touch {
            trace_id: trace_id.to_owned(),
            delta: Some(Contribution::default()),
            ..Touch::default()
        })
    }

    /// Files and writes the spans of one trace (`values[i]` are the row values of `group[i]`).
    async fn trace(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        trace_id: &str,
        group: &[&'a SpanRecord],
        values: &[RowValues],
    ) -> Result<(), StoreError> {
        let known = span_rows::known(tx, self.dialect, trace_id, group).await?;
        let incoming: Vec<Incoming> = group
            .iter()
            .map(|r| Incoming {
                span_id: &r.span.span_id,
                parent: r.span.parent_span_id.as_deref(),
                declared: r.execution_id.as_deref(),
            })
            .collect();
        let members: FxHashMap<String, Filed> = known
            .iter()
            .filter(|row| !row.context)
            .map(|row| {
                (row.span_id.clone(), Filed { execution_id: row.execution_id.clone(), parent: row.parent.clone() })
            })
            .collect();
        let mut children: FxHashMap<String, Vec<String>> = FxHashMap::default();
        for row in known.iter().filter(|row| !row.context) {
            if let Some(parent) = &row.parent {
                children.entry(parent.clone()).or_default().push(row.span_id.clone());
            }
        }
        let mut plan = membership::plan(&incoming, &members, &children, trace_id);
        for conflict in &plan.conflicts {
            self.reject(group[conflict.index], conflict.reason.clone());
        }

        // Who may write where, and what an execution is fixed to once it exists.
        let mut targets: BTreeSet<&str> = plan.filings.iter().flatten().map(String::as_str).collect();
        targets.extend(plan.context_from.iter().map(|(e, _)| e.as_str()));
        targets.insert(trace_id);
        let existing = existing_executions(tx, self.dialect, &targets).await?;
        let mut refused: BTreeMap<String, String> = BTreeMap::new();
        let mut seeds: BTreeMap<String, Seed> = BTreeMap::new();
        for (i, record) in group.iter().enumerate() {
            let Some(execution) = plan.filings[i].clone() else { continue };
            let seed = seeds.entry(execution.clone()).or_insert_with(|| Seed::new(&execution, trace_id));
            seed.add(record);
        }
        for (execution, seed) in &seeds {
            let workspace = match existing.get(execution) {
                Some(row) => {
                    if row.trace_id.as_deref().is_some_and(|t| t != trace_id) {
                        refused.insert(
                            execution.clone(),
                            format!("execution {execution} belongs to another trace than {trace_id}"),
                        );
                        continue;
                    }
                    row.workspace_id.clone()
                }
                None => seed.workspace.clone().unwrap_or_else(|| self.scope.default_workspace().to_owned()),
            };
            if !self.scope.allows(&workspace) {
                refused.insert(
                    execution.clone(),
                    format!("the token may not write to workspace {workspace:?} (execution {execution})"),
                );
            }
        }
        for (i, record) in group.iter().enumerate() {
            if let Some(reason) = plan.filings[i].as_ref().and_then(|e| refused.get(e)) {
                self.reject(record, reason.clone());
                plan.filings[i] = None;
            }
        }
        plan.context_from
            .retain(|(e, _)| !refused.contains_key(e) && (existing.contains_key(e) || seeds.contains_key(e)));
        plan.move_under.retain(|(e, _)| !refused.contains_key(e));

        for (execution, seed) in seeds.iter().filter(|(e, _)| !refused.contains_key(*e)) {
            let workspace = seed.workspace.clone().unwrap_or_else(|| self.scope.default_workspace().to_owned());
            upsert_execution(tx, execution, seed, &workspace).await?;
            self.touch(execution, trace_id).current_root =
                existing.get(execution).and_then(|row| row.root_span_id.clone());
        }

        // The spans themselves: an ended span is final, a retry of it changes nothing.
        let old: FxHashMap<(&str, &str), &StoredRow> =
            known.iter().map(|row| ((row.execution_id.as_str(), row.span_id.as_str()), row)).collect();
        let mut writes: Vec<(&str, &'a SpanRecord, &RowValues)> = Vec::new();
        for (i, (record, row_values)) in group.iter().zip(values).enumerate() {
            let Some(execution) = plan.filings[i].as_deref() else { continue };
            if let Some(row) = old.get(&(execution, record.span.span_id.as_str()))
                && !row.context
                && row.ended
            {
                if !row.same_payload(&record.span, row_values)? {
                    self.reject(record, format!("span {} has ended; an ended span cannot change", record.span.span_id));
                }
                continue;
            }
            writes.push((execution, record, row_values));
        }
        span_rows::upsert(tx, self.dialect, &writes, self.version).await?;
        self.stored += writes.len();
        for (execution, record, _) in &writes {
            let before = old
                .get(&(execution, record.span.span_id.as_str()))
                .map_or_else(Contribution::default, |r| r.contribution());
            let touch = self.touch(execution, trace_id);
            if let Some(delta) = &mut touch.delta {
                delta.add(&Contribution::of(&record.span));
                delta.subtract(&before);
            }
            span_rows::add_artifact_refs(tx, execution, record).await?;
        }
        // Where each span of the batch sits, so a parent is found in one lookup, not a scan of the batch.
        let positions: FxHashMap<&str, usize> =
            group.iter().enumerate().map(|(i, r)| (r.span.span_id.as_str(), i)).collect();
        for (i, record) in group.iter().enumerate() {
            let Some(execution) = plan.filings[i].as_deref() else { continue };
            if is_root_candidate(record, execution, trace_id, &plan.filings, &positions, &members) {
                self.touch(execution, trace_id).root_candidates.push(record);
            }
        }

        // What waited in the trace's run moves under the execution that now claims it.
        for (run, span_id) in &plan.refiled {
            span_rows::delete_member(tx, run, span_id).await?;
            self.touch(run, trace_id).lost_spans = true;
            self.touch(run, trace_id).delta = None;
        }
        if existing.contains_key(trace_id) || seeds.contains_key(trace_id) {
            let mut under: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (execution, parent) in &plan.move_under {
                under.entry(execution).or_default().push(parent);
            }
            for (execution, parents) in under {
                let moved =
                    span_rows::move_descendants(tx, self.dialect, trace_id, execution, &parents, self.version).await?;
                if moved > 0 {
                    carry_thread(tx, execution, trace_id).await?;
                    self.touch(execution, trace_id).delta = None;
                    let run = self.touch(trace_id, trace_id);
                    run.delta = None;
                    run.lost_spans = true;
                }
            }
        }
        // Ancestors outside an execution are shown above it.
        let mut refresh: BTreeSet<(String, String)> = plan.context_from.clone();
        for row in known.iter().filter(|row| row.context) {
            if group.iter().any(|r| r.span.span_id == row.span_id) {
                refresh.insert((row.execution_id.clone(), row.span_id.clone()));
            }
        }
        for (execution, start) in &refresh {
            if span_rows::copy_context(tx, trace_id, execution, start, self.version).await? > 0 {
                self.touch(execution, trace_id).delta = None;
            }
        }
        Ok(())
    }
}

/// The execution row a batch needs, from its spans filed there.
#[derive(Debug)]
struct Seed {
    workflow_id: Option<String>,
    workspace: Option<String>,
    trace_id: String,
    /// The first conversation thread a span of the batch names (`conventions::thread_id`).
    thread_id: Option<String>,
    started_at: Option<DateTime<Utc>>,
    /// Declared executions are always listed; a trace's own run when it holds workflow, node, LLM or tool spans.
    listed: bool,
    /// An execution named by its id, not a trace's own run.
    listed_by_id: bool,
}

impl Seed {
    fn new(execution: &str, trace_id: &str) -> Self {
        Self {
            workflow_id: None,
            workspace: None,
            trace_id: trace_id.to_owned(),
            thread_id: None,
            started_at: None,
            listed: execution != trace_id,
            listed_by_id: execution != trace_id,
        }
    }

    fn add(&mut self, record: &SpanRecord) {
        let started = record.span.start_time;
        if self.started_at.is_none_or(|s| started < s) {
            self.started_at = Some(started);
        }
        // An execution takes the workflow its spans declare; a trace's run may take a guess (the service name).
        let workflow = if self.listed_by_id {
            conventions::str_attr(&record.span.attributes, WORKFLOW_ID)
        } else {
            record.workflow_id.as_deref()
        };
        if self.workflow_id.is_none() {
            self.workflow_id = workflow.map(str::to_owned);
        }
        if self.workspace.is_none() {
            self.workspace.clone_from(&record.workspace_id);
        }
        // A thread id Postgres could not store (U+0000) is no thread id; the spans are stored all the same.
        if self.thread_id.is_none() {
            self.thread_id = conventions::thread_id(&record.span).filter(|t| !t.contains('\0')).map(str::to_owned);
        }
        self.listed |= listed_kind(record.span.kind);
    }
}

/// Kinds that make a trace without an execution id a run worth listing (bare HTTP requests are not).
pub(super) fn listed_kind(kind: SpanKind) -> bool {
    matches!(kind, SpanKind::Workflow | SpanKind::Node | SpanKind::Llm | SpanKind::Tool)
}

async fn existing_executions(
    tx: &mut Transaction<'_, Any>,
    dialect: Dialect,
    ids: &BTreeSet<&str>,
) -> Result<FxHashMap<String, ExistingExecution>, StoreError> {
    let list = serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let sql =
        format!("SELECT id, workspace_id, trace_id, root_span_id FROM executions WHERE id IN {}", dialect.json_list(1));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(list).fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("id")?,
                ExistingExecution {
                    workspace_id: row.try_get("workspace_id")?,
                    trace_id: row.try_get("trace_id")?,
                    root_span_id: row.try_get("root_span_id")?,
                },
            ))
        })
        .collect()
}

/// Creates the execution row or widens it. Its workspace and trace are fixed when it is created; an unknown
/// workflow may be named later, and so may the thread: the first one named stays.
async fn upsert_execution(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    seed: &Seed,
    workspace: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO executions (id, workspace_id, workflow_id, trace_id, started_at, listed, last_span_at, thread_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET \
           started_at = CASE WHEN executions.started_at IS NULL OR excluded.started_at < executions.started_at \
                        THEN excluded.started_at ELSE executions.started_at END, \
           trace_id = COALESCE(executions.trace_id, excluded.trace_id), \
           thread_id = COALESCE(executions.thread_id, excluded.thread_id), \
           workflow_id = CASE WHEN executions.workflow_id = 'unknown' THEN excluded.workflow_id \
                         ELSE executions.workflow_id END, \
           listed = CASE WHEN excluded.listed = 1 THEN 1 ELSE executions.listed END, \
           last_span_at = excluded.last_span_at",
    )
    .bind(id)
    .bind(workspace)
    .bind(seed.workflow_id.as_deref().unwrap_or(UNKNOWN_WORKFLOW))
    .bind(&seed.trace_id)
    .bind(seed.started_at.as_ref().map(time::format))
    .bind(i64::from(seed.listed))
    .bind(time::format(&chrono::Utc::now()))
    .bind(seed.thread_id.as_deref())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An execution that takes in spans that waited in its trace's run takes the run's thread too when it names none:
/// the spans that named the thread may be among those moved (OpenInference children ending before an Orcheo root).
async fn carry_thread(tx: &mut Transaction<'_, Any>, execution: &str, run: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE executions SET thread_id = (SELECT run.thread_id FROM executions run WHERE run.id = $2) \
         WHERE id = $1 AND thread_id IS NULL",
    )
    .bind(execution)
    .bind(run)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `record`, filed under `execution`, may be the execution's own span: it carries the execution's id
/// (or, in a trace's run, has no parent) and its parent is outside the execution — known to be elsewhere, or not
/// known yet for a workflow span. A declared child whose parent has not arrived is not one.
fn is_root_candidate(
    record: &SpanRecord,
    execution: &str,
    trace_run: &str,
    filings: &[Option<String>],
    positions: &FxHashMap<&str, usize>,
    members: &FxHashMap<String, Filed>,
) -> bool {
    let Some(parent) = record.span.parent_span_id.as_deref() else { return true };
    if execution == trace_run || record.execution_id.as_deref() != Some(execution) {
        return false;
    }
    let parent_filing = positions
        .get(parent)
        .map(|&i| filings[i].as_deref())
        .or_else(|| members.get(parent).map(|f| Some(f.execution_id.as_str())));
    match parent_filing {
        Some(Some(filing)) => filing != execution,
        Some(None) => true,
        None => record.span.kind == SpanKind::Workflow,
    }
}

/// The run's outcome as its own span says it.
fn run_status(span: &Span) -> ExecutionStatus {
    let declared = conventions::str_attr(&span.attributes, EXECUTION_STATUS).and_then(ExecutionStatus::parse);
    let cancelled = span.events.iter().any(|e| conventions::is_cancellation(&e.name));
    match (declared, span.end_time, span.status.code) {
        (Some(status), _, _) => status,
        (None, None, _) => ExecutionStatus::Running,
        (None, Some(_), _) if cancelled => ExecutionStatus::Cancelled,
        (None, Some(_), StatusCode::Error) => ExecutionStatus::Error,
        (None, Some(_), _) => ExecutionStatus::Completed,
    }
}

/// Roots, summary and listing of one execution after the batch.
async fn finish_execution(tx: &mut Transaction<'_, Any>, id: &str, touch: &Touch<'_>) -> Result<(), StoreError> {
    if touch.lost_spans && span_rows::member_count(tx, id).await? == 0 {
        sqlx::query("DELETE FROM executions WHERE id = $1").bind(id).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM spans WHERE execution_id = $1").bind(id).execute(&mut **tx).await?;
        return Ok(());
    }
    if let Some(root) = choose_root(tx, touch).await? {
        record_root(tx, id, root).await?;
    }
    match &touch.delta {
        Some(delta) => span_rows::apply_delta(tx, id, delta).await?,
        None => span_rows::recount(tx, id).await?,
    }
    if touch.lost_spans {
        span_rows::relist(tx, id).await?;
    }
    sqlx::query(super::ARTIFACT_COUNT).bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// The candidate that is the execution's span now: the first one, or one above the span chosen before (its true
/// root arriving late). A span beside or below the chosen root never replaces it.
async fn choose_root<'a>(
    tx: &mut Transaction<'_, Any>,
    touch: &Touch<'a>,
) -> Result<Option<&'a SpanRecord>, StoreError> {
    let mut candidates = touch.root_candidates.clone();
    if candidates.is_empty() {
        return Ok(None);
    }
    // Parentless first, then the earliest.
    candidates.sort_by_key(|r| (r.span.parent_span_id.is_some(), r.span.start_time));
    let Some(current) = &touch.current_root else { return Ok(candidates.first().copied()) };
    if let Some(same) = candidates.iter().find(|r| r.span.span_id == *current) {
        return Ok(Some(same));
    }
    let above = span_rows::ancestors(tx, &touch.trace_id, current).await?;
    Ok(candidates.into_iter().find(|r| above.contains(&r.span.span_id)))
}

async fn record_root(tx: &mut Transaction<'_, Any>, id: &str, record: &SpanRecord) -> Result<(), StoreError> {
    let span = &record.span;
    sqlx::query(
        "UPDATE executions SET root_span_id = $2, status = $3, started_at = $4, finished_at = $5, \
           workflow_id = CASE WHEN workflow_id = 'unknown' THEN COALESCE($6, workflow_id) ELSE workflow_id END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(span.span_id.clone())
    .bind(run_status(span).as_str())
    .bind(time::format(&span.start_time))
    .bind(span.end_time.as_ref().map(time::format))
    .bind(record.workflow_id.clone())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
