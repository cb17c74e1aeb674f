//! Workflow definitions the reference engine runs.

use std::sync::Arc;
use std::time::Duration;

/// A workflow: its steps run one after the other; `timeout` cancels the run when exceeded. `state` is what the
/// run starts from; each node that succeeds adds its output under `results.<node id>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Workflow {
    pub id: String,
    pub steps: Vec<Step>,
    pub timeout: Option<Duration>,
    pub state: serde_json::Map<String, serde_json::Value>,
}

impl Workflow {
    pub fn new(id: impl Into<String>, steps: Vec<Step>) -> Self {
        Self { id: id.into(), steps, timeout: None, state: serde_json::Map::new() }
    }

    /// Starts runs from `state`'s fields (a value that is not an object starts from nothing).
    pub fn with_state(mut self, state: serde_json::Value) -> Self {
        if let serde_json::Value::Object(fields) = state {
            self.state = fields;
        }
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Every node, in step order.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeSpec> {
        self.steps.iter().flat_map(|step| match step {
            Step::Node(node) => std::slice::from_ref(node),
            Step::Parallel(nodes) => nodes.as_slice(),
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Node(NodeSpec),
    /// Branches that run concurrently; the step waits for all of them. Each gets the same input.
    Parallel(Vec<NodeSpec>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeSpec {
    pub id: Arc<str>,
    pub action: NodeAction,
    pub retry: RetryPolicy,
}

impl NodeSpec {
    pub fn new(id: &str, action: NodeAction) -> Self {
        Self { id: Arc::from(id), action, retry: RetryPolicy::default() }
    }

    pub fn with_retry(mut self, max_attempts: u32, backoff: Duration) -> Self {
        self.retry = RetryPolicy { max_attempts, backoff };
        self
    }
}

/// How often a node is tried, and the pause between attempts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 1, backoff: Duration::ZERO }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeAction {
    /// Plain work that takes a while (none when zero).
    Task { duration: Duration },
    /// A chat call to the local model; `{input}` in the prompt is replaced by the previous step's output.
    Llm { model: String, system: String, prompt: String },
    /// An HTTP request; the trace context goes along in `traceparent`.
    Http { method: String, url: String },
    /// Stores `content` (`{input}` replaced) as an artifact.
    WriteArtifact { name: String, content_type: String, content: String },
    /// Fails its first `failures` attempts with a transient error, then succeeds.
    Flaky { failures: u32, message: String },
    /// Always fails with this message.
    Fail { message: String },
}

impl NodeAction {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Task { .. } => "task",
            Self::Llm { .. } => "llm",
            Self::Http { .. } => "http",
            Self::WriteArtifact { .. } => "artifact",
            Self::Flaky { .. } => "flaky",
            Self::Fail { .. } => "fail",
        }
    }
}
