//! The tree's filters ("errors only", "AI spans only"): which spans match, shown together with their ancestors so
//! that every match keeps its place in the tree.

use crate::facts::is_ai;
use crate::tree::SpanTree;
use crate::wire::{Span, SpanKind};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpanFilter {
    pub errors_only: bool,
    pub ai_only: bool,
}

impl SpanFilter {
    pub fn is_active(&self) -> bool {
        self.errors_only || self.ai_only
    }

    /// Whether a span passes every active filter; `kind` is its effective kind ([`crate::facts::span_kind`]).
    pub fn matches(&self, span: &Span, kind: SpanKind) -> bool {
        (!self.errors_only || span.is_error()) && (!self.ai_only || is_ai(kind))
    }
}

/// For every node: whether it matches or has a matching descendant. Spans left out of the tree never match.
/// Linear: each walk up stops at the first ancestor already marked.
pub fn with_ancestors(tree: &SpanTree, matches: impl Fn(usize) -> bool) -> Vec<bool> {
    let mut keep = vec![false; tree.nodes.len()];
    for node in 0..tree.nodes.len() {
        if !tree.nodes[node].included || keep[node] || !matches(node) {
            continue;
        }
        let mut at = Some(node);
        while let Some(current) = at {
            if keep[current] {
                break;
            }
            keep[current] = true;
            at = tree.nodes[current].parent;
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::span_kind;
    use crate::tree::tests::span;
    use crate::wire::StatusCode;
    use crate::{Row, visible_rows_where};

    /// root ─ n1 ─ llm (error)
    ///      └ n2 ─ tool
    ///      └ n3 (error)
    fn sample() -> (Vec<Span>, SpanTree) {
        let mut spans = vec![
            span("root", None, 0),
            span("n1", Some("root"), 1),
            span("llm", Some("n1"), 2),
            span("n2", Some("root"), 3),
            span("tool", Some("n2"), 4),
            span("n3", Some("root"), 5),
        ];
        spans[2].kind = SpanKind::Llm;
        spans[2].status.code = StatusCode::Error;
        spans[4].kind = SpanKind::Tool;
        spans[5].status.code = StatusCode::Error;
        let tree = SpanTree::build(&spans);
        (spans, tree)
    }

    fn shown(spans: &[Span], tree: &SpanTree, filter: SpanFilter) -> Vec<String> {
        let keep = with_ancestors(tree, |n| filter.matches(&spans[n], span_kind(&spans[n])));
        let rows: Vec<Row> = visible_rows_where(tree, |n| keep[n], |_| false);
        rows.iter().map(|r| spans[r.node].span_id.clone()).collect()
    }

    #[test]
    fn inactive_filter_shows_everything() {
        let (spans, tree) = sample();
        assert!(!SpanFilter::default().is_active());
        assert_eq!(shown(&spans, &tree, SpanFilter::default()).len(), 6);
    }

    #[test]
    fn errors_only_keeps_errors_with_their_ancestors() {
        let (spans, tree) = sample();
        let filter = SpanFilter { errors_only: true, ai_only: false };
        assert_eq!(shown(&spans, &tree, filter), ["root", "n1", "llm", "n3"]);
    }

    #[test]
    fn ai_only_keeps_llm_and_tool_spans() {
        let (spans, tree) = sample();
        let filter = SpanFilter { errors_only: false, ai_only: true };
        assert_eq!(shown(&spans, &tree, filter), ["root", "n1", "llm", "n2", "tool"]);
    }

    #[test]
    fn both_filters_must_hold() {
        let (spans, tree) = sample();
        let filter = SpanFilter { errors_only: true, ai_only: true };
        assert_eq!(shown(&spans, &tree, filter), ["root", "n1", "llm"]);
    }

    #[test]
    fn no_match_keeps_nothing() {
        let (mut spans, _) = sample();
        for s in &mut spans {
            s.status.code = StatusCode::Ok;
        }
        let tree = SpanTree::build(&spans);
        assert!(shown(&spans, &tree, SpanFilter { errors_only: true, ai_only: false }).is_empty());
    }

    #[test]
    fn duplicates_left_out_of_the_tree_never_match() {
        let spans = vec![span("a", None, 0), span("a", None, 1)];
        let tree = SpanTree::build(&spans);
        assert_eq!(with_ancestors(&tree, |_| true), [true, false]);
    }
}
