//! Retention on SQLite and on Postgres: finished executions older than the cutoff go with their spans and
//! artifacts (and their cached pages); newer and running ones stay.

mod common;

use common::{SpanSpec, TestApi, TestDb, at, on_each_backend};
use trace_api::store::NewArtifact;

#[tokio::test]
async fn old_finished_executions_go_with_their_spans_artifacts_and_cached_pages() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        for (execution, end) in [("ex-old", Some(1_000)), ("ex-new", Some(90_000)), ("ex-running", None)] {
            api.store
                .insert_spans(&[
                    SpanSpec::new(execution, "root", None, 0, end).record(),
                    SpanSpec::new(execution, "a", Some("root"), 10, Some(20)).record(),
                ])
                .await?;
        }
        api.store
            .put_artifact(&NewArtifact {
                id: "art-old".into(),
                execution_id: "ex-old".into(),
                span_id: None,
                name: "old.txt".into(),
                content_type: "text/plain".into(),
                content: b"old".to_vec(),
            })
            .await?;
        // Cached before the sweep: the sweep must evict it.
        assert_eq!(api.get("/api/executions/ex-old/trace", None).await?.status().as_u16(), 200);

        let deleted = api.store.delete_finished_before(&at(50_000), 100).await?;
        assert_eq!(deleted, ["ex-old"], "{backend:?}");
        for gone in ["/api/executions/ex-old/trace", "/api/artifacts/art-old/download"] {
            assert_eq!(api.get(gone, None).await?.status().as_u16(), 404, "{gone} on {backend:?}");
        }
        for kept in ["ex-new", "ex-running"] {
            let (status, body) = api.get_json(&format!("/api/executions/{kept}/trace"), None).await?;
            assert_eq!(status, 200, "{kept} on {backend:?}");
            assert_eq!(body["spans"].as_array().map(Vec::len), Some(2), "{kept} on {backend:?}");
        }
        // Spans of the deleted execution are gone too: arriving again, they start a new execution.
        api.store.insert_spans(&[SpanSpec::new("ex-old", "late", Some("root"), 30, Some(40)).record()]).await?;
        let (_, body) = api.get_json("/api/executions/ex-old/trace", None).await?;
        assert_eq!(body["spans"].as_array().map(Vec::len), Some(1), "{backend:?}");
        // Nothing else is old enough, and running executions stay whatever their age.
        assert!(api.store.delete_finished_before(&at(10_000_000), 100).await?.contains(&"ex-new".to_owned()));
        assert!(api.store.delete_finished_before(&at(10_000_000), 100).await?.is_empty(), "{backend:?}");
        let (status, _) = api.get_json("/api/executions/ex-running/trace", None).await?;
        assert_eq!(status, 200);
        api.stop().await;
        Ok(db)
    })
    .await
}

/// Milliseconds from the test spans' base time to `days` days before now.
fn days_ago(days: i64) -> i64 {
    (chrono::Utc::now() - chrono::Duration::days(days)).timestamp_millis() - at(0).timestamp_millis()
}

#[tokio::test]
async fn the_sweeper_deletes_what_is_older_than_the_retention_period() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        for (execution, ended) in [("ex-100-days", days_ago(100)), ("ex-yesterday", days_ago(1))] {
            let started = ended - 1_000;
            api.store.insert_spans(&[SpanSpec::new(execution, "root", None, started, Some(ended)).record()]).await?;
        }
        let tasks = trace_api::tasks::BackgroundTasks::new();
        trace_api::retention::start(api.store.clone(), std::time::Duration::from_secs(30 * 86_400), &tasks);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while api.get("/api/executions/ex-100-days/trace", None).await?.status().as_u16() != 404 {
            anyhow::ensure!(std::time::Instant::now() < deadline, "ex-100-days still there on {backend:?}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(api.get("/api/executions/ex-yesterday/trace", None).await?.status().as_u16(), 200);
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn executions_deleted_by_id_go_with_their_spans_and_artifacts_whatever_their_status() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        for (execution, end) in [("ex-done", Some(1_000)), ("ex-open", None), ("ex-kept", Some(2_000))] {
            api.store.insert_spans(&[SpanSpec::new(execution, "root", None, 0, end).record()]).await?;
        }
        api.store
            .put_artifact(&NewArtifact {
                id: "art-done".into(),
                execution_id: "ex-done".into(),
                span_id: None,
                name: "done.txt".into(),
                content_type: "text/plain".into(),
                content: b"done".to_vec(),
            })
            .await?;
        assert_eq!(api.get("/api/executions/ex-done/trace", None).await?.status().as_u16(), 200);

        let asked = ["ex-done".to_owned(), "ex-never-stored".to_owned(), "ex-open".to_owned()];
        let deleted = api.store.delete_executions(&asked).await?;
        assert_eq!(deleted, ["ex-done", "ex-open"], "{backend:?}");
        for gone in
            ["/api/executions/ex-done/trace", "/api/executions/ex-open/trace", "/api/artifacts/art-done/download"]
        {
            assert_eq!(api.get(gone, None).await?.status().as_u16(), 404, "{gone} on {backend:?}");
        }
        let (_, list) = api.get_json("/api/executions", None).await?;
        let ids: Vec<&str> =
            list["executions"].as_array().into_iter().flatten().filter_map(|e| e["id"].as_str()).collect();
        assert_eq!(ids, ["ex-kept"], "{backend:?}");
        assert!(api.store.delete_executions(&asked).await?.is_empty(), "{backend:?}");
        api.stop().await;
        Ok(db)
    })
    .await
}
