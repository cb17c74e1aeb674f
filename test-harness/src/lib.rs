//! The one server harness of the workspace's tests: the trace API on a free port over a real database (a temporary
//! SQLite file, or a fresh database on the Postgres at `TEST_DATABASE_URL`), with its OTLP/gRPC receiver and,
//! for the browser tests, the built web pages. trace-api's integration tests and the end-to-end tests both use it.

use std::future::Future;
use std::path::PathBuf;

use anyhow::{Context, bail};
use sqlx::Connection;
use trace_api::server::{self, RunningServer};
use trace_api::{AppState, Store, routes};

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
        Self::serving(db, None, configure).await
    }

    /// [`TestApi::start`], also serving the web pages in `www` (the built bundle) under `/`.
    pub async fn serving(
        db: &TestDb,
        www: Option<PathBuf>,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> anyhow::Result<Self> {
        let store = Store::connect(&db.url).await.with_context(|| format!("opening {}", db.url))?;
        let state = configure(AppState::new(store.clone()));
        let grpc = server::start_grpc(state.clone(), "127.0.0.1:0").await?;
        let server = server::start(routes::router(state, www), "127.0.0.1:0").await?.with_grpc(grpc);
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
