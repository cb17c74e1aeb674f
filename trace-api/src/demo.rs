//! Demo mode: at start-up, run the sample workflows through the instrumented reference engine, so that the
//! Trace tab shows real spans from the moment the service answers; then keep one workflow running slowly, again
//! and again, so that there is always a live execution to watch.

use std::sync::Arc;
use std::time::Duration;

use engine_instrumentation::{RunOutcome, RunRequest, Traced, TracingConfig, TracingPipeline};
use reference_engine::samples::{self, LoopbackServer};
use reference_engine::{Engine, NodeAction, NodeSpec, Step, Workflow};

use crate::artifact_sink::StoreArtifacts;
use crate::metrics::Metrics;
use crate::sink::StoreSink;
use crate::store::Store;

/// One finished demo run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRun {
    pub execution_id: String,
    pub workflow_id: String,
    pub outcome: RunOutcome,
}

/// The demo's engine and tracing; dropping it ends the live loop.
#[derive(Debug)]
pub struct Demo {
    pub runs: Vec<DemoRun>,
    live: tokio::task::JoinHandle<()>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.live.abort();
    }
}

/// Runs every sample workflow once (waiting until their spans are stored), then starts the live loop.
/// `ORCHEO_TRACING_*` apply (so the demo can also export to a collector); the service name defaults to
/// `orcheo-demo`.
pub async fn start(store: &Store, metrics: Arc<Metrics>) -> anyhow::Result<Demo> {
    let mut config = TracingConfig::from_env()?;
    if std::env::var_os(engine_instrumentation::config::SERVICE_NAME).is_none() {
        config.service_name = "orcheo-demo".to_owned();
    }
    let sink = StoreSink::new(store.clone(), tokio::runtime::Handle::current()).with_metrics(metrics);
    let pipeline = TracingPipeline::builder(config).with_sink(Arc::new(sink)).with_open_spans().build()?;
    // The HTTP sample calls a real server on loopback.
    let server = LoopbackServer::start().await?;
    let artifacts = StoreArtifacts::new(store.clone());
    let engine = pipeline.wrap(Engine::with_artifacts(Arc::new(artifacts.clone())));
    let mut runs = Vec::new();
    for workflow in samples::all(&server.url("/inventory")) {
        runs.push(run(&engine, &workflow).await);
    }
    pipeline.flush().await?;
    artifacts.flush().await;
    let live = tokio::spawn(async move {
        // The loop owns what its runs need: the pipeline exports as long as the loop runs.
        let (_pipeline, _server) = (pipeline, server);
        let workflow = live_workflow();
        loop {
            let run = run(&engine, &workflow).await;
            tracing::info!(execution = %run.execution_id, "live demo run finished");
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
    });
    Ok(Demo { runs, live })
}

async fn run(engine: &Traced<Engine>, workflow: &Workflow) -> DemoRun {
    let execution_id = uuid::Uuid::new_v4().to_string();
    let outcome = engine.run(workflow, &RunRequest::new(execution_id.as_str())).await;
    DemoRun { execution_id, workflow_id: workflow.id.clone(), outcome }
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
        "nightly-digest",
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
