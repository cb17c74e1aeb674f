//! Demo mode: at start-up, run the sample workflows through the instrumented reference engine, so that the
//! Trace tab shows real spans from the moment the service answers; then keep one workflow running slowly, again
//! and again, so that there is always a live execution to watch. The live loop keeps only its last few runs, so
//! that the samples stay on the run list's first page however long the demo runs.

use std::sync::Arc;
use std::time::Duration;

use engine_instrumentation::{RunOutcome, RunRequest, Traced, TracingConfig, TracingPipeline};
use reference_engine::samples::{self, LoopbackServer};
use reference_engine::{Engine, NodeAction, NodeSpec, Step, Workflow};
use tokio_util::sync::CancellationToken;

use crate::artifact_sink::StoreArtifacts;
use crate::metrics::Metrics;
use crate::sink::StoreSink;
use crate::store::{ExecutionFilter, Store};
use crate::tasks::BackgroundTasks;

/// The live loop's workflow.
pub const LIVE_WORKFLOW: &str = "nightly-digest";

/// One finished demo run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRun {
    pub execution_id: String,
    pub workflow_id: String,
    pub outcome: RunOutcome,
    /// What the run's trace shows.
    pub shows: &'static str,
    /// The conversation thread the run belongs to, if any.
    pub thread_id: Option<String>,
}

/// The workflow the live loop runs again and again, how many of its runs stay stored (the newest ones; older
/// runs are deleted, spans and artifacts with them), and the pause between runs.
#[derive(Debug, Clone)]
pub struct LiveLoop {
    pub workflow: Workflow,
    pub keep: usize,
    pub pause: Duration,
}

impl Default for LiveLoop {
    fn default() -> Self {
        Self { workflow: live_workflow(), keep: 3, pause: Duration::from_secs(3) }
    }
}

/// The demo's engine and tracing; dropping it ends the live loop, [`Demo::shutdown`] also stores what the loop
/// had not stored yet.
#[derive(Debug)]
pub struct Demo {
    pub runs: Vec<DemoRun>,
    /// How many of the live loop's runs stay stored.
    pub live_kept: usize,
    live: tokio::task::JoinHandle<()>,
    stop: CancellationToken,
    pipeline: TracingPipeline,
    artifacts: StoreArtifacts,
}

impl Demo {
    /// Ends the live loop (a run in progress is left unfinished), stores the artifacts queued, and shuts the
    /// tracing pipeline down, which exports the spans still queued (the pipeline must be shut down before it goes).
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.stop.cancel();
        let _ = (&mut self.live).await;
        self.artifacts.flush().await;
        self.pipeline.shutdown().await?;
        Ok(())
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Runs every sample workflow once (waiting until their spans are stored), then starts the live loop.
/// `ORCHEO_TRACING_*` apply (so the demo can also export to a collector); the service name defaults to
/// `orcheo-demo`.
/// The live loop and the artifact writer run on `tasks`.
pub async fn start(store: &Store, metrics: Arc<Metrics>, tasks: &BackgroundTasks) -> anyhow::Result<Demo> {
    start_with(store, metrics, LiveLoop::default(), tasks).await
}

/// [`start`] with a live loop of the caller's.
pub async fn start_with(
    store: &Store,
    metrics: Arc<Metrics>,
    live: LiveLoop,
    tasks: &BackgroundTasks,
) -> anyhow::Result<Demo> {
    let mut config = TracingConfig::from_env()?;
    if std::env::var_os(engine_instrumentation::config::SERVICE_NAME).is_none() {
        config.service_name = "orcheo-demo".to_owned();
    }
    let sink = StoreSink::new(store.clone(), tokio::runtime::Handle::current()).with_metrics(metrics);
    let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink)).with_open_spans().build()?;
    // The HTTP sample calls a real server on loopback.
    let server = LoopbackServer::start().await?;
    let artifacts = StoreArtifacts::new(store.clone(), tasks);
    let engine = pipeline.wrap(Engine::with_artifacts(Arc::new(artifacts.clone())));
    let mut runs = Vec::new();
    for (workflow, shows) in samples::described(&server.url("/inventory")) {
        runs.push(run(&engine, &workflow, shows).await);
    }
    // One conversation thread of a few turns, its id this demo's own so that earlier demos' turns stay apart.
    let thread = format!("support-{}", uuid::Uuid::new_v4().simple());
    for workflow in samples::chat_turns() {
        runs.push(run_in(&engine, &workflow, THREAD_SHOWS, Some(&thread)).await);
    }
    pipeline.flush().await?;
    artifacts.flush().await;
    let store = store.clone();
    let live_kept = live.keep;
    let stop = tasks.child_token();
    let stopped = stop.clone();
    let looped = pipeline.clone();
    let live = tasks.spawn(async move {
        // The loop owns what its runs need: the pipeline exports as long as the loop runs.
        let _server = server;
        let pipeline = looped;
        // Cancelled between two awaits: a run in progress is left unfinished, its spans ended so far exported.
        stopped
            .run_until_cancelled(async {
                loop {
                    let run = run(&engine, &live.workflow, "").await;
                    tracing::info!(execution = %run.execution_id, "live demo run finished");
                    // Stored before pruning, so that the run counts among the newest.
                    if let Err(e) = pipeline.flush().await {
                        tracing::warn!(error = %e, "demo: the live run's spans not flushed");
                    }
                    prune(&store, &live).await;
                    tokio::time::sleep(live.pause).await;
                }
            })
            .await;
    });
    Ok(Demo { runs, live_kept, live, stop, pipeline, artifacts })
}

