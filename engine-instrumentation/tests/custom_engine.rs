//! Any engine gets traced by implementing `WorkflowEngine` and calling the hooks: here a minimal engine that is not
//! the reference one, wrapped by the pipeline like a service by a layer.

mod common;

use std::sync::Arc;

use common::{Spans, attr, is_child_of};
use engine_instrumentation::calls::{CallResult, CallStart, StorageRequest, StorageResponse};
use engine_instrumentation::hooks::{NodeInfo, NodeResult, RunInfo};
use engine_instrumentation::{
    ExecutionObserver, MemorySink, RunOutcome, RunRequest, TracingPipeline, Trigger, WorkflowEngine,
};
use trace_model::SpanKind;

/// Runs a list of named steps; each step reads a key from a cache (a storage call).
#[derive(Debug)]
struct CacheWarmer;

struct Plan {
    name: String,
    keys: Vec<String>,
}

impl WorkflowEngine for CacheWarmer {
    type Workflow = Plan;

    async fn run(&self, plan: &Plan, request: &RunRequest, observer: &dyn ExecutionObserver) -> RunOutcome {
        let run = RunInfo {
            execution_id: Arc::clone(&request.execution_id),
            workflow_id: Arc::from(plan.name.as_str()),
            trigger: request.trigger,
            thread_id: request.thread_id.clone(),
        };
        observer.execution_started(&run);
        for key in &plan.keys {
            let node = NodeInfo { node_id: Arc::from(key.as_str()), node_kind: "warm", attempt: 1 };
            observer.node_started(&run, &node);
            let call = CallStart::Storage(StorageRequest {
                operation: "get".to_owned(),
                system: "redis".to_owned(),
                target: key.clone(),
            });
            let handle = observer.call_started(&run, &node, &call);
            let result = CallResult::Storage(StorageResponse { bytes: 64, artifact: None });
            observer.call_finished(&run, &node, handle, &result);
            observer.node_finished(&run, &node, &NodeResult::Succeeded);
        }
        let outcome = RunOutcome::Completed { output: format!("{} keys", plan.keys.len()) };
        observer.execution_finished(&run, &outcome);
        outcome
    }
}

#[tokio::test]
async fn a_third_party_engine_is_traced_by_wrapping_it() -> anyhow::Result<()> {
    let sink = MemorySink::default();
    let pipeline = TracingPipeline::with_sink(Arc::new(sink.clone()))?;
    let engine = pipeline.wrap(CacheWarmer);
    let plan = Plan { name: "warm-cache".to_owned(), keys: vec!["users".to_owned(), "orders".to_owned()] };
    let request = RunRequest::new("exec-warm").with_trigger(Trigger::Scheduled);
    let outcome = engine.run(&plan, &request).await;
    assert_eq!(outcome, RunOutcome::Completed { output: "2 keys".to_owned() });
    pipeline.shutdown().await?;
    let records = sink.records();
    let spans = Spans::new(&records);
    let root = spans.one("workflow warm-cache")?;
    assert_eq!(attr(root, "orcheo.execution.trigger")?, "scheduled");
    for key in ["users", "orders"] {
        let node = spans.one(&format!("node {key}"))?;
        let get = spans.one(&format!("storage get {key}"))?;
        assert!(is_child_of(node, root) && is_child_of(get, node));
        assert_eq!(get.span.kind, SpanKind::Storage);
        assert_eq!(attr(get, "orcheo.storage.system")?, "redis");
    }
    Ok(())
}
