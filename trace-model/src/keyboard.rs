//! The tree's keyboard model (WAI-ARIA APG Tree View): arrows, Home/End, Enter, type-ahead and `*`, over the rows
//! currently shown (collapsed and filtered spans are simply absent from them).

use crate::case::push_lowercase;
use crate::flatten::Row;
use crate::tree::SpanTree;

/// The keys the tree handles; everything else is left to the browser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeKey {
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    Enter,
    /// `*`: expand every sibling of the focused row.
    Star,
    /// A printable character: type-ahead.
    Char(char),
}

/// What a key does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeAction {
    /// Move focus (and selection) to the row at this index.
    Focus(usize),
    /// Show the children of these nodes.
    Expand(Vec<usize>),
    /// Hide the children of this node.
    Collapse(usize),
    /// Select the focused row.
    Activate,
}

/// Characters typed within this many milliseconds of each other form one type-ahead string.
pub const TYPE_AHEAD_TIMEOUT_MS: f64 = 750.0;

/// The characters typed so far; the caller passes the clock so that the model stays pure.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypeAhead {
    typed: String,
    last_ms: f64,
}

impl TypeAhead {
    /// Whether a string is being typed: some characters came, the last one recently.
    pub fn is_typing(&self, now_ms: f64) -> bool {
        !self.typed.is_empty() && now_ms - self.last_ms <= TYPE_AHEAD_TIMEOUT_MS
    }

    /// Adds a character, starting over after a pause; returns the string to look for.
    pub fn push(&mut self, c: char, now_ms: f64) -> &str {
        if now_ms - self.last_ms > TYPE_AHEAD_TIMEOUT_MS {
            self.typed.clear();
        }
        self.last_ms = now_ms;
        push_lowercase(&mut self.typed, c);
        &self.typed
    }
}

/// What `key` does on the row at index `at`. `label(node)` is the text type-ahead matches; `typed` keeps the
/// type-ahead string between keys.
pub fn tree_action<'a>(
    key: TreeKey,
    rows: &[Row],
    tree: &SpanTree,
    at: usize,
    typed: &mut TypeAhead,
    now_ms: f64,
    label: impl Fn(usize) -> &'a str,
) -> Option<TreeAction> {
    let row = rows.get(at)?;
    match key {
        TreeKey::Down => (at + 1 < rows.len()).then_some(TreeAction::Focus(at + 1)),
        TreeKey::Up => at.checked_sub(1).map(TreeAction::Focus),
        TreeKey::Home => Some(TreeAction::Focus(0)),
        TreeKey::End => Some(TreeAction::Focus(rows.len() - 1)),
        TreeKey::Right if row.has_children && !row.expanded => Some(TreeAction::Expand(vec![row.node])),
        // On an open parent the first child is the next row.
        TreeKey::Right if row.expanded => Some(TreeAction::Focus(at + 1)),
        TreeKey::Right => None,
        TreeKey::Left if row.expanded => Some(TreeAction::Collapse(row.node)),
        TreeKey::Left => parent_row(rows, tree, at).map(TreeAction::Focus),
        TreeKey::Enter => Some(TreeAction::Activate),
        TreeKey::Star => {
            let closed = siblings(rows, tree, at).filter(|r| r.has_children && !r.expanded).map(|r| r.node).collect();
            Some(TreeAction::Expand(closed))
        }
        // A space only continues a string being typed; on its own it is left to the browser.
        TreeKey::Char(c) if c.is_whitespace() && !typed.is_typing(now_ms) => None,
        TreeKey::Char(c) => {
            let prefix = typed.push(c, now_ms).to_owned();
            type_ahead(rows, at, &prefix, label).map(TreeAction::Focus)
        }
    }
}

/// The row of the parent of row `at`; parents always precede their children.
fn parent_row(rows: &[Row], tree: &SpanTree, at: usize) -> Option<usize> {
    let parent = tree.nodes.get(rows[at].node)?.parent?;
    rows[..at].iter().rposition(|r| r.node == parent)
}

/// The rows with the same parent as row `at`, itself included.
fn siblings<'r>(rows: &'r [Row], tree: &'r SpanTree, at: usize) -> impl Iterator<Item = &'r Row> {
    let parent_of = |node: usize| tree.nodes.get(node).and_then(|n| n.parent);
    let (parent, depth) = (parent_of(rows[at].node), rows[at].depth);
    rows.iter().filter(move |r| r.depth == depth && parent_of(r.node) == parent)
}