/// What to open, for the console: each sample run's Trace tab in the Canvas page with what it shows, and the live
/// loop's runs.
pub fn guide(demo: &Demo, base_url: &str) -> String {
    let width = demo.runs.iter().map(|run| run.workflow_id.len()).max().unwrap_or(0).max(LIVE_WORKFLOW.len());
    let mut out = String::from("\nSample runs (open a link for its Trace tab):\n");
    for run in &demo.runs {
        out.push_str(&format!(
            "  {:width$}  {:9}  {base_url}/canvas.html?execution={}&tab=trace\n  {:width$}  {}\n",
            run.workflow_id,
            run.outcome.status(),
            run.execution_id,
            "",
            run.shows,
        ));
    }
    out.push_str(&format!(
        "  {LIVE_WORKFLOW:width$}  live       {base_url}/canvas.html?workflow={LIVE_WORKFLOW}\n  {:width$}  a run \
         about half a minute long, started again and again: pick the running one to watch spans arrive (its last \
         {} runs are kept)\n\n",
        "", demo.live_kept,
    ));
    out
}

/// What a turn of the demo's conversation thread shows.
const THREAD_SHOWS: &str = "one turn of a three-run conversation thread: switch Stitched on to see the thread's runs \
                            on one timeline, a group per run";

async fn run(engine: &Traced<Engine>, workflow: &Workflow, shows: &'static str) -> DemoRun {
    run_in(engine, workflow, shows, None).await
}

/// A run of `workflow`, in conversation thread `thread` when given.
async fn run_in(engine: &Traced<Engine>, workflow: &Workflow, shows: &'static str, thread: Option<&str>) -> DemoRun {
    let execution_id = uuid::Uuid::new_v4().to_string();
    let mut request = RunRequest::new(execution_id.as_str());
    if let Some(thread) = thread {
        request = request.with_thread(thread);
    }
    let outcome = engine.run(workflow, &request).await;
    DemoRun { execution_id, workflow_id: workflow.id.clone(), outcome, shows, thread_id: thread.map(str::to_owned) }
}

/// Deletes the live workflow's runs but the newest `keep`, also those earlier demo processes left in the store.
/// The loop runs one workflow at a time and prunes between runs, so none of its own runs is open here; a failure
/// is logged and the next round tries again.
async fn prune(store: &Store, live: &LiveLoop) {
    const SCAN: u32 = 500;
    let filter = ExecutionFilter { workflow_id: Some(live.workflow.id.clone()), limit: SCAN, ..Default::default() };
    let older: Vec<String> = match store.list_executions(&filter).await {
        Ok(rows) => rows.into_iter().skip(live.keep).map(|(_, execution)| execution.id).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "demo: the live loop's older runs not listed; trying after the next run");
            return;
        }
    };
    if older.is_empty() {
        return;
    }
    match store.delete_executions(&older).await {
        Ok(deleted) => tracing::debug!(runs = deleted.len(), "demo: older live runs deleted"),
        Err(e) => tracing::warn!(error = %e, "demo: older live runs not deleted; trying after the next run"),
    }
}

/// About half a minute of work, in steps that end every few seconds, with parallel branches, model calls and an
/// artifact: a run to watch live.
fn live_workflow() -> Workflow {
    let wait = |id: &str, secs: u64| NodeSpec::new(id, NodeAction::Task { duration: Duration::from_secs(secs) });
    let llm = |id: &str, prompt: &str| {
        NodeSpec::new(
            id,
            NodeAction::Llm {
                model: "local-mini".to_owned(),
                system: "You are concise.".to_owned(),
                prompt: prompt.to_owned(),
            },
        )
    };
    Workflow::new(
        LIVE_WORKFLOW,
        vec![
            Step::Node(wait("collect_events", 3)),
            Step::Parallel(vec![
                wait("score_accounts", 5),
                wait("score_tickets", 7),
                llm("classify", "Classify: {input}"),
            ]),
            Step::Node(llm("write_digest", "Write tonight's digest from: {input}")),
            Step::Node(wait("review", 4)),
            Step::Node(NodeSpec::new(
                "save_digest",
                NodeAction::WriteArtifact {
                    name: "digest.md".to_owned(),
                    content_type: "text/markdown".to_owned(),
                    content: "# Nightly digest\n\n{input}\n".to_owned(),
                },
            )),
            Step::Node(wait("notify", 3)),
        ],
    )
}
