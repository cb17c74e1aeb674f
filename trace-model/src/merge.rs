//! Live updates: new and changed spans merged into a loaded trace by span id, and the execution summary brought up
//! to date with them.

use std::collections::HashMap;

use crate::facts::span_tokens;
use crate::wire::{ExecutionStatus, Span, TraceResponse};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MergeOutcome {
    pub added: usize,
    pub changed: usize,
}

impl MergeOutcome {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.changed == 0
    }
}

/// Merges `updates` into `spans`: a known id is replaced in place (so the order, and the tree built from it, stay
/// stable), an unknown one is appended. An ended span is never replaced by an open copy of itself (a late or
/// repeated message must not make a finished span look running again).
pub fn merge_spans(spans: &mut Vec<Span>, updates: Vec<Span>) -> MergeOutcome {
    // Only the ids in the message are looked up, so a small update to a large trace allocates little.
    let mut index: HashMap<String, Option<usize>> = updates.iter().map(|u| (u.span_id.clone(), None)).collect();
    for (at, span) in spans.iter().enumerate() {
        if let Some(slot @ None) = index.get_mut(span.span_id.as_str()) {
            *slot = Some(at);
        }
    }
    let mut outcome = MergeOutcome::default();
    for update in updates {
        match index.get(&update.span_id).copied().flatten() {
            Some(at) => {
                let current = &mut spans[at];
                let regresses = current.end_time.is_some() && update.end_time.is_none();
                if !regresses && *current != update {
                    *current = update;
                    outcome.changed += 1;
                }
            }
            None => {
                index.insert(update.span_id.clone(), Some(spans.len()));
                spans.push(update);
                outcome.added += 1;
            }
        }
    }
    outcome
}

/// Applies one `trace:update` message to a trace: merges the spans, then refreshes the execution's counts; with
/// `complete`, the execution takes its final status and end from its root span.
pub fn apply_update(trace: &mut TraceResponse, updates: Vec<Span>, complete: bool) -> MergeOutcome {
    let outcome = merge_spans(&mut trace.spans, updates);
    let execution = &mut trace.execution;
    execution.span_count = execution.span_count.max(trace.spans.len() as u64);
    execution.error_count = execution.error_count.max(trace.spans.iter().filter(|s| s.is_error()).count() as u64);
    execution.artifact_count =
        execution.artifact_count.max(trace.spans.iter().map(|s| s.artifacts.len() as u64).sum::<u64>());
    let summed = trace.spans.iter().filter_map(span_tokens).fold(Default::default(), |mut total, usage| {
        crate::wire::TokenUsage::add(&mut total, &usage);
        total
    });
    if summed.total > execution.token_usage.total {
        execution.token_usage = summed;
    }
    if complete {
        let root = execution
            .root_span_id
            .as_deref()
            .and_then(|id| trace.spans.iter().find(|s| s.span_id == id))
            .or_else(|| trace.spans.iter().find(|s| s.parent_span_id.is_none()));
        if execution.status == ExecutionStatus::Running {
            let failed = root.map_or(execution.error_count > 0, Span::is_error);
            execution.status = if failed { ExecutionStatus::Error } else { ExecutionStatus::Completed };
        }
        if execution.finished_at.is_none() {
            execution.finished_at = root.and_then(|r| r.end_time);
        }
        if execution.started_at.is_none() {
            execution.started_at = root.map(|r| r.start_time);
        }
    }
    trace.page_info.total_spans = trace.page_info.total_spans.max(trace.spans.len() as u64);
    outcome
}

/// Live updates that arrived while a trace was still loading page by page. The pages were read before (or while)
/// the updates happened, so the whole trace assembled from them is older than the updates: they are applied again
/// once it replaces the partial one. One copy per span is kept, the newest (by the same rule as [`merge_spans`]:
/// an ended copy is never replaced by an open one).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HeldUpdates {
    spans: Vec<Span>,
    complete: bool,
}

impl HeldUpdates {
    pub fn hold(&mut self, updates: &[Span], complete: bool) {
        merge_spans(&mut self.spans, updates.to_vec());
        self.complete |= complete;
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty() && !self.complete
    }

