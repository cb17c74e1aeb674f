//! The [`WorkflowTracer`]: an [`ExecutionObserver`] that records a run as OpenTelemetry spans — one root span per
//! execution, a child per node attempt, a grandchild per model call — with the attributes of ARCHITECTURE §3.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use opentelemetry::trace::{Span as _, SpanKind, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::SdkTracer;
use trace_model::conventions as attr;

use crate::engine::{ExecutionObserver, LlmCall, NodeFailure, NodeInfo, RunInfo, RunOutcome};
use crate::redact::Redactor;

/// Open spans are found again by execution and, for nodes, node id and attempt.
type SpanKey = (String, Option<(String, u32)>);

#[derive(Debug)]
pub struct WorkflowTracer {
    tracer: SdkTracer,
    redactor: Redactor,
    open: Mutex<HashMap<SpanKey, Context>>,
}

impl WorkflowTracer {
    pub fn new(tracer: SdkTracer, redactor: Redactor) -> Self {
        Self { tracer, redactor, open: Mutex::new(HashMap::new()) }
    }

    /// A poisoned lock only means another hook panicked; the map itself stays usable.
    fn open(&self) -> MutexGuard<'_, HashMap<SpanKey, Context>> {
        self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn parent(&self, key: &SpanKey) -> Context {
        self.open().get(key).cloned().unwrap_or_default()
    }

    fn run_attributes(run: &RunInfo, kind: &'static str) -> Vec<KeyValue> {
        vec![
            KeyValue::new(attr::SPAN_KIND, kind),
            KeyValue::new(attr::EXECUTION_ID, run.execution_id.clone()),
            KeyValue::new(attr::WORKFLOW_ID, run.workflow_id.clone()),
        ]
    }

    fn node_key(run: &RunInfo, node: &NodeInfo) -> SpanKey {
        (run.execution_id.clone(), Some((node.node_id.clone(), node.attempt)))
    }
}

fn record_failure(cx: &Context, failure: &NodeFailure) {
    let span = cx.span();
    span.add_event(
        "exception",
        vec![
            KeyValue::new("exception.type", failure.error_type.clone()),
            KeyValue::new("exception.message", failure.message.clone()),
        ],
    );
    span.set_status(Status::error(failure.message.clone()));
}

impl ExecutionObserver for WorkflowTracer {
    fn execution_started(&self, run: &RunInfo) {
        let mut attributes = Self::run_attributes(run, "workflow");
        attributes.push(KeyValue::new("orcheo.execution.trigger", "manual"));
        let span = self
            .tracer
            .span_builder(format!("workflow {}", run.workflow_id))
            .with_kind(SpanKind::Internal)
            .with_attributes(attributes)
            // Each execution is its own trace, whatever context the caller runs in.
            .start_with_context(&self.tracer, &Context::new());
        self.open().insert((run.execution_id.clone(), None), Context::new().with_span(span));
    }

    fn execution_finished(&self, run: &RunInfo, outcome: &RunOutcome) {
        let Some(cx) = self.open().remove(&(run.execution_id.clone(), None)) else { return };
        let span = cx.span();
        match outcome {
            RunOutcome::Completed { .. } => {
                span.set_attribute(KeyValue::new("orcheo.execution.status", "completed"));
                span.set_status(Status::Ok);
            }
            RunOutcome::Failed { node_id, failure } => {
                span.set_attribute(KeyValue::new("orcheo.execution.status", "error"));
                span.set_attribute(KeyValue::new("orcheo.execution.failed_node", node_id.clone()));
                span.set_status(Status::error(failure.message.clone()));
            }
        }
        span.end();
    }

    fn node_started(&self, run: &RunInfo, node: &NodeInfo) {
        let parent = self.parent(&(run.execution_id.clone(), None));
        let mut attributes = Self::run_attributes(run, "node");
        attributes.extend([
            KeyValue::new(attr::NODE_ID, node.node_id.clone()),
            KeyValue::new(attr::NODE_KIND, node.node_kind.clone()),
            KeyValue::new(attr::NODE_ATTEMPT, i64::from(node.attempt)),
        ]);
        let span = self
            .tracer
            .span_builder(format!("node {}", node.node_id))
            .with_kind(SpanKind::Internal)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, &parent);
        self.open().insert(Self::node_key(run, node), parent.with_span(span));
    }

    fn node_finished(&self, run: &RunInfo, node: &NodeInfo, result: Result<(), &NodeFailure>) {
        let Some(cx) = self.open().remove(&Self::node_key(run, node)) else { return };
        match result {
            Ok(()) => cx.span().set_status(Status::Ok),
            Err(failure) => record_failure(&cx, failure),
        }
        cx.span().end();
    }

    fn llm_called(&self, run: &RunInfo, node: &NodeInfo, call: &LlmCall) {
        let parent = self.parent(&Self::node_key(run, node));
        let prompt = self.redactor.preview(&call.prompt);
        let response = self.redactor.preview(&call.completion.text);
        let mut attributes = Self::run_attributes(run, "llm");
        attributes.extend([
            KeyValue::new(attr::NODE_ID, node.node_id.clone()),
            KeyValue::new(attr::GEN_AI_OPERATION, "chat"),
            KeyValue::new(attr::GEN_AI_PROVIDER, call.provider.clone()),
            KeyValue::new(attr::GEN_AI_REQUEST_MODEL, call.completion.model.clone()),
            KeyValue::new(attr::GEN_AI_RESPONSE_MODEL, call.completion.model.clone()),
            KeyValue::new(attr::GEN_AI_INPUT_TOKENS, saturating_i64(call.completion.input_tokens)),
            KeyValue::new(attr::GEN_AI_OUTPUT_TOKENS, saturating_i64(call.completion.output_tokens)),
            KeyValue::new(attr::PROMPT_PREVIEW, prompt.text),
            KeyValue::new(attr::RESPONSE_PREVIEW, response.text),
        ]);
        if prompt.truncated {
            attributes.push(KeyValue::new(attr::PROMPT_TRUNCATED, true));
        }
        if response.truncated {
            attributes.push(KeyValue::new(attr::RESPONSE_TRUNCATED, true));
        }
        let mut span = self
            .tracer
            .span_builder(format!("chat {}", call.completion.model))
            .with_kind(SpanKind::Client)
            .with_start_time(call.started)
            .with_attributes(attributes)
            .start_with_context(&self.tracer, &parent);
        span.set_status(Status::Ok);
        span.end_with_timestamp(call.finished);
    }
}

fn saturating_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
