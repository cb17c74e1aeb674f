//! Two runs side by side: the spans of one run aligned with those of another (of the same workflow), with what
//! changed between them, differences first (docs/trace-view.md, "Two runs compared").
//!
//! A node's span is matched by its node id and attempt (`orcheo.node.id`, `orcheo.node.attempt`; without an
//! attempt, the how-manyth span of that node it is), wherever it sits in the tree. Any other span (the workflow
//! root, a node's model, tool and HTTP calls) is matched under its matched parent by kind, name and how-manyth of
//! that kind and name it is among its siblings.

use std::collections::HashMap;

use serde_json::Value;

use crate::conventions::names::{NODE_ATTEMPT, NODE_ID};
use crate::conventions::{prompt, response, str_attr};
use crate::facts::{span_kind, span_tokens};
use crate::node_io::node_io;
use crate::pricing::{PriceTable, SpanCost, span_cost};
use crate::tree::SpanTree;
use crate::wire::{Span, SpanKind, StatusCode, TokenUsage};

/// A duration changed notably when it moved by at least this many milliseconds…
pub const DURATION_MIN_CHANGE_MS: f64 = 10.0;
/// …and by at least this share of the longer of the two.
pub const DURATION_MIN_CHANGE_SHARE: f64 = 0.25;

/// One run: its spans and their tree.
#[derive(Clone, Copy, Debug)]
pub struct Run<'a> {
    pub spans: &'a [Span],
    pub tree: &'a SpanTree,
}

/// A span's figures on one side of a row.
#[derive(Clone, Debug, PartialEq)]
pub struct Side {
    /// The span's index in its run.
    pub node: usize,
    pub status: StatusCode,
    /// `None` while the span is open.
    pub duration_ms: Option<f64>,
    pub tokens: Option<TokenUsage>,
    pub cost: Option<SpanCost>,
}

/// What differs between the two sides of a row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Only in the first run (the one shown).
    pub only_left: bool,
    /// Only in the run it is compared with.
    pub only_right: bool,
    pub status: bool,
    /// By at least [`DURATION_MIN_CHANGE_MS`] and [`DURATION_MIN_CHANGE_SHARE`] of the longer; or one side is
    /// still open.
    pub duration: bool,
    pub tokens: bool,
    /// The prompt (a model call's) or the input (any other span's), compared as text.
    pub prompt: bool,
    /// The response or the output, compared as text.
    pub output: bool,
}

impl Changes {
    pub fn any(&self) -> bool {
        *self != Self::default()
    }

    /// The changes as short labels, in a fixed order; a model call's input is its prompt.
    pub fn labels(&self, kind: SpanKind) -> Vec<&'static str> {
        let model = kind == SpanKind::Llm;
        [
            (self.only_left, "only in A"),
            (self.only_right, "only in B"),
            (self.status, "status"),
            (self.duration, "duration"),
            (self.tokens, "tokens"),
            (self.prompt, if model { "prompt" } else { "input" }),
            (self.output, if model { "response" } else { "output" }),
        ]
        .into_iter()
        .filter_map(|(changed, label)| changed.then_some(label))
        .collect()
    }
}

/// One aligned span.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub left: Option<Side>,
    pub right: Option<Side>,
    pub changes: Changes,
    /// The span's name, from the first run when it has the span.
    pub name: String,
    pub kind: SpanKind,
    /// Depth in its tree (0 for a root).
    pub depth: u32,
}

/// The rows of a comparison: the ones that differ first, each group in the order of the runs (the first run's
/// order, a span only in the second after the span that precedes it there).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    pub rows: Vec<Row>,
    /// How many rows lead with differences.
    pub differing: usize,
}

/// Aligns `left` with `right` and says what changed; `prices` estimate the cost of model calls that report none.
pub fn compare(left: Run<'_>, right: Run<'_>, prices: &PriceTable) -> Comparison {
    let mut keys = Keys::default();
    let left_keys = keys.of(left);
    let right_keys = keys.of(right);
    // Key → position in the first run's order; each position matched at most once.
    let mut at_key = vec![None; keys.ids.len()];
    for (position, &(_, key)) in left_keys.iter().enumerate().rev() {
        at_key[key] = Some(position);
    }
    let mut matched = vec![None; left_keys.len()];
    // Spans only in the second run, after the position of the last match before them (0: before any).
    let mut after = vec![Vec::new(); left_keys.len() + 1];
    let mut last = 0;
    for &(node, key) in &right_keys {
        match at_key[key].take() {
            Some(position) => {
                matched[position] = Some(node);
                last = position + 1;
            }
            None => after[last].push(node),
        }
    }
    let only_right = |node| {
        let changes = Changes { only_right: true, ..Changes::default() };
        row(right, node, None, Some(side(right, node, prices)), changes)
    };
    let mut rows: Vec<Row> = after[0].iter().map(|&node| only_right(node)).collect();
    for (position, &(l, _)) in left_keys.iter().enumerate() {
        let left_side = side(left, l, prices);
        rows.push(match matched[position] {
            Some(r) => {
                let right_side = side(right, r, prices);
                let changes = changes(&left.spans[l], &right.spans[r], &left_side, &right_side);
                row(left, l, Some(left_side), Some(right_side), changes)
            }
            None => row(left, l, Some(left_side), None, Changes { only_left: true, ..Changes::default() }),
        });
        rows.extend(after[position + 1].iter().map(|&node| only_right(node)));
    }
    let (mut differ, same): (Vec<Row>, Vec<Row>) = rows.into_iter().partition(|row| row.changes.any());
    let differing = differ.len();
    differ.extend(same);
    Comparison { rows: differ, differing }
}

