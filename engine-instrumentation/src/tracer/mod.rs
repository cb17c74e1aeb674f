//! The [`WorkflowTracer`]: an [`ExecutionObserver`] that records a run as OpenTelemetry spans — a root span per
//! execution, a child per node attempt, a grandchild per external call — with the attributes docs/architecture.md lists
//! ("One execution, end to end", "Conventions"). Values go on spans as they are, except a model call's text, which goes
//! to the export stage beside its span (`crate::genai`) to be expanded there; redaction and truncation happen once, in
//! that stage, before any exporter.

mod calls;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use opentelemetry::trace::{Span as _, SpanKind, SpanRef, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::{SdkTracer, Span};
use rustc_hash::FxHashMap;

use crate::attrs;
use crate::calls::{CallResult, CallStart};
use crate::hooks::{CallHandle, ExecutionObserver, NodeFailure, NodeInfo, NodeResult, RunInfo, RunOutcome};
use crate::state;

/// What the tracer records beyond structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TracerSettings {
    /// Put prompts, responses and messages on LLM spans (redacted later); off keeps only counts and models.
    pub capture_prompts: bool,
    /// LLM calls with at least this many tokens are flagged `orcheo.token.high_usage`; 0 turns the flag off.
    pub high_token_threshold: u64,
    /// Put each node's input and output state on its span (bounded here, redacted later); off records neither.
    pub capture_state: bool,
}

impl Default for TracerSettings {
    fn default() -> Self {
        Self { capture_prompts: true, high_token_threshold: 0, capture_state: true }
    }
}

type NodeKey = (Arc<str>, Arc<str>, u32);

#[derive(Clone, Copy)]
enum StateSide {
    Input,
    Output,
}

struct NodeSpan {
    cx: Context,
    artifact_ids: Vec<StringValue>,
}

/// Runs and nodes are parents, so they live in a [`Context`]; a call span is a leaf, held as is (no shared,
/// locked wrapper to allocate for it). The maps hash with Fx, not SipHash: every hook looks one up, and their keys
/// are ids the engine and the tracer assign, so there are no chosen collisions to defend against.
#[derive(Default)]
struct OpenSpans {
    runs: FxHashMap<Arc<str>, Context>,
    nodes: FxHashMap<NodeKey, NodeSpan>,
    calls: FxHashMap<u64, (NodeKey, calls::CallSpan)>,
}

pub struct WorkflowTracer {
    tracer: SdkTracer,
    settings: TracerSettings,
    /// Whether the export stage copies spans as they start; a model call's open copy then gets its request.
    open_copies: bool,
    open: Mutex<OpenSpans>,
    next_call: AtomicU64,
}

impl std::fmt::Debug for WorkflowTracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkflowTracer").field("settings", &self.settings).finish_non_exhaustive()
    }
}

fn shared(s: &Arc<str>) -> Value {
    Value::String(StringValue::from(Arc::clone(s)))
}

fn node_key(run: &RunInfo, node: &NodeInfo) -> NodeKey {
    (Arc::clone(&run.execution_id), Arc::clone(&node.node_id), node.attempt)
}

/// The attributes every span of a run carries, in a vector with room for `capacity` more (set at start or end).
fn run_attributes(run: &RunInfo, kind: &'static str, capacity: usize) -> Vec<KeyValue> {
    let mut attributes = Vec::with_capacity(capacity + 3);
    attributes.push(KeyValue::new(attrs::SPAN_KIND, kind));
    attributes.push(KeyValue::new(attrs::EXECUTION_ID, shared(&run.execution_id)));
    attributes.push(KeyValue::new(attrs::WORKFLOW_ID, shared(&run.workflow_id)));
    attributes
}

/// A span being written: one shared through a [`Context`] (runs, nodes) or one held as is (calls).
pub(crate) trait Recording {
    fn attribute(&mut self, attribute: KeyValue);
    fn event(&mut self, name: &'static str, attributes: Vec<KeyValue>);
    fn status(&mut self, status: Status);
}

impl Recording for SpanRef<'_> {
    fn attribute(&mut self, attribute: KeyValue) {
        self.set_attribute(attribute);
    }
    fn event(&mut self, name: &'static str, attributes: Vec<KeyValue>) {
        self.add_event(name, attributes);
    }
    fn status(&mut self, status: Status) {
        self.set_status(status);
    }
}

