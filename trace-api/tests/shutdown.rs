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
    let data = tempfile::tempdir()?;
    let db = data.path().join("trace.db");
    let base = format!("http://127.0.0.1:{}", free_port()?);
    let mut child = Command::new(env!("CARGO_BIN_EXE_trace-api"))
        .env("TRACE_API_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("TRACE_API_BIND", base.trim_start_matches("http://"))
        .env("TRACE_API_OTLP_GRPC_BIND", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("starting trace-api")?;
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(up, "trace-api did not start");

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
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status()?;
    anyhow::ensure!(killed.success(), "kill -TERM failed");
    let status = tokio::task::spawn_blocking(move || child.wait()).await??;
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

    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await?;
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

// The demo's live loop runs a workflow again and again; SIGTERM ends it, its pipeline is shut down and the process
// exits 0 within the grace period, and what the demo stored stays readable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_demo_within_the_grace_period() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let db = data.path().join("trace.db");
    let base = format!("http://127.0.0.1:{}", free_port()?);
    let mut child = Command::new(env!("CARGO_BIN_EXE_trace-api"))
        .arg("--demo")
        .env("TRACE_API_DATABASE_URL", format!("sqlite://{}", db.display()))
        .env("TRACE_API_BIND", base.trim_start_matches("http://"))
        .env("TRACE_API_OTLP_GRPC_BIND", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .context("starting trace-api --demo")?;
    let client = reqwest::Client::new();
    let mut up = false;
    for _ in 0..600 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !up {
        let _ = child.kill();
        anyhow::bail!("trace-api --demo did not start");
    }
    // The live loop is under way: its first run is listed while it runs.
    let mut live = false;
    for _ in 0..100 {
        let listed: serde_json::Value =
            client.get(format!("{base}/api/executions?workflow_id=nightly-digest")).send().await?.json().await?;
        if listed["executions"].as_array().is_some_and(|runs| !runs.is_empty()) {
            live = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::ensure!(live, "the live loop's run was not listed");

    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status()?;
    anyhow::ensure!(killed.success(), "kill -TERM failed");
    let asked = std::time::Instant::now();
    let waited = tokio::task::spawn_blocking(move || -> anyhow::Result<Option<std::process::ExitStatus>> {
        while asked.elapsed() < SHUTDOWN_GRACE {
            if let Some(status) = child.try_wait()? {
                return Ok(Some(status));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        child.kill()?;
        child.wait()?;
        Ok(None)
    })
    .await??;
    let status = waited.context("trace-api --demo still running after the grace period")?;
    assert_eq!(status.code(), Some(0), "trace-api --demo exits 0 on SIGTERM: {status}");

    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await?;
    let row = sqlx::query("SELECT COUNT(*) AS n FROM executions").fetch_one(&mut conn).await?;
    assert!(row.try_get::<i64, _>("n")? >= 9, "the sample runs and the live run are stored");
    conn.close().await?;
    Ok(())
}
