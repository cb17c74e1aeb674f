//! Engine-agnostic wrapping: an engine implements [`WorkflowEngine`] (it runs a workflow and reports to the hooks
//! it is given); [`Traced`] wraps any such engine, as a tower layer wraps a service, and hands it the tracer.

use std::future::Future;
use std::sync::Arc;

use crate::cancel::CancelToken;
use crate::hooks::{ExecutionObserver, RunOutcome, Trigger};

/// What a caller asks for: which execution, what started it, and how to cancel it.
#[derive(Clone, Debug)]
pub struct RunRequest {
    pub execution_id: Arc<str>,
    pub trigger: Trigger,
    pub cancel: CancelToken,
    /// The conversation thread the run continues, if any.
    pub thread_id: Option<Arc<str>>,
}

impl RunRequest {
    pub fn new(execution_id: impl Into<Arc<str>>) -> Self {
        Self {
            execution_id: execution_id.into(),
            trigger: Trigger::Manual,
            cancel: CancelToken::new(),
            thread_id: None,
        }
    }

    /// The run continues conversation thread `thread_id`.
    pub fn with_thread(mut self, thread_id: impl Into<Arc<str>>) -> Self {
        self.thread_id = Some(thread_id.into());
        self
    }

    pub fn with_trigger(mut self, trigger: Trigger) -> Self {
        self.trigger = trigger;
        self
    }

    pub fn with_cancel(mut self, cancel: CancelToken) -> Self {
        self.cancel = cancel;
        self
    }
}

/// A workflow engine: runs a workflow and reports its lifecycle to `observer`.
pub trait WorkflowEngine: Send + Sync {
    type Workflow: Send + Sync;

    fn run<'a>(
        &'a self,
        workflow: &'a Self::Workflow,
        request: &'a RunRequest,
        observer: &'a dyn ExecutionObserver,
    ) -> impl Future<Output = RunOutcome> + Send + 'a;
}

/// An engine wrapped with an observer (the tracer, or the no-op observer when tracing is off).
#[derive(Clone)]
pub struct Traced<E> {
    engine: E,
    observer: Arc<dyn ExecutionObserver>,
}

impl<E: std::fmt::Debug> std::fmt::Debug for Traced<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traced").field("engine", &self.engine).finish_non_exhaustive()
    }
}

impl<E: WorkflowEngine> Traced<E> {
    pub fn new(engine: E, observer: Arc<dyn ExecutionObserver>) -> Self {
        Self { engine, observer }
    }

    pub fn inner(&self) -> &E {
        &self.engine
    }

    pub async fn run(&self, workflow: &E::Workflow, request: &RunRequest) -> RunOutcome {
        self.engine.run(workflow, request, self.observer.as_ref()).await
    }
}
