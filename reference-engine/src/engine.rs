//! The run loop: steps in order, parallel branches concurrently, retries, cancellation and timeouts.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::Value;
use tokio::time::Instant;

use engine_instrumentation::hooks::{ExecutionObserver, NodeFailure, NodeInfo, NodeResult, RunInfo, RunOutcome};
use engine_instrumentation::{CancelToken, RunRequest, WorkflowEngine};

use crate::actions::{self, ActionError};
use crate::artifacts::{ArtifactStore, MemoryArtifacts};
use crate::guard::{NodeGuard, RunGuard};
use crate::workflow::{NodeSpec, Step, Workflow};

/// The reference engine. Cloning shares its artifact store and HTTP client.
#[derive(Clone, Debug)]
pub struct Engine {
    pub(crate) artifacts: Arc<dyn ArtifactStore>,
    /// An error only if the platform could not build a client; HTTP nodes then fail with that reason.
    pub(crate) http: Result<reqwest::Client, String>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::with_artifacts(Arc::new(MemoryArtifacts::default()))
    }
}

impl Engine {
    pub fn with_artifacts(artifacts: Arc<dyn ArtifactStore>) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().map_err(|e| e.to_string());
        Self { artifacts, http }
    }

    pub fn artifacts(&self) -> &Arc<dyn ArtifactStore> {
        &self.artifacts
    }
}

/// Why a run stops early.
enum Stop {
    Failed { node_id: String, failure: NodeFailure },
    Cancelled { reason: String },
}

/// What every node of one run shares.
struct RunCtx<'a> {
    run: &'a RunInfo,
    observer: &'a dyn ExecutionObserver,
    cancel: &'a CancelToken,
    deadline: Option<Instant>,
}

impl RunCtx<'_> {
    /// Resolves with the reason once the run is cancelled or its deadline passes.
    async fn cancelled(&self) -> String {
        match self.deadline {
            Some(deadline) => tokio::select! {
                reason = self.cancel.cancelled() => reason,
                () = tokio::time::sleep_until(deadline) => "timeout".to_owned(),
            },
            None => self.cancel.cancelled().await,
        }
    }
}

impl WorkflowEngine for Engine {
    type Workflow = Workflow;

    async fn run(&self, workflow: &Workflow, request: &RunRequest, observer: &dyn ExecutionObserver) -> RunOutcome {
        let run = RunInfo {
            execution_id: Arc::clone(&request.execution_id),
            workflow_id: Arc::from(workflow.id.as_str()),
            trigger: request.trigger,
            thread_id: request.thread_id.clone(),
        };
        observer.execution_started(&run);
        let guard = RunGuard { observer, run: &run, armed: true };
        let ctx = RunCtx {
            run: &run,
            observer,
            cancel: &request.cancel,
            deadline: workflow.timeout.map(|t| Instant::now() + t),
        };
        let mut state = workflow.state.clone();
        state.insert(RESULTS.to_owned(), Value::Object(serde_json::Map::new()));
        let mut state = Value::Object(state);
        let outcome = match self.run_steps(&workflow.steps, &mut state, &ctx).await {
            Ok(output) => RunOutcome::Completed { output },
            Err(Stop::Failed { node_id, failure }) => RunOutcome::Failed { node_id, failure },
            Err(Stop::Cancelled { reason }) => RunOutcome::Cancelled { reason },
        };
        guard.finish(&outcome);
        outcome
    }
}

/// The state's field where each node's output goes, by node id.
const RESULTS: &str = "results";

/// Adds a node's output to the state.
fn add_result(state: &mut Value, node_id: &str, output: &str) {
    if let Some(results) = state.get_mut(RESULTS).and_then(Value::as_object_mut) {
        results.insert(node_id.to_owned(), Value::from(output));
    }
}

impl Engine {
    async fn run_steps(&self, steps: &[Step], state: &mut Value, ctx: &RunCtx<'_>) -> Result<String, Stop> {
        let mut input = String::new();
        for step in steps {
            if let Some(reason) = ctx.cancel.reason() {
                return Err(Stop::Cancelled { reason });
            }
            input = match step {
                Step::Node(spec) => self.run_node(spec, &input, state, ctx).await?,
                Step::Parallel(branches) => {
                    // Each branch starts from the same state and sees only its own output added; the step's
                    // state holds them all. Branches are few: one copy each.
                    let mut branch_states = vec![state.clone(); branches.len()];
                    let results = join_all(
                        branches
                            .iter()
                            .zip(branch_states.iter_mut())
                            .map(|(spec, s)| self.run_node(spec, &input, s, ctx)),
                    )
                    .await;
                    let mut outputs = Vec::with_capacity(results.len());
                    for (spec, result) in branches.iter().zip(results) {
                        let output = result?;
                        add_result(state, &spec.id, &output);
                        outputs.push(output);
                    }
                    outputs.join("\n")
                }
            };
        }
        Ok(input)
    }

    /// Runs every attempt of one node until it succeeds, runs out of attempts, or the run is cancelled. The node
    /// reads `state`; once it succeeds its output is added to it.
    async fn run_node(
        &self,
        spec: &NodeSpec,
        input: &str,
        state: &mut Value,
        ctx: &RunCtx<'_>,
    ) -> Result<String, Stop> {
        let attempts = spec.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let node = NodeInfo { node_id: Arc::clone(&spec.id), node_kind: spec.action.kind(), attempt };
            ctx.observer.node_started(ctx.run, &node);
            ctx.observer.node_input(ctx.run, &node, state);
            let guard = NodeGuard { observer: ctx.observer, run: ctx.run, node, armed: true };
            let result = tokio::select! {
                biased;
                reason = ctx.cancelled() => Err(ActionError::Cancelled(reason)),
                result = actions::perform(self, &spec.action, input, ctx.run, &guard.node, ctx.observer) => result,
            };
            match result {
                Ok(output) => {
                    add_result(state, &spec.id, &output);
                    ctx.observer.node_output(ctx.run, &guard.node, state);
                    guard.finish(&NodeResult::Succeeded);
                    return Ok(output);
                }
                Err(ActionError::Cancelled(reason)) => {
                    guard.finish(&NodeResult::Cancelled { reason: reason.clone() });
                    return Err(Stop::Cancelled { reason });
                }
                Err(ActionError::Failed(failure)) => {
                    guard.finish(&NodeResult::Failed(failure.clone()));
                    if attempt >= attempts {
                        return Err(Stop::Failed { node_id: spec.id.to_string(), failure });
                    }
                }
            }
            tokio::select! {
                biased;
                reason = ctx.cancelled() => return Err(Stop::Cancelled { reason }),
                () = tokio::time::sleep(spec.retry.backoff) => {}
            }
            attempt += 1;
        }
    }
}
