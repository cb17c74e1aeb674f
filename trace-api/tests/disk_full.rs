//! A full disk (and a read-only one) under SQLite: writes answer 503 (retryable, so OTLP senders retry) instead of 200 or 500, readiness
//! says the store cannot write, the service recovers by itself once space is back, no lock is left on the file,
//! and every span acknowledged with 200 is there after a restart. Runs on a tmpfs of its own (needs root, as the
//! test run has).

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use common::{TestApi, TestDb};
use sqlx::{Connection, Executor};

/// A small tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(size: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .context("running mount")?;
        if !status.success() {
            bail!("mounting a tmpfs failed ({status}): this test needs root to make a disk it can fill");
        }
        Ok(Self { dir })
    }

    /// Remounts the disk read-only (`ro`) or writable (`rw`).
    fn remount(&self, mode: &str) -> anyhow::Result<()> {
        let status = Command::new("mount").args(["-o", &format!("remount,{mode}")]).arg(self.dir.path()).status()?;
        anyhow::ensure!(status.success(), "remount {mode}: {status}");
        Ok(())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

/// Writes to `path` until the disk is full.
fn fill(path: &Path) -> anyhow::Result<()> {
    let mut file = std::fs::File::create(path)?;
    let chunk = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = file.write_all(&chunk).and_then(|()| file.sync_all()) {
            anyhow::ensure!(e.raw_os_error() == Some(28), "filling the disk: {e}");
            return Ok(());
        }
    }
}

async fn post(api: &TestApi, body: &serde_json::Value) -> anyhow::Result<u16> {
    let response = api.client.post(api.url("/v1/traces")).json(body).send().await?;
    Ok(response.status().as_u16())
}

/// Whether readiness comes back within a few seconds.
async fn becomes_ready(api: &TestApi) -> anyhow::Result<bool> {
    for _ in 0..50 {
        if api.get_json("/readyz", None).await?.0 == 200 {
            return Ok(true);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(false)
}

#[tokio::test]
async fn a_full_disk_is_503_loses_nothing_acknowledged_and_recovers() -> anyhow::Result<()> {
    const SPANS: usize = 20;
    let disk = SmallDisk::mount("4m")?;
    let db = TestDb::sqlite_at(&disk.path("trace.db"));
    let api = TestApi::start(&db, |s| s).await?;
    let mut acknowledged = Vec::new();
    let mut index = 0;
    let mut send = async |api: &TestApi, acknowledged: &mut Vec<String>| -> anyhow::Result<u16> {
        index += 1;
        let execution = format!("disk-{index}");
        let status = post(api, &common::otlp::json_run(&execution, index as u64, SPANS)).await?;
        if status == 200 {
            acknowledged.push(execution);
        }
        Ok(status)
    };
    for _ in 0..5 {
        assert_eq!(send(&api, &mut acknowledged).await?, 200, "room on the disk");
    }

    fill(&disk.path("filler"))?;
    let mut refused = 0;
    for _ in 0..10 {
        let status = send(&api, &mut acknowledged).await?;
        assert!(
            matches!(status, 200 | 503),
            "a full disk answers 503 (or 200 while a page still had room), not {status}"
        );
        refused += usize::from(status == 503);
    }
    assert!(refused > 0, "the full disk refused no write");
    assert_eq!(api.get_json("/readyz", None).await?.0, 503, "readiness tells a store that cannot write");

    std::fs::remove_file(disk.path("filler"))?;
    assert!(becomes_ready(&api).await?, "the store did not recover once space was back");
    for _ in 0..5 {
        assert_eq!(send(&api, &mut acknowledged).await?, 200, "writes go through again");
    }

    // No connection of the service holds the file's write lock.
    let mut outside = sqlx::SqliteConnection::connect(&format!("{}?mode=rw", db.url)).await?;
    outside.execute("PRAGMA busy_timeout = 2000").await?;
    outside.execute("BEGIN IMMEDIATE").await.context("taking the write lock from outside")?;
    outside.execute("ROLLBACK").await?;
    outside.close().await?;
    api.stop().await;

    // Started on a data directory that is read-only: it either refuses to start, saying why, or starts and says
    // it cannot write — never ready while every write fails.
    disk.remount("ro")?;
    match TestApi::start(&db, |s| s).await {
        Err(e) => {
            let reason = format!("{e:#}");
            assert!(reason.contains("unable to open database file") || reason.contains("readonly"), "{reason}");
        }
        Ok(read_only) => {
            assert_eq!(read_only.get_json("/readyz", None).await?.0, 503, "readiness tells a read-only store");
            let status = post(&read_only, &common::otlp::json_run("read-only", 999, SPANS)).await?;
            assert_eq!(status, 503, "a read-only store refuses writes with 503");
            read_only.stop().await;
        }
    }
    disk.remount("rw")?;

    let restarted = TestApi::start(&db, |s| s).await?;
    for execution in &acknowledged {
        let (status, body) = restarted.get_json(&format!("/api/executions/{execution}/trace"), None).await?;
        assert_eq!(status, 200, "{execution} was acknowledged: {body}");
        assert_eq!(body["spans"].as_array().map(Vec::len), Some(SPANS), "{execution}: every span acknowledged");
    }
    assert!(acknowledged.len() >= 10, "{acknowledged:?}");
    restarted.stop().await;
    Ok(())
}