/// The next row (after `at`, wrapping) whose label starts with `prefix`, case-insensitively. A repeated single
/// character ("aaa") cycles through the rows starting with it; a longer string may stay on the current row.
pub fn type_ahead<'a>(rows: &[Row], at: usize, prefix: &str, label: impl Fn(usize) -> &'a str) -> Option<usize> {
    let mut chars = prefix.chars();
    let first = chars.next()?;
    let repeated = chars.all(|c| c == first);
    let (needle, start) = if repeated { (&prefix[..first.len_utf8()], at + 1) } else { (prefix, at) };
    let n = rows.len();
    (0..n).map(|i| (start + i) % n).find(|&i| starts_with_ignore_case(label(rows[i].node), needle))
}

fn starts_with_ignore_case(text: &str, lower_prefix: &str) -> bool {
    // Each character lowercases to one or more: the prefix's length in characters is always enough of the text.
    let mut lower = String::with_capacity(lower_prefix.len());
    text.chars().take(lower_prefix.chars().count()).for_each(|c| push_lowercase(&mut lower, c));
    lower.starts_with(lower_prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::with_ancestors;
    use crate::flatten::{visible_rows, visible_rows_where};
    use crate::tree::tests::span;
    use crate::wire::Span;

    /// root ─ alpha ─ a1
    ///      │       └ a2
    ///      ├ beta ─ b1
    ///      └ apple
    fn sample() -> (Vec<Span>, SpanTree) {
        let spans = vec![
            span("root", None, 0),
            span("alpha", Some("root"), 1),
            span("a1", Some("alpha"), 2),
            span("a2", Some("alpha"), 3),
            span("beta", Some("root"), 4),
            span("b1", Some("beta"), 5),
            span("apple", Some("root"), 6),
        ];
        let tree = SpanTree::build(&spans);
        (spans, tree)
    }

    fn press(key: TreeKey, rows: &[Row], spans: &[Span], tree: &SpanTree, at: usize) -> Option<TreeAction> {
        tree_action(key, rows, tree, at, &mut TypeAhead::default(), 0.0, |n| spans[n].span_id.as_str())
    }

    fn ids(spans: &[Span], rows: &[Row]) -> Vec<String> {
        rows.iter().map(|r| spans[r.node].span_id.clone()).collect()
    }

    #[test]
    fn up_down_home_end_stay_in_bounds() {
        let (spans, tree) = sample();
        let rows = visible_rows(&tree, |_| false);
        assert_eq!(press(TreeKey::Down, &rows, &spans, &tree, 0), Some(TreeAction::Focus(1)));
        assert_eq!(press(TreeKey::Down, &rows, &spans, &tree, 6), None);
        assert_eq!(press(TreeKey::Up, &rows, &spans, &tree, 0), None);
        assert_eq!(press(TreeKey::Up, &rows, &spans, &tree, 3), Some(TreeAction::Focus(2)));
        assert_eq!(press(TreeKey::Home, &rows, &spans, &tree, 4), Some(TreeAction::Focus(0)));
        assert_eq!(press(TreeKey::End, &rows, &spans, &tree, 0), Some(TreeAction::Focus(6)));
        assert_eq!(press(TreeKey::Enter, &rows, &spans, &tree, 2), Some(TreeAction::Activate));
        assert_eq!(press(TreeKey::Down, &rows, &spans, &tree, 99), None);
    }

    #[test]
    fn right_opens_then_enters_and_left_closes_then_climbs() {
        let (spans, tree) = sample();
        let collapsed = |n: usize| n == 1;
        let rows = visible_rows(&tree, collapsed);
        assert_eq!(ids(&spans, &rows), ["root", "alpha", "beta", "b1", "apple"]);
        assert_eq!(press(TreeKey::Right, &rows, &spans, &tree, 1), Some(TreeAction::Expand(vec![1])));
        assert_eq!(press(TreeKey::Left, &rows, &spans, &tree, 1), Some(TreeAction::Focus(0)), "closed: to parent");
        assert_eq!(press(TreeKey::Right, &rows, &spans, &tree, 2), Some(TreeAction::Focus(3)), "open: first child");
        assert_eq!(press(TreeKey::Right, &rows, &spans, &tree, 3), None, "leaf");
        assert_eq!(press(TreeKey::Left, &rows, &spans, &tree, 2), Some(TreeAction::Collapse(4)));
        assert_eq!(press(TreeKey::Left, &rows, &spans, &tree, 3), Some(TreeAction::Focus(2)), "leaf: to parent");
        assert_eq!(press(TreeKey::Left, &rows, &spans, &tree, 0), Some(TreeAction::Collapse(0)));
        let all_closed = visible_rows(&tree, |_| true);
        assert_eq!(press(TreeKey::Left, &all_closed, &spans, &tree, 0), None, "closed root has no parent");
    }

    #[test]
    fn keys_walk_the_filtered_tree_only() {
        let (spans, tree) = sample();
        // Keep b1 and apple: beta comes along as b1's ancestor, alpha's subtree is gone.
        let keep = with_ancestors(&tree, |n| n == 5 || n == 6);
        let rows = visible_rows_where(&tree, |n| keep[n], |_| false);
        assert_eq!(ids(&spans, &rows), ["root", "beta", "b1", "apple"]);
        assert_eq!(press(TreeKey::Down, &rows, &spans, &tree, 2), Some(TreeAction::Focus(3)));
        assert_eq!(press(TreeKey::Left, &rows, &spans, &tree, 2), Some(TreeAction::Focus(1)));
        assert_eq!(press(TreeKey::End, &rows, &spans, &tree, 0), Some(TreeAction::Focus(3)));
        // `*` on apple expands its closed siblings that still have kept children: beta, not alpha (filtered out).
        let rows = visible_rows_where(&tree, |n| keep[n], |n| n == 4);
        assert_eq!(press(TreeKey::Star, &rows, &spans, &tree, 2), Some(TreeAction::Expand(vec![4])));
    }

    #[test]
    fn star_expands_every_closed_sibling_at_the_focused_level() {
        let (spans, tree) = sample();
        let rows = visible_rows(&tree, |n| n == 1 || n == 4);
        assert_eq!(ids(&spans, &rows), ["root", "alpha", "beta", "apple"]);
        assert_eq!(press(TreeKey::Star, &rows, &spans, &tree, 3), Some(TreeAction::Expand(vec![1, 4])));
        let open = visible_rows(&tree, |_| false);
        assert_eq!(press(TreeKey::Star, &open, &spans, &tree, 1), Some(TreeAction::Expand(vec![])));
        // Children of alpha: a1 and a2 are leaves.
        assert_eq!(press(TreeKey::Star, &open, &spans, &tree, 2), Some(TreeAction::Expand(vec![])));
    }

    #[test]
    fn type_ahead_finds_the_next_match_and_cycles_on_repeats() {
        let (spans, tree) = sample();
        let rows = visible_rows(&tree, |_| false);
        // rows: root alpha a1 a2 beta b1 apple
        let mut typed = TypeAhead::default();
        let mut key = |c: char, at: usize, now: f64| {
            tree_action(TreeKey::Char(c), &rows, &tree, at, &mut typed, now, |n| spans[n].span_id.as_str())
        };
        assert_eq!(key('A', 0, 1000.0), Some(TreeAction::Focus(1)), "alpha, case-insensitive");
        assert_eq!(key('a', 1, 1100.0), Some(TreeAction::Focus(2)), "'aa' repeats: next starting with a");
        assert_eq!(key('b', 2, 5000.0), Some(TreeAction::Focus(4)), "after a pause: a new string");
        assert_eq!(key('1', 4, 5100.0), Some(TreeAction::Focus(5)), "'b1'");
        assert_eq!(key('p', 6, 9000.0), None, "nothing starts with p");
        assert_eq!(key('r', 6, 20000.0), Some(TreeAction::Focus(0)), "wraps around");
    }

    #[test]
    fn space_continues_a_typed_string_but_is_ignored_alone() {
        let mut spans: Vec<Span> = ["root", "node a", "node b"].iter().map(|id| span(id, None, 0)).collect();
        for s in &mut spans {
            s.name = s.span_id.clone();
        }
        let tree = SpanTree::build(&spans);
        let rows = visible_rows(&tree, |_| false);
        let mut typed = TypeAhead::default();
        let mut key = |c: char, at: usize, now: f64| {
            tree_action(TreeKey::Char(c), &rows, &tree, at, &mut typed, now, |n| spans[n].name.as_str())
        };
        assert_eq!(key(' ', 0, 1000.0), None, "a lone space is the browser's");
        for (i, c) in "node ".chars().enumerate() {
            assert_eq!(key(c, 0, 2000.0 + i as f64), Some(TreeAction::Focus(1)));
        }
        assert_eq!(key('b', 1, 2010.0), Some(TreeAction::Focus(2)));
    }

    #[test]
    fn type_ahead_with_a_longer_prefix_can_stay_on_the_current_row() {
        let labels = ["apple", "apricot", "banana"];
        let rows: Vec<Row> = (0..3)
            .map(|node| Row { node, depth: 0, has_children: false, expanded: false, pos_in_set: 1, set_size: 3 })
            .collect();
        assert_eq!(type_ahead(&rows, 0, "ap", |n| labels[n]), Some(0));
        assert_eq!(type_ahead(&rows, 0, "apr", |n| labels[n]), Some(1));
        assert_eq!(type_ahead(&rows, 1, "a", |n| labels[n]), Some(0));
        assert_eq!(type_ahead(&rows, 0, "", |n| labels[n]), None);
    }
}
