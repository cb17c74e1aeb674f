//! The critical path: the chain of spans that set the run's end-to-end duration, computed as Jaeger computes it
//! (docs/trace-view.md, "Critical path").
//!
//! From the end of the run, walk backwards: a span's last-finishing child is on the path up to its end, and the
//! time between that child's end and the parent's own end is the parent's own work. Then the sibling that finished
//! last before that child started takes over, and so on until the parent's start. Children that overlap a later
//! one (parallel fan-out) are thus skipped, and the parts of a parent covered by no child on the path are its own.
//!
//! Times are cleaned first, as Jaeger does: an open span (no end) runs to the end of the run, an end before its
//! start is an instant, a child sticking out of its parent (clock skew) is cut to the parent, and a child wholly
//! outside it is left out with its subtree.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::timeline::TimeAxis;
use crate::tree::SpanTree;
use crate::wire::Span;

/// A stretch of time on the path, spent in `node`'s own work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathSegment {
    pub node: usize,
    pub span_id: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl PathSegment {
    pub fn duration_ms(&self) -> f64 {
        micros(self.start, self.end) / 1000.0
    }
}

/// How much of the run one span explains: the sum of its segments.
#[derive(Clone, Debug, PartialEq)]
pub struct PathShare {
    pub node: usize,
    pub ms: f64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CriticalPath {
    /// In time order, none empty, none overlapping.
    pub segments: Vec<PathSegment>,
    /// One per span on the path, in the order the path first reaches it.
    pub shares: Vec<PathShare>,
    /// The time the path covers; less than `run_ms` only where no span ran (gaps between roots).
    pub covered_ms: f64,
    /// The run: from the earliest start to the latest end of its spans.
    pub run_ms: f64,
    /// Node → index into `shares`, and the indices of its segments.
    index: HashMap<usize, (usize, Vec<usize>)>,
}

/// A span's times once cleaned, or `None` when it is left out.
#[derive(Clone, Copy)]
struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// One span being walked: its children by end time, latest first, and how far back its path has come.
struct Frame {
    node: Option<usize>,
    start: DateTime<Utc>,
    cursor: DateTime<Utc>,
    children: Vec<usize>,
    next: usize,
}

impl CriticalPath {
    /// The path of the whole run. Roots are treated as children of the run itself, so that several roots (spans
    /// whose parent is missing) are walked as a parallel fan-out; time in which no span ran is on no span's path.
    pub fn compute(spans: &[Span], tree: &SpanTree) -> Self {
        let Some(axis) = TimeAxis::of(spans) else { return Self::default() };
        let windows = clean_windows(spans, tree, axis.end);
        let by_end_desc = |nodes: &[usize]| {
            let mut kept: Vec<usize> = nodes.iter().copied().filter(|&n| windows[n].is_some()).collect();
            // Latest end first; among equal ends the later start (the shorter span) first, as it finished "last".
            kept.sort_by(|&a, &b| {
                let (wa, wb) = (windows[a].map(|w| (w.end, w.start)), windows[b].map(|w| (w.end, w.start)));
                wb.cmp(&wa).then(a.cmp(&b))
            });
            kept
        };
        let mut reversed = Vec::new();
        // Iterative, so that deep chains cannot overflow the stack.
        let mut stack = vec![Frame {
            node: None,
            start: axis.start,
            cursor: axis.end,
            children: by_end_desc(&tree.roots),
            next: 0,
        }];
        while let Some(frame) = stack.last_mut() {
            let cursor = frame.cursor;
            // The last-finishing child that ended by the cursor; later ones overlap a child already on the path.
            let child = loop {
                let Some(&child) = frame.children.get(frame.next) else { break None };
                frame.next += 1;
                if let Some(w) = windows[child]
                    && w.end <= cursor
                {
                    break Some((child, w));
                }
            };
            match child {
                Some((child, w)) => {
                    if let Some(node) = frame.node {
                        push(&mut reversed, spans, node, w.end, cursor);
                    }
                    frame.cursor = w.start;
                    let children = by_end_desc(&tree.nodes[child].children);
                    stack.push(Frame { node: Some(child), start: w.start, cursor: w.end, children, next: 0 });
                }
                None => {
                    if let Some(node) = frame.node {
                        push(&mut reversed, spans, node, frame.start, cursor);
                    }
                    stack.pop();
                }
            }
        }
        reversed.reverse();
        Self::from_segments(reversed, axis.duration_ms())
    }

    fn from_segments(segments: Vec<PathSegment>, run_ms: f64) -> Self {
        let mut shares: Vec<PathShare> = Vec::new();
        let mut index = HashMap::new();
        let mut covered_ms = 0.0;
        for (i, segment) in segments.iter().enumerate() {
            let ms = segment.duration_ms();
            covered_ms += ms;
            let (at, of_node) = index.entry(segment.node).or_insert_with(|| {
                shares.push(PathShare { node: segment.node, ms: 0.0 });
                (shares.len() - 1, Vec::new())
            });
            shares[*at].ms += ms;
            of_node.push(i);
        }
        Self { segments, shares, covered_ms, run_ms, index }
    }

