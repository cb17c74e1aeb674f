//! The rows a tree view shows: the tree walked depth first, skipping the descendants of collapsed spans.
//! Each row carries what the WAI-ARIA tree pattern needs (level, position in set, set size, expanded).

use crate::tree::SpanTree;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// Index of the span (and tree node).
    pub node: usize,
    pub depth: u32,
    pub has_children: bool,
    /// Meaningful only when `has_children`.
    pub expanded: bool,
    /// 1-based position among its siblings.
    pub pos_in_set: u32,
    pub set_size: u32,
}

/// The visible rows; `is_collapsed(node)` tells which spans hide their children.
pub fn visible_rows(tree: &SpanTree, is_collapsed: impl Fn(usize) -> bool) -> Vec<Row> {
    visible_rows_where(tree, |_| true, is_collapsed)
}

/// The visible rows of the spans that `keep(node)` accepts. A kept span's ancestors must be kept too (see
/// [`crate::filter::with_ancestors`]); levels, positions and set sizes count kept spans only, so that a filtered
/// tree reads as a whole tree to assistive technology.
pub fn visible_rows_where(
    tree: &SpanTree,
    keep: impl Fn(usize) -> bool,
    is_collapsed: impl Fn(usize) -> bool,
) -> Vec<Row> {
    let mut rows = Vec::with_capacity(tree.nodes.len());
    // (node, position among siblings, sibling count), pushed in reverse so that pops come in order.
    let mut stack: Vec<(usize, u32, u32)> = Vec::new();
    let mut kept = Vec::new();
    push_siblings(&mut stack, &mut kept, &tree.roots, &keep);
    while let Some((node, pos_in_set, set_size)) = stack.pop() {
        let tree_node = &tree.nodes[node];
        let has_children = tree_node.children.iter().any(|&child| keep(child));
        let expanded = has_children && !is_collapsed(node);
        rows.push(Row { node, depth: tree_node.depth, has_children, expanded, pos_in_set, set_size });
        if expanded {
            push_siblings(&mut stack, &mut kept, &tree_node.children, &keep);
        }
    }
    rows
}

fn push_siblings(
    stack: &mut Vec<(usize, u32, u32)>,
    kept: &mut Vec<usize>,
    siblings: &[usize],
    keep: &impl Fn(usize) -> bool,
) {
    kept.clear();
    kept.extend(siblings.iter().copied().filter(|&node| keep(node)));
    let size = u32::try_from(kept.len()).unwrap_or(u32::MAX);
    for (pos, &node) in kept.iter().enumerate().rev() {
        let pos = u32::try_from(pos).unwrap_or(u32::MAX - 1) + 1;
        stack.push((node, pos, size));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;

    fn sample() -> (Vec<crate::Span>, SpanTree) {
        let spans = vec![
            span("root", None, 0),
            span("n1", Some("root"), 1),
            span("llm", Some("n1"), 2),
            span("n2", Some("root"), 3),
        ];
        let tree = SpanTree::build(&spans);
        (spans, tree)
    }

    #[test]
    fn all_expanded_shows_every_span_with_aria_positions() {
        let (_, tree) = sample();
        let rows = visible_rows(&tree, |_| false);
        let summary: Vec<_> =
            rows.iter().map(|r| (r.node, r.depth, r.has_children, r.expanded, r.pos_in_set, r.set_size)).collect();
        assert_eq!(
            summary,
            [
                (0, 0, true, true, 1, 1),
                (1, 1, true, true, 1, 2),
                (2, 2, false, false, 1, 1),
                (3, 1, false, false, 2, 2)
            ]
        );
    }

    #[test]
    fn collapsed_span_hides_its_descendants_only() {
        let (_, tree) = sample();
        let rows = visible_rows(&tree, |n| n == 1);
        assert_eq!(rows.iter().map(|r| r.node).collect::<Vec<_>>(), [0, 1, 3]);
        assert!(!rows[1].expanded && rows[1].has_children);
        let rows = visible_rows(&tree, |n| n == 0);
        assert_eq!(rows.iter().map(|r| r.node).collect::<Vec<_>>(), [0]);
    }

    #[test]
    fn kept_subset_counts_positions_among_kept_siblings_only() {
        let (_, tree) = sample();
        // Keep root → n2 only: n1 (and its child) are filtered out.
        let rows = visible_rows_where(&tree, |n| n != 1 && n != 2, |_| false);
        let summary: Vec<_> = rows.iter().map(|r| (r.node, r.has_children, r.pos_in_set, r.set_size)).collect();
        assert_eq!(summary, [(0, true, 1, 1), (3, false, 1, 1)]);
        // A parent whose children are all filtered out reads as a leaf.
        let rows = visible_rows_where(&tree, |n| n != 2, |_| false);
        assert!(!rows[1].has_children && !rows[1].expanded);
    }

    #[test]
    fn leaf_is_never_reported_expanded() {
        let (_, tree) = sample();
        let rows = visible_rows(&tree, |_| true);
        assert!(rows.iter().all(|r| !r.expanded));
    }
}
