//! Harness for the API's integration tests: a real server on a free port over a real database — a temporary
//! SQLite file, or a fresh database on the Postgres at `TEST_DATABASE_URL` — and spans built as an engine would
//! send them.

#![allow(dead_code)] // Each test file uses a different part of the harness.

pub mod otlp;

use std::future::Future;

use anyhow::{Context, bail};
use chrono::{DateTime, TimeZone, Utc};
use sqlx::Connection;
use trace_api::server::{self, RunningServer};
use trace_api::{AppState, Store, routes};
use trace_model::{Attributes, Span, SpanRecord, SpanStatus, StatusCode, conventions};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    postgres: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn create(backend: Backend) -> anyhow::Result<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("trace.db").display());
                Ok(Self { url, postgres: None, _dir: Some(dir) })
            }
            Backend::Postgres => {
                let Ok(admin) = std::env::var("TEST_DATABASE_URL") else {
                    bail!(
                        "TEST_DATABASE_URL is not set: point it at a Postgres server (e.g. \
                         postgres://postgres@127.0.0.1:5432/postgres); `cargo xtask test` sets it"
                    );
                };
                let name = format!("trace_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin).await.context("connecting to TEST_DATABASE_URL")?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
                let url = with_database(&admin, &name)?;
                Ok(Self { url, postgres: Some((admin, name)), _dir: None })
            }
        }
    }

    /// A SQLite database file at `path` (on a small filesystem of the test's own, say).
    pub fn sqlite_at(path: &std::path::Path) -> Self {
        Self { url: format!("sqlite://{}", path.display()), postgres: None, _dir: None }
    }

    /// Drops a Postgres test database (SQLite's goes with its temporary folder).
    pub async fn cleanup(self) -> anyhow::Result<()> {
        if let Some((admin, name)) = &self.postgres {
            let mut conn = sqlx::PgConnection::connect(admin).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }

    /// Runs SQL on the admin connection of a Postgres test database (to make it unreachable, say).
    pub async fn admin(&self, sql: &str) -> anyhow::Result<()> {
        let Some((admin, name)) = &self.postgres else { bail!("not a Postgres test database") };
        let mut conn = sqlx::PgConnection::connect(admin).await?;
        sqlx::query(sqlx::AssertSqlSafe(sql.replace("{db}", name))).execute(&mut conn).await?;
        Ok(())
    }
}

/// `admin` with its database (the path) replaced by `name`, keeping any query string.
fn with_database(admin: &str, name: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(admin).context("TEST_DATABASE_URL is not a URL")?;
    url.set_path(name);
    Ok(url.into())
}

/// The API (and its OTLP/gRPC receiver) running over a test database.
#[derive(Debug)]
pub struct TestApi {
    pub store: Store,
    pub server: RunningServer,
    pub client: reqwest::Client,
}

impl TestApi {
    pub async fn start(db: &TestDb, configure: impl FnOnce(AppState) -> AppState) -> anyhow::Result<Self> {
        let store = Store::connect(&db.url).await?;
        let state = configure(AppState::new(store.clone()));
        let grpc = server::start_grpc(state.clone(), "127.0.0.1:0").await?;
        let server = server::start(routes::router(state, None), "127.0.0.1:0").await?.with_grpc(grpc);
        Ok(Self { store, server, client: reqwest::Client::new() })
    }

    /// The OTLP/gRPC receiver's endpoint.
    pub fn grpc_url(&self) -> String {
        self.server.grpc_addr().map(|addr| format!("http://{addr}")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.server.addr)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> anyhow::Result<reqwest::Response> {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Ok(request.send().await?)
    }

    pub async fn get_json(&self, path: &str, token: Option<&str>) -> anyhow::Result<(u16, serde_json::Value)> {
        let response = self.get(path, token).await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).with_context(|| format!("{path} answered {status} with {text:?}"))?;
        Ok((status, body))
    }

    pub async fn stop(self) {
        self.server.stop().await;
    }
}

/// Runs `test` on SQLite, then on Postgres, each with a fresh database.
pub async fn on_each_backend<F, Fut>(test: F) -> anyhow::Result<()>
where
    F: Fn(Backend, TestDb) -> Fut,
    Fut: Future<Output = anyhow::Result<TestDb>>,
{
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let db = TestDb::create(backend).await?;
        let db = test(backend, db).await.with_context(|| format!("on {backend:?}"))?;
        db.cleanup().await?;
    }
    Ok(())
}

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