    pub fn contains(&self, node: usize) -> bool {
        self.index.contains_key(&node)
    }

    /// How long `node` is on the path, if it is.
    pub fn share_of(&self, node: usize) -> Option<f64> {
        self.index.get(&node).map(|(at, _)| self.shares[*at].ms)
    }

    /// The segments spent in `node`.
    pub fn segments_of(&self, node: usize) -> impl Iterator<Item = &PathSegment> {
        self.index.get(&node).into_iter().flat_map(|(_, of_node)| of_node.iter().map(|&i| &self.segments[i]))
    }

    /// How many spans the path goes through.
    pub fn span_count(&self) -> usize {
        self.shares.len()
    }

    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }
}

fn push(reversed: &mut Vec<PathSegment>, spans: &[Span], node: usize, start: DateTime<Utc>, end: DateTime<Utc>) {
    if end > start {
        reversed.push(PathSegment { node, span_id: spans[node].span_id.clone(), start, end });
    }
}

/// Each span's window, parents before children so that a child is cut to its parent's cleaned window.
fn clean_windows(spans: &[Span], tree: &SpanTree, run_end: DateTime<Utc>) -> Vec<Option<Window>> {
    let mut windows: Vec<Option<Window>> = vec![None; spans.len()];
    for node in tree.depth_first() {
        let span = &spans[node];
        let own = Window { start: span.start_time, end: span.end_time.unwrap_or(run_end).max(span.start_time) };
        windows[node] = match tree.nodes[node].parent {
            None => Some(own),
            // A parent left out takes its subtree with it.
            Some(parent) => windows[parent].and_then(|p| {
                let (start, end) = (own.start.max(p.start), own.end.min(p.end));
                // Wholly outside the parent: left out. An instant child at the parent's edge stays.
                let outside = own.start > p.end || own.end < p.start || (end <= start && own.end > own.start);
                (!outside).then_some(Window { start, end: end.max(start) })
            }),
        };
    }
    windows
}

