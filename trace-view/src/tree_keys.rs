//! The tree's keyboard model over the visible rows (WAI-ARIA tree view: arrows, Home/End, Enter). Kept free of
//! DOM and signals so that type-ahead and `*` can be added here.

use dioxus::prelude::Key;
use trace_model::{Row, SpanTree};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeMove {
    /// Select and focus the row at this index.
    Focus(usize),
    /// Show the children of this node.
    Expand(usize),
    /// Hide the children of this node.
    Collapse(usize),
    /// Select the current row (Enter).
    Activate,
}

/// What `key` does on the row at index `at`; `None` leaves the key to the browser.
pub fn tree_move(key: &Key, rows: &[Row], tree: &SpanTree, at: usize) -> Option<TreeMove> {
    let row = rows.get(at)?;
    match key {
        Key::ArrowDown => (at + 1 < rows.len()).then_some(TreeMove::Focus(at + 1)),
        Key::ArrowUp => at.checked_sub(1).map(TreeMove::Focus),
        Key::Home => Some(TreeMove::Focus(0)),
        Key::End => rows.len().checked_sub(1).map(TreeMove::Focus),
        Key::ArrowRight if row.has_children && !row.expanded => Some(TreeMove::Expand(row.node)),
        // On an open parent, Right moves to its first child, which is the next row.
        Key::ArrowRight if row.expanded => Some(TreeMove::Focus(at + 1)),
        Key::ArrowLeft if row.expanded => Some(TreeMove::Collapse(row.node)),
        Key::ArrowLeft => {
            let parent = tree.nodes.get(row.node)?.parent?;
            rows[..at].iter().rposition(|r| r.node == parent).map(TreeMove::Focus)
        }
        Key::Enter => Some(TreeMove::Activate),
        _ => None,
    }
}
