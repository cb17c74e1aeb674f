//! Runs of one conversation thread stitched into one timeline: a group span per run, ordered by start, with the
//! run's spans under it, all on one time axis (docs/trace-view.md, "Threads").
//!
//! The stitched trace is an ordinary [`TraceResponse`], so the tree, rows, keyboard, filters and time axis work on
//! it unchanged. A group is a synthetic span whose id starts with [`GROUP_PREFIX`], which no OpenTelemetry span id
//! (hex) can, so [`is_group`] tells it apart (the summary does not count groups as spans).

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::SpanTree;
use crate::conventions::{EXECUTION_ID, EXECUTION_STATUS, EXECUTION_THREAD_ID, WORKFLOW_ID};
use crate::wire::{
    Attributes, Execution, ExecutionStatus, PageInfo, Span, SpanKind, SpanStatus, StatusCode, TokenUsage, TraceResponse,
};

/// The id of a run's group span is this prefix and the run's execution id.
pub const GROUP_PREFIX: &str = "run:";

/// Whether `span` is a run's group in a stitched trace.
pub fn is_group(span: &Span) -> bool {
    span.span_id.starts_with(GROUP_PREFIX)
}

/// When a run started: its execution's start, else its earliest span's.
pub fn run_start(run: &TraceResponse) -> Option<DateTime<Utc>> {
    run.execution.started_at.or_else(|| run.spans.iter().map(|s| s.start_time).min())
}

/// The id of the group span of the run `execution_id`.
pub fn group_id(execution_id: &str) -> String {
    format!("{GROUP_PREFIX}{execution_id}")
}

/// `runs` as one trace. The execution is `current`'s (the run the viewer was showing, so selection and events still
/// name it) with the thread's totals: spans, errors, tokens, artifacts, and from the first start to the last end
/// (open while a run is). A run's spans without a parent in that run go under its group; a span id already used
/// by an earlier run is left out of the tree, as any duplicate is.
pub fn stitch(mut runs: Vec<TraceResponse>, current: &str) -> TraceResponse {
    // By start, runs without one last. An insertion sort: a thread has a few runs, and the view stays smaller
    // without another instance of the slice sorts.
    let key = |run: &TraceResponse| (run_start(run).is_none(), run_start(run));
    for i in 1..runs.len() {
        let mut j = i;
        while j > 0 && key(&runs[j - 1]) > key(&runs[j]) {
            runs.swap(j - 1, j);
            j -= 1;
        }
    }
    let ordered = runs;
    let mut execution = ordered
        .iter()
        .find(|run| run.execution.id == current)
        .or(ordered.first())
        .map(|run| run.execution.clone())
        .unwrap_or_else(|| empty_execution(current));
    execution.started_at = ordered.iter().filter_map(run_start).min();
    execution.finished_at = ordered
        .iter()
        .map(|run| run.execution.finished_at)
        .collect::<Option<Vec<_>>>()
        .and_then(|ends| ends.into_iter().max());
    execution.token_usage = TokenUsage::default();
    (execution.span_count, execution.error_count, execution.artifact_count) = (0, 0, 0);
    let mut spans = Vec::with_capacity(ordered.iter().map(|run| run.spans.len() + 1).sum());
    for run in ordered {
        let summary = &run.execution;
        execution.token_usage.add(&summary.token_usage);
        execution.span_count += summary.span_count;
        execution.error_count += summary.error_count;
        execution.artifact_count += summary.artifact_count;
        let group = group_span(&run);
        // The run's roots as its own tree sees them: spans without a parent in the run, and any that cut a cycle.
        let roots = SpanTree::build(&run.spans).roots;
        let mut run_spans = run.spans;
        for root in roots {
            run_spans[root].parent_span_id = Some(group.span_id.clone());
        }
        spans.push(group);
        spans.append(&mut run_spans);
    }
    let total_spans = spans.len() as u64;
    TraceResponse { execution, spans, page_info: PageInfo { has_next_page: false, cursor: None, total_spans } }
}

/// A run as one span: its id, workflow and status as attributes, its extent from the execution (else its spans).
fn group_span(run: &TraceResponse) -> Span {
    let summary = &run.execution;
    let start_time = run_start(run).unwrap_or_default();
    let end_time = match summary.finished_at {
        Some(end) => Some(end),
        None if summary.status.is_finished() => run.spans.iter().filter_map(|s| s.end_time).max(),
        None => None,
    }
    .map(|end| end.max(start_time));
    let code = match summary.status {
        ExecutionStatus::Error => StatusCode::Error,
        status if status.is_finished() => StatusCode::Ok,
        _ => StatusCode::Unset,
    };
    let mut attributes = Attributes::new();
    let text = |value: &str| Value::String(value.to_owned());
    attributes.insert(EXECUTION_ID.to_owned(), text(&summary.id));
    attributes.insert(WORKFLOW_ID.to_owned(), text(&summary.workflow_id));
    attributes.insert(EXECUTION_STATUS.to_owned(), text(summary.status.as_str()));
    if let Some(thread) = &summary.thread_id {
        attributes.insert(EXECUTION_THREAD_ID.to_owned(), text(thread));
    }
    Span {
        span_id: group_id(&summary.id),
        name: format!("run {}", summary.id),
        kind: SpanKind::Workflow,
        start_time,
        end_time,
        duration_ms: end_time.and_then(|end| (end - start_time).num_microseconds()).map(|us| us as f64 / 1000.0),
        status: SpanStatus { code, message: None },
        attributes,
        ..Span::default()
    }
}