impl Recording for Span {
    fn attribute(&mut self, attribute: KeyValue) {
        self.set_attribute(attribute);
    }
    fn event(&mut self, name: &'static str, attributes: Vec<KeyValue>) {
        self.add_event(name, attributes);
    }
    fn status(&mut self, status: Status) {
        self.set_status(status);
    }
}

pub(crate) fn record_failure(span: &mut impl Recording, failure: &NodeFailure) {
    let mut event = vec![
        KeyValue::new(attrs::EXCEPTION_TYPE, failure.error_type.clone()),
        KeyValue::new(attrs::EXCEPTION_MESSAGE, failure.message.clone()),
    ];
    if let Some(stack) = &failure.stacktrace {
        event.push(KeyValue::new(attrs::EXCEPTION_STACKTRACE, stack.clone()));
    }
    span.event(attrs::EXCEPTION_EVENT, event);
    span.status(Status::error(failure.message.clone()));
}

/// Cancellation is not a failure: the status stays unset, and an event says why the span ended.
pub(crate) fn record_cancel(span: &mut impl Recording, reason: &str) {
    span.attribute(KeyValue::new(attrs::CANCEL_REASON, reason.to_owned()));
    span.event(attrs::CANCELLED_EVENT, vec![KeyValue::new(attrs::CANCEL_REASON, reason.to_owned())]);
}

impl WorkflowTracer {
    /// A tracer whose spans go through the pipeline's export stage, which finishes model-call spans
    /// ([`TracingPipeline`](crate::TracingPipeline) builds it).
    pub(crate) fn new(tracer: SdkTracer, settings: TracerSettings, open_copies: bool) -> Self {
        Self { tracer, settings, open_copies, open: Mutex::new(OpenSpans::default()), next_call: AtomicU64::new(1) }
    }

    /// A poisoned lock only means another hook panicked; the maps stay usable.
    fn open(&self) -> MutexGuard<'_, OpenSpans> {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a node's state as OpenInference's `input.value` / `output.value` (JSON), flagged when bounded.
    fn record_state(&self, run: &RunInfo, node: &NodeInfo, value: &serde_json::Value, side: StateSide) {
        if !self.settings.capture_state {
            return;
        }
        // Bounded and serialized before the lock: the state may be large, other nodes' hooks need the map.
        let (text, truncated) = state::to_bounded_json(value);
        let Some(cx) = self.open().nodes.get(&node_key(run, node)).map(|n| n.cx.clone()) else { return };
        let span = cx.span();
        let (value_key, mime_key, truncated_key) = match side {
            StateSide::Input => (attrs::INPUT_VALUE, attrs::INPUT_MIME_TYPE, attrs::NODE_INPUT_TRUNCATED),
            StateSide::Output => (attrs::OUTPUT_VALUE, attrs::OUTPUT_MIME_TYPE, attrs::NODE_OUTPUT_TRUNCATED),
        };
        span.set_attribute(KeyValue::new(value_key, text));
        span.set_attribute(KeyValue::new(mime_key, attrs::JSON_MIME_TYPE));
        if truncated {
            span.set_attribute(KeyValue::new(truncated_key, true));
        }
    }

    /// Number of spans opened and not yet closed (a leak check for tests).
    pub fn open_spans(&self) -> usize {
        let open = self.open();
        open.runs.len() + open.nodes.len() + open.calls.len()
    }
}

impl ExecutionObserver for WorkflowTracer {
    fn execution_started(&self, run: &RunInfo) {
        let mut attributes = run_attributes(run, "workflow", 1);
        attributes.push(KeyValue::new(attrs::EXECUTION_TRIGGER, run.trigger.as_str()));
        if let Some(thread) = &run.thread_id {
            attributes.push(KeyValue::new(attrs::EXECUTION_THREAD_ID, shared(thread)));
        }
        let span = self
            .tracer
            .span_builder(format!("workflow {}", run.workflow_id))
            .with_kind(SpanKind::Internal)
            .with_attributes(attributes)
            // Each execution is its own trace, whatever context the caller runs in.
            .start_with_context(&self.tracer, &Context::new());
        self.open().runs.insert(Arc::clone(&run.execution_id), Context::new().with_span(span));
    }

