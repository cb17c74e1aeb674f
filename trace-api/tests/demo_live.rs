//! The demo's live loop keeps only its newest runs: however long the demo runs, the sample runs stay on the run
//! list's first page.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{TestApi, TestDb, on_each_backend};
use reference_engine::{NodeAction, NodeSpec, Step, Workflow};
use trace_api::demo::{self, LiveLoop};
use trace_api::metrics::Metrics;
use trace_api::tasks::BackgroundTasks;

/// The runs of `workflow` the API lists, newest first.
async fn listed(api: &TestApi, workflow: &str) -> anyhow::Result<Vec<String>> {
    let (status, body) = api.get_json(&format!("/api/executions?workflow_id={workflow}&limit=500"), None).await?;
    anyhow::ensure!(status == 200, "listing {workflow}: {status} {body}");
    Ok(body["executions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect())
}

// Dropping the demo drops its tracing pipeline, whose shutdown blocks its thread until the store sink has written
// the last spans: the sink needs another thread of the runtime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_loop_keeps_its_newest_runs_and_the_samples() -> anyhow::Result<()> {
    on_each_backend(|backend, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        let step = NodeSpec::new("tick", NodeAction::Task { duration: Duration::from_millis(20) });
        let live =
            LiveLoop { workflow: Workflow::new("live-test", vec![Step::Node(step)]), keep: 2, pause: Duration::ZERO };
        let demo = demo::start_with(&api.store, Arc::new(Metrics::new()), live, &BackgroundTasks::new()).await?;
        assert_eq!(demo.runs.len(), 11, "{backend:?}");
        // The last three are the turns of one conversation thread, listed by it.
        let turns: BTreeSet<&str> = demo.runs[8..].iter().map(|run| run.execution_id.as_str()).collect();
        let thread = demo.runs[8].thread_id.clone().unwrap_or_default();
        assert!(!thread.is_empty() && demo.runs[8..].iter().all(|run| run.thread_id.as_deref() == Some(&thread)));
        assert!(demo.runs[..8].iter().all(|run| run.thread_id.is_none()));
        let (_, by_thread) = api.get_json(&format!("/api/executions?thread_id={thread}"), None).await?;
        let in_thread: BTreeSet<&str> =
            by_thread["executions"].as_array().into_iter().flatten().filter_map(|e| e["id"].as_str()).collect();
        assert_eq!(in_thread, turns, "{backend:?}");

        // Watch until the loop has made several more runs than it keeps.
        let mut seen = BTreeSet::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        while seen.len() < 6 {
            anyhow::ensure!(Instant::now() < deadline, "only {} live runs seen on {backend:?}", seen.len());
            let runs = listed(&api, "live-test").await?;
            // The kept runs, and at most one more: the next run, listed while it runs.
            assert!(runs.len() <= 3, "{runs:?} on {backend:?}");
            seen.extend(runs);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let samples: Vec<String> = demo.runs.iter().map(|run| run.execution_id.clone()).collect();
        demo.shutdown().await?;
        let kept = listed(&api, "live-test").await?;
        for gone in seen.iter().filter(|id| !kept.contains(id)) {
            let status = api.get(&format!("/api/executions/{gone}/trace"), None).await?.status().as_u16();
            assert_eq!(status, 404, "{gone} on {backend:?}");
        }
        // Every sample run is still there, on the first page of the run list.
        let (_, first_page) = api.get_json("/api/executions", None).await?;
        let listed_ids: BTreeSet<&str> =
            first_page["executions"].as_array().into_iter().flatten().filter_map(|e| e["id"].as_str()).collect();
        for sample in &samples {
            assert!(listed_ids.contains(sample.as_str()), "sample run {sample} not listed on {backend:?}");
        }
        api.stop().await;
        Ok(db)
    })
    .await
}
