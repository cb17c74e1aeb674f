//! The API's integration tests: the workspace's server harness (`test-harness`: the API on a free port over a
//! temporary SQLite file or a fresh Postgres database) and spans built as an engine would send them.

#![allow(dead_code)] // Each test file uses a different part of the harness.

pub mod otlp;

#[allow(unused_imports)] // As above: each test file uses a different part.
pub use test_harness::{Backend, TestApi, TestDb, on_each_backend};

use anyhow::bail;
use chrono::{DateTime, TimeZone, Utc};
use trace_model::{Attributes, Span, SpanRecord, SpanStatus, StatusCode, conventions};

pub fn at(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_800_000_000_000 + ms).single().unwrap_or_default()
}

/// The 16-hex span id of a short name (up to 8 bytes are kept, from the end).
pub fn span_id(name: &str) -> String {
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    let padded = format!("{hex:0>16}");
    padded[padded.len() - 16..].to_owned()
}

/// The trace of a test execution: one trace each, as an engine starts one per run (span ids repeat across test
/// executions, and are unique within a trace only).
pub fn trace_id(execution: &str) -> String {
    let hash =
        execution.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("4bf92f3577b34da6{hash:016x}")
}

pub struct SpanSpec<'a> {
    pub execution: &'a str,
    pub id: &'a str,
    pub parent: Option<&'a str>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    pub error: bool,
    pub attributes: Attributes,
}

impl<'a> SpanSpec<'a> {
    pub fn new(execution: &'a str, id: &'a str, parent: Option<&'a str>, start_ms: i64, end_ms: Option<i64>) -> Self {
        Self { execution, id, parent, start_ms, end_ms, error: false, attributes: Attributes::new() }
    }

    pub fn attr(mut self, key: &str, value: serde_json::Value) -> Self {
        self.attributes.insert(key.to_owned(), value);
        self
    }

    pub fn failed(mut self) -> Self {
        self.error = true;
        self
    }

    pub fn record(self) -> SpanRecord {
        let root = self.parent.is_none();
        let mut attributes = self.attributes;
        attributes
            .entry(conventions::SPAN_KIND.to_owned())
            .or_insert_with(|| if root { "workflow".into() } else { "node".into() });
        let name = if root { format!("workflow {}", self.id) } else { format!("node {}", self.id) };
        let mut span = Span {
            span_id: span_id(self.id),
            parent_span_id: self.parent.map(span_id),
            name: name.clone(),
            kind: conventions::classify(&name, &attributes),
            start_time: at(self.start_ms),
            end_time: self.end_ms.map(at),
            status: SpanStatus {
                code: if self.error {
                    StatusCode::Error
                } else if self.end_ms.is_some() {
                    StatusCode::Ok
                } else {
                    StatusCode::Unset
                },
                message: self.error.then(|| "failed".to_owned()),
            },
            token_usage: conventions::token_usage(&attributes),
            attributes,
            ..Default::default()
        };
        span.duration_ms = span.measured_duration_ms();
        SpanRecord {
            execution_id: Some(self.execution.to_owned()),
            workflow_id: Some("wf-test".to_owned()),
            workspace_id: conventions::workspace(&span.attributes).map(str::to_owned),
            trace_id: trace_id(self.execution),
            span,
        }
    }
}

/// A finished run: root `root`, one node per name in `nodes`, the last node with an LLM child.
pub fn finished_run(execution: &str, nodes: &[&str]) -> Vec<SpanRecord> {
    let mut records = vec![SpanSpec::new(execution, "root", None, 0, Some(1000)).record()];
    for (i, node) in nodes.iter().enumerate() {
        let start = 10 + i as i64 * 100;
        records.push(SpanSpec::new(execution, node, Some("root"), start, Some(start + 90)).record());
    }
    if let Some(last) = nodes.last() {
        let start = 10 + (nodes.len() as i64 - 1) * 100 + 5;
        records.push(
            SpanSpec::new(execution, "llm", Some(last), start, Some(start + 50))
                .attr(conventions::SPAN_KIND, "llm".into())
                .attr(conventions::GEN_AI_INPUT_TOKENS, 120.into())
                .attr(conventions::GEN_AI_OUTPUT_TOKENS, 30.into())
                .record(),
        );
    }
    records
}

/// The audit entries of `action` once there are `count` of them (the trail is written off the request path).
pub async fn eventually_audited(
    api: &TestApi,
    action: &str,
    count: usize,
) -> anyhow::Result<Vec<trace_api::store::AuditEntry>> {
    for _ in 0..100 {
        let entries: Vec<_> = api.store.audit_entries(1000).await?.into_iter().filter(|e| e.action == action).collect();
        if entries.len() >= count {
            return Ok(entries);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    bail!("fewer than {count} {action} entries on the audit trail")
}