    fn execution_finished(&self, run: &RunInfo, outcome: &RunOutcome) {
        let Some(cx) = self.open().runs.remove(&run.execution_id) else { return };
        let span = cx.span();
        span.set_attribute(KeyValue::new(attrs::EXECUTION_STATUS, outcome.status()));
        match outcome {
            RunOutcome::Completed { .. } => span.set_status(Status::Ok),
            RunOutcome::Failed { node_id, failure } => {
                span.set_attribute(KeyValue::new(attrs::EXECUTION_FAILED_NODE, node_id.clone()));
                span.set_status(Status::error(failure.message.clone()));
            }
            RunOutcome::Cancelled { reason } => record_cancel(&mut cx.span(), reason),
        }
        span.end();
    }

    fn node_started(&self, run: &RunInfo, node: &NodeInfo) {
        let mut open = self.open();
        let parent = open.runs.get(&run.execution_id).cloned().unwrap_or_default();
        // Three set here; the status and, at most, artifact ids or a cancel reason at the end, and the input and
        // output state (value, mime type, and a flag when bounded).
        let mut attributes = run_attributes(run, "node", 11);
        attributes.push(KeyValue::new(attrs::NODE_ID, shared(&node.node_id)));
        attributes.push(KeyValue::new(attrs::NODE_KIND, node.node_kind));
        attributes.push(KeyValue::new(attrs::NODE_ATTEMPT, i64::from(node.attempt)));
        let span = self
            .tracer
            .span_builder(format!("node {}", node.node_id))
            .with_kind(SpanKind::Internal)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, &parent);
        let cx = parent.with_span(span);
        open.nodes.insert(node_key(run, node), NodeSpan { cx, artifact_ids: Vec::new() });
    }

    fn node_finished(&self, run: &RunInfo, node: &NodeInfo, result: &NodeResult) {
        let Some(open) = self.open().nodes.remove(&node_key(run, node)) else { return };
        let mut span = open.cx.span();
        if !open.artifact_ids.is_empty() {
            span.set_attribute(KeyValue::new(attrs::ARTIFACT_IDS, Value::Array(open.artifact_ids.into())));
        }
        match result {
            NodeResult::Succeeded => {
                span.set_attribute(KeyValue::new(attrs::NODE_STATUS, "succeeded"));
                span.set_status(Status::Ok);
            }
            NodeResult::Failed(failure) => {
                span.set_attribute(KeyValue::new(attrs::NODE_STATUS, "failed"));
                record_failure(&mut span, failure);
            }
            NodeResult::Cancelled { reason } => {
                span.set_attribute(KeyValue::new(attrs::NODE_STATUS, "cancelled"));
                record_cancel(&mut span, reason);
            }
        }
        span.end();
    }

    fn node_input(&self, run: &RunInfo, node: &NodeInfo, state: &serde_json::Value) {
        self.record_state(run, node, state, StateSide::Input);
    }

    fn node_output(&self, run: &RunInfo, node: &NodeInfo, state: &serde_json::Value) {
        self.record_state(run, node, state, StateSide::Output);
    }

    fn call_started(&self, run: &RunInfo, node: &NodeInfo, call: &CallStart) -> CallHandle {
        let key = node_key(run, node);
        let Some(parent) = self.open().nodes.get(&key).map(|n| n.cx.clone()) else { return CallHandle::default() };
        let span = calls::start(&self.tracer, self.settings, self.open_copies, run, node, call, &parent);
        let propagation = calls::propagation(&span, call);
        let id = self.next_call.fetch_add(1, Ordering::Relaxed);
        self.open().calls.insert(id, (key, span));
        CallHandle { id, propagation }
    }

    fn call_finished(&self, _run: &RunInfo, _node: &NodeInfo, call: CallHandle, result: &CallResult) {
        let mut open = self.open();
        let Some((key, span)) = open.calls.remove(&call.id) else { return };
        if let CallResult::Storage(storage) = result
            && let (Some(artifact), Some(node)) = (&storage.artifact, open.nodes.get_mut(&key))
        {
            node.artifact_ids.push(StringValue::from(artifact.id.clone()));
        }
        drop(open);
        calls::finish(span, self.settings, result);
    }
}