fn empty_execution(id: &str) -> Execution {
    Execution {
        id: id.to_owned(),
        workflow_id: String::new(),
        status: ExecutionStatus::default(),
        thread_id: None,
        started_at: None,
        finished_at: None,
        trace_id: None,
        root_span_id: None,
        token_usage: TokenUsage::default(),
        span_count: 0,
        error_count: 0,
        artifact_count: 0,
        links: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::flatten::visible_rows;
    use crate::timeline::TimeAxis;
    use crate::tree::SpanTree;

    fn at(second: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, second).single().unwrap_or_default()
    }

    fn span(id: &str, parent: Option<&str>, start: u32, end: u32) -> Span {
        Span {
            span_id: id.to_owned(),
            parent_span_id: parent.map(str::to_owned),
            name: id.to_owned(),
            start_time: at(start),
            end_time: Some(at(end)),
            ..Span::default()
        }
    }

    fn run(id: &str, status: ExecutionStatus, start: u32, end: u32, spans: Vec<Span>) -> TraceResponse {
        let mut execution = empty_execution(id);
        execution.workflow_id = "chat".to_owned();
        execution.status = status;
        execution.thread_id = Some("t-1".to_owned());
        execution.started_at = Some(at(start));
        execution.finished_at = status.is_finished().then(|| at(end));
        execution.span_count = spans.len() as u64;
        execution.token_usage = TokenUsage::new(10, 5);
        execution.error_count = u64::from(status == ExecutionStatus::Error);
        TraceResponse { execution, spans, page_info: PageInfo::default() }
    }

    fn thread() -> Vec<TraceResponse> {
        // Given newest first, as the run list sends them.
        vec![
            run("r3", ExecutionStatus::Running, 40, 0, vec![span("c1", None, 41, 45)]),
            run("r1", ExecutionStatus::Completed, 0, 10, vec![span("a1", None, 0, 10), span("a2", Some("a1"), 1, 9)]),
            run("r2", ExecutionStatus::Error, 20, 30, vec![span("b1", None, 20, 30), span("b2", Some("gone"), 21, 22)]),
        ]
    }

    #[test]
    fn a_group_per_run_in_start_order_with_its_spans_under_it() {
        let stitched = stitch(thread(), "r2");
        let tree = SpanTree::build(&stitched.spans);
        let roots: Vec<&str> = tree.roots.iter().map(|&n| stitched.spans[n].span_id.as_str()).collect();
        assert_eq!(roots, ["run:r1", "run:r2", "run:r3"]);
        let rows: Vec<(usize, &str)> = visible_rows(&tree, |_| false)
            .iter()
            .map(|row| (row.depth as usize, stitched.spans[row.node].span_id.as_str()))
            .collect();
        assert_eq!(
            rows,
            [(0, "run:r1"), (1, "a1"), (2, "a2"), (0, "run:r2"), (1, "b1"), (1, "b2"), (0, "run:r3"), (1, "c1")]
        );
        // A span whose parent is not in its run goes under the group; one with its parent keeps it.
        let parent = |id: &str| stitched.spans.iter().find(|s| s.span_id == id).and_then(|s| s.parent_span_id.clone());
        assert_eq!((parent("b2").as_deref(), parent("a2").as_deref()), (Some("run:r2"), Some("a1")));
        assert!(stitched.spans.iter().filter(|s| is_group(s)).count() == 3 && !is_group(&stitched.spans[1]));
    }

    #[test]
    fn groups_carry_the_run_and_its_outcome() {
        let stitched = stitch(thread(), "r2");
        let group = |id: &str| stitched.spans.iter().find(|s| s.span_id == id).cloned().unwrap_or_default();
        let (r1, r2, r3) = (group("run:r1"), group("run:r2"), group("run:r3"));
        assert_eq!((r1.name.as_str(), r1.kind), ("run r1", SpanKind::Workflow));
        assert_eq!(
            (r1.status.code, r2.status.code, r3.status.code),
            (StatusCode::Ok, StatusCode::Error, StatusCode::Unset)
        );
        assert_eq!((r1.start_time, r1.end_time, r1.duration_ms), (at(0), Some(at(10)), Some(10_000.0)));
        assert_eq!((r3.end_time, r3.duration_ms), (None, None));
        assert_eq!(r2.attributes.get(EXECUTION_STATUS), Some(&Value::from("error")));
        assert_eq!(r2.attributes.get(EXECUTION_ID), Some(&Value::from("r2")));
        assert_eq!(r2.attributes.get(EXECUTION_THREAD_ID), Some(&Value::from("t-1")));
    }

    #[test]
    fn one_axis_and_the_thread_totals_under_the_current_run() {
        let stitched = stitch(thread(), "r2");
        let execution = &stitched.execution;
        assert_eq!(execution.id, "r2");
        assert_eq!((execution.span_count, execution.error_count), (5, 1));
        assert_eq!(execution.token_usage, TokenUsage::new(30, 15));
        // A run still going leaves the thread open.
        assert_eq!((execution.started_at, execution.finished_at), (Some(at(0)), None));
        let axis = TimeAxis::of(&stitched.spans).map(|axis| (axis.start, axis.end));
        assert_eq!(axis, Some((at(0), at(45))));
        let finished: Vec<TraceResponse> = thread().into_iter().skip(1).collect();
        assert_eq!(stitch(finished, "r1").execution.finished_at, Some(at(30)));
        assert_eq!(stitched.page_info.total_spans, 8);
        // The summary counts the runs' spans, not their groups.
        let tree = SpanTree::build(&stitched.spans);
        assert_eq!(crate::metrics::trace_metrics(execution, &stitched.spans, &tree).spans, 5);
        assert!(!stitched.page_info.has_next_page);
    }

    #[test]
    fn no_runs_is_an_empty_trace_of_the_current_run() {
        let stitched = stitch(Vec::new(), "r9");
        assert_eq!((stitched.execution.id.as_str(), stitched.spans.len()), ("r9", 0));
    }
}
