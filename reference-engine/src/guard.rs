//! Guards that close a node or call span if the engine's future is dropped mid-way (the caller gave up on the
//! run): every span the hooks opened is ended, as cancelled.

use engine_instrumentation::calls::CallResult;
use engine_instrumentation::hooks::{CallHandle, ExecutionObserver, NodeInfo, NodeResult, RunInfo, RunOutcome};

pub(crate) const DROPPED: &str = "run dropped by its caller";

pub(crate) struct RunGuard<'a> {
    pub observer: &'a dyn ExecutionObserver,
    pub run: &'a RunInfo,
    pub armed: bool,
}

impl RunGuard<'_> {
    pub fn finish(mut self, outcome: &RunOutcome) {
        self.armed = false;
        self.observer.execution_finished(self.run, outcome);
    }
}

impl Drop for RunGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.observer.execution_finished(self.run, &RunOutcome::Cancelled { reason: DROPPED.to_owned() });
        }
    }
}

pub(crate) struct NodeGuard<'a> {
    pub observer: &'a dyn ExecutionObserver,
    pub run: &'a RunInfo,
    pub node: NodeInfo,
    pub armed: bool,
}

impl NodeGuard<'_> {
    pub fn finish(mut self, result: &NodeResult) {
        self.armed = false;
        self.observer.node_finished(self.run, &self.node, result);
    }
}

impl Drop for NodeGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.observer.node_finished(self.run, &self.node, &NodeResult::Cancelled { reason: DROPPED.to_owned() });
        }
    }
}

/// An external call in progress; dropping it unfinished (the node was cancelled) reports it cancelled.
pub(crate) struct CallGuard<'a> {
    pub observer: &'a dyn ExecutionObserver,
    pub run: &'a RunInfo,
    pub node: &'a NodeInfo,
    pub handle: Option<CallHandle>,
}

impl CallGuard<'_> {
    pub fn propagation(&self) -> &[(String, String)] {
        self.handle.as_ref().map_or(&[], |h| h.propagation.as_slice())
    }

    pub fn finish(mut self, result: &CallResult) {
        if let Some(handle) = self.handle.take() {
            self.observer.call_finished(self.run, self.node, handle, result);
        }
    }
}

impl Drop for CallGuard<'_> {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.observer.call_finished(self.run, self.node, handle, &CallResult::Cancelled);
        }
    }
}
