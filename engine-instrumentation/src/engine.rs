//! The reference workflow engine: runs the nodes of a workflow in sequence and reports its lifecycle to an
//! [`ExecutionObserver`]. Any engine that calls the same hooks gets the same traces.

use std::time::{Duration, SystemTime};

use crate::model::{self, Completion};

/// A workflow: an id and the nodes run one after the other.
#[derive(Clone, Debug, PartialEq)]
pub struct Workflow {
    pub id: String,
    pub nodes: Vec<NodeSpec>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeSpec {
    pub id: String,
    pub action: NodeAction,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeAction {
    /// Plain work that takes a while.
    Task { duration: Duration },
    /// A call to the local model with this prompt template; `{input}` is replaced by the previous node's output.
    Llm { model: String, prompt: String },
    /// A node that fails with this message.
    Fail { message: String },
}

impl NodeAction {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Task { .. } => "task",
            Self::Llm { .. } => "llm",
            Self::Fail { .. } => "fail",
        }
    }
}

/// What an observer learns about the run in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    pub execution_id: String,
    pub workflow_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    pub node_id: String,
    pub node_kind: String,
    pub attempt: u32,
}

/// A model call that a node made, with its own start and end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmCall {
    pub provider: String,
    pub prompt: String,
    pub completion: Completion,
    pub started: SystemTime,
    pub finished: SystemTime,
}

/// A node's failure, as the engine reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeFailure {
    pub error_type: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    Completed { output: String },
    Failed { node_id: String, failure: NodeFailure },
}

/// The hooks an engine calls while it runs a workflow. Implementations must not block: they run on the engine's path.
pub trait ExecutionObserver: Send + Sync {
    fn execution_started(&self, run: &RunInfo);
    fn execution_finished(&self, run: &RunInfo, outcome: &RunOutcome);
    fn node_started(&self, run: &RunInfo, node: &NodeInfo);
    fn node_finished(&self, run: &RunInfo, node: &NodeInfo, result: Result<(), &NodeFailure>);
    fn llm_called(&self, run: &RunInfo, node: &NodeInfo, call: &LlmCall);
}

/// An observer that records nothing: the untraced baseline.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopObserver;

impl ExecutionObserver for NoopObserver {
    fn execution_started(&self, _: &RunInfo) {}
    fn execution_finished(&self, _: &RunInfo, _: &RunOutcome) {}
    fn node_started(&self, _: &RunInfo, _: &NodeInfo) {}
    fn node_finished(&self, _: &RunInfo, _: &NodeInfo, _: Result<(), &NodeFailure>) {}
    fn llm_called(&self, _: &RunInfo, _: &NodeInfo, _: &LlmCall) {}
}

/// The reference engine.
#[derive(Clone, Copy, Debug, Default)]
pub struct Engine;

impl Engine {
    /// Runs `workflow` as execution `execution_id`, reporting to `observer`. Stops at the first failing node.
    pub async fn run(&self, workflow: &Workflow, execution_id: &str, observer: &dyn ExecutionObserver) -> RunOutcome {
        let run = RunInfo { execution_id: execution_id.to_owned(), workflow_id: workflow.id.clone() };
        observer.execution_started(&run);
        let mut output = String::new();
        let mut outcome = None;
        for spec in &workflow.nodes {
            let node = NodeInfo { node_id: spec.id.clone(), node_kind: spec.action.kind().to_owned(), attempt: 1 };
            observer.node_started(&run, &node);
            match run_node(&spec.action, &output, &run, &node, observer).await {
                Ok(out) => {
                    observer.node_finished(&run, &node, Ok(()));
                    output = out;
                }
                Err(failure) => {
                    observer.node_finished(&run, &node, Err(&failure));
                    outcome = Some(RunOutcome::Failed { node_id: spec.id.clone(), failure });
                    break;
                }
            }
        }
        let outcome = outcome.unwrap_or(RunOutcome::Completed { output });
        observer.execution_finished(&run, &outcome);
        outcome
    }
}

async fn run_node(
    action: &NodeAction,
    input: &str,
    run: &RunInfo,
    node: &NodeInfo,
    observer: &dyn ExecutionObserver,
) -> Result<String, NodeFailure> {
    match action {
        NodeAction::Task { duration } => {
            tokio::time::sleep(*duration).await;
            Ok(format!("{} done", node.node_id))
        }
        NodeAction::Llm { model: name, prompt } => {
            let prompt = prompt.replace("{input}", input);
            let started = SystemTime::now();
            let completion = model::complete(name, &prompt);
            // A real provider answers in tens of milliseconds at least; keep the span's width realistic.
            tokio::time::sleep(Duration::from_millis(15)).await;
            let call = LlmCall {
                provider: "orcheo.local".to_owned(),
                prompt,
                completion,
                started,
                finished: SystemTime::now(),
            };
            observer.llm_called(run, node, &call);
            Ok(call.completion.text)
        }
        NodeAction::Fail { message } => {
            Err(NodeFailure { error_type: "NodeExecutionError".to_owned(), message: message.clone() })
        }
    }
}