fn micros(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_microseconds().map_or(0.0, |us| us as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;
    use chrono::Duration;

    fn ended(id: &str, parent: Option<&str>, start_ms: i64, end_ms: i64) -> Span {
        let mut s = span(id, parent, start_ms);
        s.end_time = Some(s.start_time + Duration::milliseconds(end_ms - start_ms));
        s
    }

    /// The path as (span id, start ms, end ms), relative to the test epoch.
    fn walk(spans: &[Span]) -> (Vec<(String, i64, i64)>, CriticalPath) {
        let tree = SpanTree::build(spans);
        let path = CriticalPath::compute(spans, &tree);
        let base = span("t", None, 0).start_time;
        let at = |t: DateTime<Utc>| (t - base).num_milliseconds();
        let segments = path.segments.iter().map(|s| (s.span_id.clone(), at(s.start), at(s.end))).collect();
        (segments, path)
    }

    fn seg(id: &str, start: i64, end: i64) -> (String, i64, i64) {
        (id.to_owned(), start, end)
    }

    #[test]
    fn sequential_children_all_lie_on_the_path_with_the_parent_in_between() {
        let spans = vec![
            ended("root", None, 0, 100),
            ended("a", Some("root"), 10, 40),
            ended("b", Some("root"), 40, 70),
            ended("c", Some("root"), 75, 95),
        ];
        let (segments, path) = walk(&spans);
        assert_eq!(
            segments,
            [
                seg("root", 0, 10),
                seg("a", 10, 40),
                seg("b", 40, 70),
                seg("root", 70, 75),
                seg("c", 75, 95),
                seg("root", 95, 100)
            ]
        );
        assert_eq!(path.span_count(), 4);
        assert_eq!(path.share_of(0), Some(20.0), "the root's own time: 10 + 5 + 5 ms");
        assert_eq!(path.segments_of(0).map(|s| s.duration_ms()).collect::<Vec<_>>(), [10.0, 5.0, 5.0]);
        assert_eq!(path.segments_of(9).count(), 0);
        assert_eq!((path.covered_ms, path.run_ms), (100.0, 100.0));
    }

    #[test]
    fn fan_out_follows_the_last_finishing_child_and_skips_the_ones_it_overlaps() {
        // root ─ fast (10..50) and slow (10..90) in parallel, then merge (90..100) that calls a model (92..98).
        let spans = vec![
            ended("root", None, 0, 100),
            ended("fast", Some("root"), 10, 50),
            ended("slow", Some("root"), 10, 90),
            ended("merge", Some("root"), 90, 100),
            ended("llm", Some("merge"), 92, 98),
        ];
        let (segments, path) = walk(&spans);
        assert_eq!(
            segments,
            [seg("root", 0, 10), seg("slow", 10, 90), seg("merge", 90, 92), seg("llm", 92, 98), seg("merge", 98, 100)]
        );
        assert!(!path.contains(1), "the parallel branch that finished first is not on the path");
        assert_eq!(path.share_of(3), Some(4.0));
    }

    #[test]
    fn a_failed_attempt_and_its_retry_are_both_on_the_path() {
        let mut first = ended("try-1", Some("root"), 5, 40);
        first.status.code = crate::wire::StatusCode::Error;
        let spans = vec![
            ended("root", None, 0, 100),
            first,
            ended("http-1", Some("try-1"), 10, 38),
            ended("try-2", Some("root"), 45, 95),
            ended("http-2", Some("try-2"), 50, 90),
        ];
        let (segments, path) = walk(&spans);
        assert_eq!(
            segments,
            [
                seg("root", 0, 5),
                seg("try-1", 5, 10),
                seg("http-1", 10, 38),
                seg("try-1", 38, 40),
                seg("root", 40, 45),
                seg("try-2", 45, 50),
                seg("http-2", 50, 90),
                seg("try-2", 90, 95),
                seg("root", 95, 100)
            ]
        );
        assert_eq!(path.span_count(), 5);
    }

    #[test]
    fn back_to_back_children_are_not_skipped() {
        // Jaeger compares "ended before" strictly and would drop `a` here; touching ends are sequential work.
        let spans = vec![ended("root", None, 0, 20), ended("a", Some("root"), 0, 10), ended("b", Some("root"), 10, 20)];
        let (segments, _) = walk(&spans);
        assert_eq!(segments, [seg("a", 0, 10), seg("b", 10, 20)]);
    }

    #[test]
    fn open_spans_run_to_the_end_of_the_run() {
        // A running workflow: its current node has no end; a finished child ends the run so far at 80.
        let spans = vec![
            span("root", None, 0),
            ended("done", Some("root"), 5, 30),
            span("running", Some("root"), 30),
            ended("call", Some("running"), 40, 80),
        ];
        let (segments, path) = walk(&spans);
        assert_eq!(segments, [seg("root", 0, 5), seg("done", 5, 30), seg("running", 30, 40), seg("call", 40, 80)]);
        assert_eq!(path.run_ms, 80.0);
    }

    #[test]
    fn clock_skew_cuts_children_to_their_parent_and_leaves_out_those_outside_it() {
        let mut backwards = ended("backwards", Some("root"), 60, 60);
        backwards.end_time = Some(backwards.start_time - Duration::milliseconds(30));
        let spans = vec![
            ended("root", None, 100, 200),
            // Starts before its parent: cut to start at 100.
            ended("early", Some("root"), 80, 140),
            // Ends after its parent: cut to end at 200.
            ended("late", Some("root"), 150, 230),
            // Wholly after its parent: left out, with its child.
            ended("after", Some("root"), 210, 260),
            ended("after-child", Some("after"), 220, 250),
            // Ends before it starts, before the parent: an instant outside it, left out.
            backwards,
        ];
        let (segments, path) = walk(&spans);
        assert_eq!(segments, [seg("early", 100, 140), seg("root", 140, 150), seg("late", 150, 200)]);
        assert_eq!(path.run_ms, 200.0, "the run still spans every span as sent (60..260)");
        assert_eq!(path.covered_ms, 100.0);
        assert!(!path.contains(3) && !path.contains(4));
    }

    #[test]
    fn several_roots_are_walked_like_parallel_children_of_the_run() {
        let spans = vec![ended("r1", None, 0, 50), ended("r2", None, 10, 30), ended("r3", None, 60, 90)];
        let (segments, path) = walk(&spans);
        assert_eq!(segments, [seg("r1", 0, 50), seg("r3", 60, 90)]);
        assert_eq!((path.covered_ms, path.run_ms), (80.0, 90.0), "the gap between roots is on no span");
    }

    #[test]
    fn empty_and_instant_runs() {
        let (segments, path) = walk(&[]);
        assert!(segments.is_empty() && path.is_empty());
        let (segments, path) = walk(&[ended("only", None, 0, 0)]);
        assert!(segments.is_empty());
        assert_eq!(path.run_ms, 0.0);
    }

    #[test]
    fn deep_chains_do_not_overflow_the_stack() {
        let n = 100_000;
        let spans: Vec<Span> = (0..n)
            .map(|i| {
                let parent = (i > 0).then(|| (i - 1).to_string());
                ended(&i.to_string(), parent.as_deref(), i as i64, 2 * n as i64 - i as i64)
            })
            .collect();
        let (segments, path) = walk(&spans);
        assert_eq!(path.span_count(), n);
        assert_eq!(segments.len(), 2 * n - 1);
    }
}