fn row(run: Run<'_>, node: usize, left: Option<Side>, right: Option<Side>, changes: Changes) -> Row {
    let span = &run.spans[node];
    Row {
        left,
        right,
        changes,
        name: span.name.clone(),
        kind: span_kind(span),
        depth: run.tree.nodes.get(node).map_or(0, |n| n.depth),
    }
}

fn side(run: Run<'_>, node: usize, prices: &PriceTable) -> Side {
    let span = &run.spans[node];
    Side {
        node,
        status: span.status.code,
        duration_ms: duration_ms(span),
        tokens: span_tokens(span),
        cost: span_cost(span, prices),
    }
}

/// As sent, else measured; `None` while open.
fn duration_ms(span: &Span) -> Option<f64> {
    span.end_time?;
    span.duration_ms.or_else(|| span.measured_duration_ms())
}

fn changes(left: &Span, right: &Span, l: &Side, r: &Side) -> Changes {
    let tokens = |side: &Side| side.tokens.unwrap_or_default();
    let (lt, rt) = (tokens(l), tokens(r));
    Changes {
        status: l.status != r.status,
        duration: match (l.duration_ms, r.duration_ms) {
            (Some(a), Some(b)) => {
                let moved = (a - b).abs();
                moved >= DURATION_MIN_CHANGE_MS && moved >= DURATION_MIN_CHANGE_SHARE * a.max(b)
            }
            (a, b) => a.is_some() != b.is_some(),
        },
        tokens: (lt.input, lt.output, lt.total) != (rt.input, rt.output, rt.total),
        prompt: input_text(left) != input_text(right),
        output: output_text(left) != output_text(right),
        ..Changes::default()
    }
}

/// A model call's prompt, else the span's input, as text.
pub fn input_text(span: &Span) -> Option<String> {
    prompt(span).map(|t| t.text).or_else(|| Some(node_io(span)?.input?.value.render()))
}

/// A model call's response, else the span's output, as text.
pub fn output_text(span: &Span) -> Option<String> {
    response(span).map(|t| t.text).or_else(|| Some(node_io(span)?.output?.value.render()))
}

/// Alignment keys, shared by both runs: a key is a number standing for "parent's key, then what the span is".
#[derive(Default)]
struct Keys {
    ids: HashMap<String, usize>,
}

impl Keys {
    fn intern(&mut self, key: String) -> usize {
        bump(&mut self.ids, key, false)
    }

    /// Each span of the run (kept in its tree) with its key, depth first.
    fn of(&mut self, run: Run<'_>) -> Vec<(usize, usize)> {
        let order = run.tree.depth_first();
        let mut key = vec![0_u32; run.spans.len()];
        // How many spans so far had the same parent key and local part (or node id): ordinals for spans that
        // repeat, and attempts for nodes that do not say theirs.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::with_capacity(order.len());
        for node in order {
            let span = &run.spans[node];
            let parent = run.tree.nodes[node].parent;
            let node_id = str_attr(&span.attributes, NODE_ID);
            let parent_node_id = parent.and_then(|p| str_attr(&run.spans[p].attributes, NODE_ID));
            // A node's span stands alone ("n"), any other span is under its parent's key ("s" for roots).
            let local = match node_id.filter(|id| Some(*id) != parent_node_id) {
                Some(id) => {
                    let count = bump(&mut seen, format!("n{id}"), true);
                    let attempt = span.attributes.get(NODE_ATTEMPT).and_then(attempt).unwrap_or(count as u64);
                    format!("n{id}\u{0}{attempt}")
                }
                None => {
                    let scope = parent.map_or(u32::MAX, |p| key[p]);
                    let base = format!("{scope}\u{0}{}\u{0}{}", span_kind(span).as_str(), span.name);
                    let count = bump(&mut seen, base.clone(), true);
                    format!("{base}\u{0}{count}")
                }
            };
            let id = self.intern(local);
            key[node] = u32::try_from(id).unwrap_or(u32::MAX - 1);
            out.push((node, id));
        }
        out
    }
}

/// Counts one more of `key` and returns the count, from 1; or, not `counting`, the number `key` got when first
/// seen (the map's size then). Lookups and inserts rather than the entry API: the view's wasm has these already.
fn bump(map: &mut HashMap<String, usize>, key: String, counting: bool) -> usize {
    match map.get_mut(key.as_str()) {
        Some(value) if counting => {
            *value += 1;
            *value
        }
        Some(value) => *value,
        None => {
            let value = if counting { 1 } else { map.len() };
            map.insert(key, value);
            value
        }
    }
}

/// An attempt number, as a JSON number or a numeric string.
fn attempt(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
