//! The span tree, built from the flat span list of the wire format.
//!
//! Producers may send spans in any order, with parents missing (still running, or on another page), duplicated
//! ids or even parent cycles; the tree stays well formed in all of these cases.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::wire::Span;

/// What the tree needs of an item: its id, its parent's id and its start. Spans are items; so is any lighter row
/// that carries these three (the store orders large traces without loading whole spans).
pub trait TreeItem {
    fn item_id(&self) -> &str;
    fn parent_id(&self) -> Option<&str>;
    fn start(&self) -> DateTime<Utc>;
}

impl TreeItem for Span {
    fn item_id(&self) -> &str {
        &self.span_id
    }

    fn parent_id(&self) -> Option<&str> {
        self.parent_span_id.as_deref()
    }

    fn start(&self) -> DateTime<Utc> {
        self.start_time
    }
}

/// One node per input span, at the same index as the span.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeNode {
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// 0 for roots.
    pub depth: u32,
    /// False for a later duplicate of a span id: it is left out of the tree.
    pub included: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpanTree {
    pub nodes: Vec<TreeNode>,
    pub roots: Vec<usize>,
}

impl SpanTree {
    /// Builds the tree. A span whose parent is absent becomes a root; siblings are ordered by start time, then by
    /// their order in the input; of several spans with one id, the first is kept.
    pub fn build<T: TreeItem>(spans: &[T]) -> Self {
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(spans.len());
        let mut nodes = vec![TreeNode::default(); spans.len()];
        for (i, span) in spans.iter().enumerate() {
            if !index.contains_key(span.item_id()) {
                index.insert(span.item_id(), i);
                nodes[i].included = true;
            }
        }
        let mut roots = Vec::new();
        for (i, span) in spans.iter().enumerate() {
            if !nodes[i].included {
                continue;
            }
            let parent = span.parent_id().and_then(|p| index.get(p).copied()).filter(|&p| p != i);
            match parent {
                Some(p) => {
                    nodes[i].parent = Some(p);
                    nodes[p].children.push(i);
                }
                None => roots.push(i),
            }
        }
        for node in &mut nodes {
            sort_by_start(&mut node.children, spans);
        }
        let mut tree = Self { nodes, roots };
        tree.assign_depths_and_break_cycles(spans);
        tree
    }

    /// Walks from the roots to set depths; spans left unreached sit on a parent cycle, so each such cycle is cut at
    /// its earliest span, which becomes a root.
    fn assign_depths_and_break_cycles<T: TreeItem>(&mut self, spans: &[T]) {
        let mut reached = vec![false; self.nodes.len()];
        let mut stack: Vec<usize> = self.roots.clone();
        self.walk_depths(&mut stack, &mut reached);
        loop {
            let unreached = (0..self.nodes.len())
                .filter(|&i| self.nodes[i].included && !reached[i])
                .min_by(|a, b| spans[*a].start().cmp(&spans[*b].start()).then(a.cmp(b)));
            let Some(cut) = unreached else { break };
            if let Some(parent) = self.nodes[cut].parent.take() {
                self.nodes[parent].children.retain(|&c| c != cut);
            }
            self.nodes[cut].depth = 0;
            self.roots.push(cut);
            stack.push(cut);
            self.walk_depths(&mut stack, &mut reached);
        }
        sort_by_start(&mut self.roots, spans);
    }

    fn walk_depths(&mut self, stack: &mut Vec<usize>, reached: &mut [bool]) {
        while let Some(i) = stack.pop() {
            reached[i] = true;
            let depth = self.nodes[i].depth;
            for c in 0..self.nodes[i].children.len() {
                let child = self.nodes[i].children[c];
                if !reached[child] {
                    self.nodes[child].depth = depth + 1;
                    stack.push(child);
                }
            }
        }
    }

