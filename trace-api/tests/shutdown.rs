//! The service binary stopped with SIGTERM while spans arrive and traces are viewed: it stops accepting, lets the
//! requests in flight finish, stores the audit trail they queued and exits 0; every span it acknowledged and
//! every view it answered is in the store afterwards.

mod common;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Context;
use sqlx::{Connection, Row};

const SPANS: usize = 4;

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_ingest_loses_no_acknowledged_span_and_no_audit_entry() -> anyhow::Result<()> {
    let mut service = Service::start(&[]).await?;
    let (client, base) = (reqwest::Client::new(), service.base.clone());

    // Senders and readers keep going until the service refuses them.
    let stopping = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for worker in 0..4_u64 {
        let (client, base, stopping) = (client.clone(), base.clone(), stopping.clone());
        workers.push(tokio::spawn(async move {
            let (mut acknowledged, mut views) = (Vec::new(), 0_u64);
            for i in 0..10_000_u64 {
                let execution = format!("stop-{worker}-{i}");
                let body = common::otlp::json_run(&execution, worker << 32 | i, SPANS);
                match client.post(format!("{base}/v1/traces")).json(&body).send().await {
                    Ok(response) if response.status() == 200 => acknowledged.push(execution.clone()),
                    Ok(response) => assert!(
                        response.status() == 503 && stopping.load(Ordering::SeqCst),
                        "{execution}: {} before the stop",
                        response.status()
                    ),
                    Err(_) if stopping.load(Ordering::SeqCst) => break,
                    Err(e) => panic!("{execution}: {e}"),
                }
                if let Some(seen) = acknowledged.last() {
                    match client.get(format!("{base}/api/executions/{seen}/trace")).send().await {
                        Ok(response) if response.status() == 200 => views += 1,
                        _ if stopping.load(Ordering::SeqCst) => break,
                        Ok(response) => panic!("view of {seen}: {}", response.status()),
                        Err(e) => panic!("view of {seen}: {e}"),
                    }
                }
            }
            (acknowledged, views)
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stopping.store(true, Ordering::SeqCst);
    let status = service.terminate(SHUTDOWN_GRACE * 4).await?.context("trace-api still running after SIGTERM")?;
    assert_eq!(status.code(), Some(0), "trace-api exits 0 on SIGTERM: {status}");

    let (mut acknowledged, mut views) = (Vec::new(), 0);
    for worker in workers {
        let (acked, seen) = worker.await?;
        acknowledged.extend(acked);
        views += seen;
    }
    assert!(
        acknowledged.len() > 10 && views > 10,
        "the load before the stop: {} runs, {views} views",
        acknowledged.len()
    );

    let mut conn = service.connect().await?;
    for execution in &acknowledged {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM spans WHERE execution_id = $1")
            .bind(execution)
            .fetch_one(&mut conn)
            .await?;
        assert_eq!(row.try_get::<i64, _>("n")?, SPANS as i64, "{execution} was acknowledged");
    }
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'trace.view'").fetch_one(&mut conn).await?;
    assert!(row.try_get::<i64, _>("n")? >= views as i64, "every answered view is in the audit trail ({views})");
    conn.close().await?;
    Ok(())
}

/// What `SHUTDOWN_GRACE` is in `src/main.rs`.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// `trace-api` as a child process on a free port and a fresh SQLite file.
struct Service {
    child: std::process::Child,
    base: String,
    data: tempfile::TempDir,
}

impl Service {
    async fn start(args: &[&str]) -> anyhow::Result<Self> {
        let data = tempfile::tempdir()?;
        let base = format!("http://127.0.0.1:{}", free_port()?);
        let mut child = Command::new(env!("CARGO_BIN_EXE_trace-api"))
            .args(args)
            .env("TRACE_API_DATABASE_URL", format!("sqlite://{}", data.path().join("trace.db").display()))
            .env("TRACE_API_BIND", base.trim_start_matches("http://"))
            .env("TRACE_API_OTLP_GRPC_BIND", "off")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .context("starting trace-api")?;
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                return Ok(Self { child, base, data });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        anyhow::bail!("trace-api {args:?} did not start")
    }

    fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Sends SIGTERM and waits up to `within` for the process to end: its exit status, or `None` if it was still
    /// running then (it is killed).
    async fn terminate(&mut self, within: Duration) -> anyhow::Result<Option<std::process::ExitStatus>> {
        let pid = self.child.id();
        let killed = Command::new("kill").args(["-TERM", &pid.to_string()]).status()?;
        anyhow::ensure!(killed.success(), "kill -TERM failed");
        let asked = std::time::Instant::now();
        while asked.elapsed() < within {
            if let Some(status) = self.child.try_wait()? {
                return Ok(Some(status));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(None)
    }

    async fn connect(&self) -> anyhow::Result<sqlx::SqliteConnection> {
        let url = format!("sqlite://{}", self.data.path().join("trace.db").display());
        Ok(sqlx::SqliteConnection::connect(&url).await?)
    }

    async fn executions(&self) -> anyhow::Result<i64> {
        let mut conn = self.connect().await?;
        let row = sqlx::query("SELECT COUNT(*) AS n FROM executions").fetch_one(&mut conn).await?;
        conn.close().await?;
        Ok(row.try_get::<i64, _>("n")?)
    }
}

// The demo's live loop runs a workflow again and again; SIGTERM ends it, its pipeline is shut down and the process
// exits 0 within the grace period, and what the demo stored stays readable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_demo_within_the_grace_period() -> anyhow::Result<()> {
    let mut service = Service::start(&["--demo"]).await?;
    let client = reqwest::Client::new();
    // The live loop is under way: its first run is listed while it runs.
    let mut live = false;
    for _ in 0..100 {
        let url = format!("{}/api/executions?workflow_id=nightly-digest", service.base);
        let listed: serde_json::Value = client.get(url).send().await?.json().await?;
        if listed["executions"].as_array().is_some_and(|runs| !runs.is_empty()) {
            live = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(live, "the live loop's run was not listed");

    let status = service.terminate(SHUTDOWN_GRACE).await?;
    let status = status.context("trace-api --demo still running after the grace period")?;
    assert_eq!(status.code(), Some(0), "trace-api --demo exits 0 on SIGTERM: {status}");
    assert!(service.executions().await? >= 9, "the sample runs and the live run are stored");
    Ok(())
}

// Clients keep connections open: a browser opens spare ones it may never use, an HTTP client pools the ones it
// used. Neither holds the stop for the grace period, which is for requests in flight.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_is_not_held_by_idle_connections() -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let mut service = Service::start(&[]).await?;
    // A connection that never sent a byte.
    let _spare = tokio::net::TcpStream::connect(service.addr()).await?;
    // A kept-alive connection after one answered request.
    let mut used = tokio::net::TcpStream::connect(service.addr()).await?;
    used.write_all(b"GET /healthz HTTP/1.1\r\nHost: trace-api\r\n\r\n").await?;
    let mut answer = [0_u8; 12];
    used.read_exact(&mut answer).await?;
    assert_eq!(&answer, b"HTTP/1.1 200", "the request on the kept-alive connection was answered");

    let status = service.terminate(SHUTDOWN_GRACE / 2).await?;
    let status =
        status.context("trace-api waited on idle connections: still running half the grace period after SIGTERM")?;
    assert_eq!(status.code(), Some(0), "trace-api exits 0 on SIGTERM: {status}");
    Ok(())
}
