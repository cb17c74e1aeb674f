//! The rows the tree shows for the current filters, search and collapsed spans, and the search matches.

use std::collections::HashSet;
use std::rc::Rc;

use trace_model::filter::{SpanFilter, with_ancestors};
use trace_model::search::normalize;
use trace_model::{Row, visible_rows, visible_rows_where};

use crate::trace_data::TraceData;

#[derive(Debug, Default)]
pub struct Visible {
    pub rows: Vec<Row>,
    /// Nodes matching the search (and the filters), in tree order.
    pub matches: Vec<usize>,
}

impl Visible {
    pub fn compute(data: &TraceData, filter: SpanFilter, query: &str, collapsed: &HashSet<String>) -> Rc<Self> {
        let is_collapsed = |node: usize| collapsed.contains(&data.span(node).span_id);
        let query = normalize(query);
        if !filter.is_active() && query.is_empty() {
            return Rc::new(Self { rows: visible_rows(&data.tree, is_collapsed), matches: Vec::new() });
        }
        let index = (!query.is_empty()).then(|| data.search_index());
        let matches_node = |node: usize| {
            filter.matches(data.span(node), data.kind(node)) && index.is_none_or(|index| index.is_match(node, &query))
        };
        // Each span is tested once: the search scans text, the rest reuses the answer.
        let hit: Vec<bool> = (0..data.tree.nodes.len()).map(matches_node).collect();
        let keep = with_ancestors(&data.tree, |node| hit[node]);
        let matches = if index.is_some() {
            data.tree.depth_first().into_iter().filter(|&node| hit[node]).collect()
        } else {
            Vec::new()
        };
        let rows = visible_rows_where(&data.tree, |node| keep[node], is_collapsed);
        Rc::new(Self { rows, matches })
    }
}

/// Rows compared by identity, so that a memo holding them notifies only when they were recomputed.
#[derive(Clone, Debug)]
pub struct SharedVisible(pub Rc<Visible>);

impl PartialEq for SharedVisible {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