    /// Every span in the tree, depth first, parents before children, siblings in order.
    pub fn depth_first(&self) -> Vec<usize> {
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<usize> = self.roots.iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            order.push(i);
            stack.extend(self.nodes[i].children.iter().rev().copied());
        }
        order
    }

    /// The spans with children: what "Collapse all" collapses.
    pub fn parents(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes.iter().enumerate().filter(|(_, n)| n.included && !n.children.is_empty()).map(|(i, _)| i)
    }

    /// `node`'s parent, its parent's parent, and so on up to its root.
    pub fn ancestors(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(self.nodes.get(node).and_then(|n| n.parent), |&n| self.nodes[n].parent)
    }

    pub fn len(&self) -> usize {
        self.nodes.iter().filter(|n| n.included).count()
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

/// Orders span indices by start time, stably. One function for the roots and every node's children, so that the
/// view's wasm holds one copy of the sort.
fn sort_by_start<T: TreeItem>(indices: &mut [usize], spans: &[T]) {
    indices.sort_by(|a, b| spans[*a].start().cmp(&spans[*b].start()));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::wire::Span;
    use chrono::{TimeZone, Utc};

    pub(crate) fn span(id: &str, parent: Option<&str>, start_ms: i64) -> Span {
        Span {
            span_id: id.to_owned(),
            parent_span_id: parent.map(str::to_owned),
            name: format!("span {id}"),
            start_time: Utc.timestamp_millis_opt(1_700_000_000_000 + start_ms).single().unwrap_or_default(),
            ..Default::default()
        }
    }

    fn ids(spans: &[Span], order: &[usize]) -> Vec<String> {
        order.iter().map(|&i| spans[i].span_id.clone()).collect()
    }

    /// A root `a` with children `b` (itself with `c1`, `c2`) and `d`, given out of order.
    fn out_of_order() -> Vec<Span> {
        vec![
            span("c2", Some("b"), 30),
            span("a", None, 0),
            span("c1", Some("b"), 20),
            span("b", Some("a"), 10),
            span("d", Some("a"), 40),
        ]
    }

    #[test]
    fn builds_out_of_order_input_depth_first() {
        let spans = out_of_order();
        let tree = SpanTree::build(&spans);
        assert_eq!(ids(&spans, &tree.depth_first()), ["a", "b", "c1", "c2", "d"]);
        assert_eq!(tree.nodes[2].depth, 2);
        assert_eq!(tree.nodes[3].parent, Some(1));
    }

    #[test]
    fn parents_and_ancestors_follow_the_built_tree() {
        let mut spans = out_of_order();
        spans.push(span("b", Some("d"), 50));
        let tree = SpanTree::build(&spans);
        // The duplicate `b` (index 5) is no parent, though its id has children.
        assert_eq!(ids(&spans, &tree.parents().collect::<Vec<_>>()), ["a", "b"]);
        assert_eq!(ids(&spans, &tree.ancestors(0).collect::<Vec<_>>()), ["b", "a"]);
        assert_eq!(tree.ancestors(1).count(), 0, "a root has none");
        assert_eq!(tree.ancestors(99).count(), 0, "nor has a node that is not there");
    }

    #[test]
    fn missing_parent_makes_a_root() {
        let spans = vec![span("a", None, 0), span("x", Some("gone"), 5)];
        let tree = SpanTree::build(&spans);
        assert_eq!(tree.roots, vec![0, 1]);
        assert_eq!(tree.nodes[1].depth, 0);
    }

    #[test]
    fn duplicates_are_kept_once() {
        let spans = vec![span("a", None, 0), span("b", Some("a"), 1), span("b", Some("a"), 1)];
        let tree = SpanTree::build(&spans);
        assert_eq!(tree.len(), 2);
        assert_eq!(ids(&spans, &tree.depth_first()), ["a", "b"]);
    }

    #[test]
    fn parent_cycles_are_cut() {
        let spans = vec![span("a", Some("b"), 0), span("b", Some("a"), 1), span("s", Some("s"), 2)];
        let tree = SpanTree::build(&spans);
        assert_eq!(ids(&spans, &tree.depth_first()), ["a", "b", "s"]);
        assert_eq!(tree.nodes[1].depth, 1);
        assert_eq!(tree.roots, vec![0, 2]);
    }

    #[test]
    fn deep_chains_do_not_overflow_the_stack() {
        let n = 200_000;
        let spans: Vec<Span> =
            (0..n).map(|i| span(&i.to_string(), (i > 0).then(|| (i - 1).to_string()).as_deref(), i as i64)).collect();
        let tree = SpanTree::build(&spans);
        assert_eq!(tree.nodes[n - 1].depth as usize, n - 1);
        assert_eq!(tree.depth_first().len(), n);
    }
}