    /// Applies the held updates to `trace` (the whole trace from its pages), as one `trace:update` message.
    /// Nothing held leaves the trace exactly as its pages gave it.
    pub fn apply_to(self, trace: &mut TraceResponse) -> MergeOutcome {
        if self.is_empty() {
            return MergeOutcome::default();
        }
        apply_update(trace, self.spans, self.complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;
    use crate::wire::{StatusCode, TokenUsage};
    use chrono::Duration;
    use serde_json::json;

    fn ended(mut s: Span) -> Span {
        s.end_time = Some(s.start_time + Duration::milliseconds(5));
        s
    }

    fn trace(spans: Vec<Span>) -> TraceResponse {
        let mut trace: TraceResponse =
            serde_json::from_value(json!({"execution": {"id": "e", "workflow_id": "w", "root_span_id": "root"}}))
                .unwrap();
        trace.spans = spans;
        trace
    }

    #[test]
    fn replaces_known_spans_in_place_and_appends_new_ones() {
        let mut spans = vec![span("root", None, 0), span("a", Some("root"), 1)];
        let outcome = merge_spans(&mut spans, vec![ended(span("a", Some("root"), 1)), span("b", Some("root"), 2)]);
        assert_eq!(outcome, MergeOutcome { added: 1, changed: 1 });
        assert_eq!(spans.iter().map(|s| s.span_id.as_str()).collect::<Vec<_>>(), ["root", "a", "b"]);
        assert!(spans[1].end_time.is_some());
    }

    #[test]
    fn repeats_and_regressions_change_nothing() {
        let mut spans = vec![ended(span("a", None, 0))];
        let outcome = merge_spans(&mut spans, vec![ended(span("a", None, 0)), span("a", None, 0)]);
        assert!(outcome.is_empty());
        assert!(spans[0].end_time.is_some(), "an open copy never replaces the ended span");
        let outcome = merge_spans(&mut spans, vec![span("n", None, 1), span("n", None, 1)]);
        assert_eq!((outcome.added, spans.len()), (1, 2), "an id repeated within one message is added once");
    }

    #[test]
    fn held_updates_survive_the_whole_trace_replacing_its_first_page() {
        // Page 1 was read while the root and `a` were open; updates then ended both, added `late` and completed
        // the run; page 2 (read later) already has `b` ended, and an update with an older, open copy of it.
        let page_1 = vec![span("root", None, 0), span("a", Some("root"), 1)];
        let page_2 = vec![ended(span("b", Some("root"), 2))];
        let mut held = HeldUpdates::default();
        held.hold(&[span("late", Some("root"), 3), span("b", Some("root"), 2)], false);
        held.hold(&[ended(span("a", Some("root"), 1))], false);
        held.hold(&[ended(span("late", Some("root"), 3)), span("a", Some("root"), 1)], false);
        held.hold(&[ended(span("root", None, 0))], true);
        assert!(!held.is_empty());

        let mut whole = trace([page_1, page_2].concat());
        let outcome = held.apply_to(&mut whole);
        let ids: Vec<_> = whole.spans.iter().map(|s| (s.span_id.as_str(), s.end_time.is_some())).collect();
        assert_eq!(ids, [("root", true), ("a", true), ("b", true), ("late", true)], "the newest copy of each span");
        assert_eq!(outcome, MergeOutcome { added: 1, changed: 2 });
        assert_eq!((whole.execution.status, whole.execution.span_count), (ExecutionStatus::Completed, 4));
    }

    #[test]
    fn nothing_held_changes_nothing() {
        let held = HeldUpdates::default();
        assert!(held.is_empty());
        let mut whole = trace(vec![span("root", None, 0)]);
        let before = whole.clone();
        assert!(held.apply_to(&mut whole).is_empty());
        assert_eq!(whole, before);
    }

    #[test]
    fn completion_sets_the_final_status_from_the_root() {
        let mut t = trace(vec![span("root", None, 0)]);
        let mut root = ended(span("root", None, 0));
        root.status.code = StatusCode::Error;
        let mut child = ended(span("llm", Some("root"), 1));
        child.token_usage = Some(TokenUsage::new(3, 4));
        apply_update(&mut t, vec![child], false);
        assert_eq!(
            (t.execution.status, t.execution.span_count, t.execution.token_usage.total),
            (ExecutionStatus::Running, 2, 7)
        );
        apply_update(&mut t, vec![root.clone()], true);
        assert_eq!(t.execution.status, ExecutionStatus::Error);
        assert_eq!(t.execution.finished_at, root.end_time);
        assert_eq!((t.execution.error_count, t.page_info.total_spans), (1, 2));
    }

    #[test]
    fn completion_without_errors_is_completed_and_keeps_a_final_status() {
        let mut t = trace(vec![ended(span("root", None, 0))]);
        apply_update(&mut t, vec![], true);
        assert_eq!(t.execution.status, ExecutionStatus::Completed);
        let mut cancelled = trace(vec![]);
        cancelled.execution.status = ExecutionStatus::Cancelled;
        apply_update(&mut cancelled, vec![], true);
        assert_eq!(cancelled.execution.status, ExecutionStatus::Cancelled);
    }
}
