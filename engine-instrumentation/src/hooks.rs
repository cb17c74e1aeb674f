//! The hooks an engine calls while it runs a workflow, and what they carry. Any engine that reports its lifecycle
//! through [`ExecutionObserver`] gets the same traces as the reference engine.

use std::sync::Arc;

use crate::calls::{CallResult, CallStart};

/// What started an execution; recorded on the root span as `orcheo.execution.trigger`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Trigger {
    #[default]
    Manual,
    Scheduled,
    Webhook,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Scheduled => "scheduled",
            Self::Webhook => "webhook",
        }
    }
}

/// The execution in progress. Ids are shared strings: every span of the run carries them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    pub execution_id: Arc<str>,
    pub workflow_id: Arc<str>,
    pub trigger: Trigger,
    /// The conversation thread the run belongs to (LangGraph's `thread_id`, a chat's id), if any; recorded on
    /// the root span as `orcheo.execution.thread_id` so that the runs of a thread can be shown together.
    pub thread_id: Option<Arc<str>>,
}

/// One attempt of one node. Attempts count from 1; each retry is a new attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeInfo {
    pub node_id: Arc<str>,
    pub node_kind: &'static str,
    pub attempt: u32,
}

/// A failure as the engine reports it; becomes an OTel `exception` event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeFailure {
    pub error_type: String,
    pub message: String,
    pub stacktrace: Option<String>,
}

impl NodeFailure {
    pub fn new(error_type: impl Into<String>, message: impl Into<String>) -> Self {
        Self { error_type: error_type.into(), message: message.into(), stacktrace: None }
    }

    pub fn with_stacktrace(mut self, stacktrace: impl Into<String>) -> Self {
        self.stacktrace = Some(stacktrace.into());
        self
    }
}

/// How one node attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeResult {
    Succeeded,
    Failed(NodeFailure),
    Cancelled { reason: String },
}

/// How an execution ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    Completed { output: String },
    Failed { node_id: String, failure: NodeFailure },
    Cancelled { reason: String },
}

impl RunOutcome {
    pub fn status(&self) -> &'static str {
        match self {
            Self::Completed { .. } => "completed",
            Self::Failed { .. } => "error",
            Self::Cancelled { .. } => "cancelled",
        }
    }
}

/// What an observer hands back when an external call starts: its id for [`ExecutionObserver::call_finished`] and
/// the context-propagation headers (W3C `traceparent`) the engine must put on an outgoing request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallHandle {
    pub id: u64,
    pub propagation: Vec<(String, String)>,
}

/// The hooks an engine calls while it runs a workflow. They run on the engine's path: implementations must not
/// block, and must tolerate hooks for unknown runs (they are ignored).
pub trait ExecutionObserver: Send + Sync {
    fn execution_started(&self, run: &RunInfo);
    fn execution_finished(&self, run: &RunInfo, outcome: &RunOutcome);
    fn node_started(&self, run: &RunInfo, node: &NodeInfo);
    fn node_finished(&self, run: &RunInfo, node: &NodeInfo, result: &NodeResult);
    /// A node starts an external interaction (model, HTTP, storage).
    fn call_started(&self, run: &RunInfo, node: &NodeInfo, call: &CallStart) -> CallHandle;
    fn call_finished(&self, run: &RunInfo, node: &NodeInfo, call: CallHandle, result: &CallResult);
    /// The state a node attempt starts from, reported after [`node_started`](Self::node_started). An observer
    /// that records it copies what it keeps (bounded) before returning. Engines that have no state skip it.
    fn node_input(&self, _run: &RunInfo, _node: &NodeInfo, _state: &serde_json::Value) {}
    /// The state a node attempt leaves behind, reported before [`node_finished`](Self::node_finished) when the
    /// attempt succeeded.
    fn node_output(&self, _run: &RunInfo, _node: &NodeInfo, _state: &serde_json::Value) {}
}

/// An observer that records nothing: the untraced baseline, and what runs when tracing is switched off.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopObserver;

impl ExecutionObserver for NoopObserver {
    fn execution_started(&self, _: &RunInfo) {}
    fn execution_finished(&self, _: &RunInfo, _: &RunOutcome) {}
    fn node_started(&self, _: &RunInfo, _: &NodeInfo) {}
    fn node_finished(&self, _: &RunInfo, _: &NodeInfo, _: &NodeResult) {}
    fn call_started(&self, _: &RunInfo, _: &NodeInfo, _: &CallStart) -> CallHandle {
        CallHandle::default()
    }
    fn call_finished(&self, _: &RunInfo, _: &NodeInfo, _: CallHandle, _: &CallResult) {}
}
