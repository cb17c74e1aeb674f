//! The per-execution payload budget: bulk values (prompts, messages, stack traces, bodies) of one execution's spans
//! add up to at most the budget. Past it, a span's largest values are cut first, marked and counted — the span
//! itself is always kept.
//!
//! Only string values longer than [`SHORT_VALUE`] bytes count and can be cut: ids, names and enums are never
//! touched, so a very large workflow can pass the budget by its small values alone, but never by its bulk.

use std::collections::HashMap;

use opentelemetry::trace::SpanId;
use opentelemetry::{KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;

use crate::attrs;

/// Default budget: 1 MB of bulk payload per execution.
pub const DEFAULT_EXECUTION_BUDGET: usize = 1_000_000;
/// Values up to this many bytes are neither counted nor cut.
pub const SHORT_VALUE: usize = 64;
/// Executions tracked at once; beyond, the oldest bookkeeping is forgotten (spans of a trace without a root).
const MAX_TRACKED: usize = 10_000;

/// What the budget did to one span.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    pub values: usize,
    pub bytes: usize,
}

#[derive(Debug)]
pub struct PayloadBudget {
    limit: usize,
    used: HashMap<String, usize>,
}

/// Where a bulk value sits in a span: in its attributes, or in one of its events.
#[derive(Clone, Copy)]
enum Slot {
    Span(usize),
    Event(usize, usize),
}

impl PayloadBudget {
    pub fn new(limit: usize) -> Self {
        Self { limit, used: HashMap::new() }
    }

    /// Charges `span` to its execution and cuts its largest values if it does not fit.
    pub fn apply(&mut self, span: &mut SpanData) -> Cut {
        let execution = execution_key(span);
        let is_root = span.parent_span_id == SpanId::INVALID;
        let mut slots = bulk_slots(span);
        let bulk: usize = slots.iter().map(|(_, len)| len).sum();
        let used = self.used.get(&execution).copied().unwrap_or(0);
        let room = self.limit.saturating_sub(used);
        let mut cut = Cut::default();
        let mut names = Vec::new();
        if bulk > room {
            let mut excess = bulk - room;
            // Largest first: the fewest values lose the most.
            slots.sort_by_key(|slot| std::cmp::Reverse(slot.1));
            for (slot, len) in slots {
                if excess == 0 {
                    break;
                }
                let keep = len.saturating_sub(excess).max(SHORT_VALUE);
                let removed = len - keep;
                if removed == 0 {
                    continue;
                }
                if let Some(name) = truncate(span, slot, keep) {
                    if let Slot::Span(_) = slot {
                        no_longer_json(span, &name);
                    }
                    names.push(StringValue::from(name));
                }
                excess = excess.saturating_sub(removed);
                cut.values += 1;
                cut.bytes += removed;
            }
        }
        if cut.values > 0 {
            span.attributes.push(KeyValue::new(attrs::TRUNCATED, true));
            span.attributes.push(KeyValue::new(attrs::TRUNCATED_ATTRIBUTES, Value::Array(names.into())));
            span.attributes.push(KeyValue::new(attrs::TRUNCATED_BYTES, i64::try_from(cut.bytes).unwrap_or(i64::MAX)));
        }
        if is_root {
            // The root ends last: the execution is complete, its bookkeeping can go.
            self.used.remove(&execution);
        } else {
            if self.used.len() >= MAX_TRACKED && !self.used.contains_key(&execution) {
                self.used.clear();
            }
            *self.used.entry(execution).or_default() = used + bulk - cut.bytes;
        }
        cut
    }
}

fn execution_key(span: &SpanData) -> String {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == attrs::EXECUTION_ID)
        .map_or_else(|| span.span_context.trace_id().to_string(), |kv| kv.value.as_str().into_owned())
}

fn bulk_len(value: &Value) -> Option<usize> {
    match value {
        Value::String(s) if s.as_str().len() > SHORT_VALUE => Some(s.as_str().len()),
        _ => None,
    }
}

fn bulk_slots(span: &SpanData) -> Vec<(Slot, usize)> {
    let mut slots: Vec<(Slot, usize)> = span
        .attributes
        .iter()
        .enumerate()
        .filter_map(|(i, kv)| bulk_len(&kv.value).map(|len| (Slot::Span(i), len)))
        .collect();
    for (e, event) in span.events.events.iter().enumerate() {
        slots.extend(
            event
                .attributes
                .iter()
                .enumerate()
                .filter_map(|(i, kv)| bulk_len(&kv.value).map(|l| (Slot::Event(e, i), l))),
        );
    }
    slots
}

/// A cut JSON state is JSON no more: its mime type says text, so that readers show it as the text it is.
fn no_longer_json(span: &mut SpanData, key: &str) {
    let mime = match key {
        attrs::INPUT_VALUE => attrs::INPUT_MIME_TYPE,
        attrs::OUTPUT_VALUE => attrs::OUTPUT_MIME_TYPE,
        _ => return,
    };
    if let Some(kv) = span.attributes.iter_mut().find(|kv| kv.key.as_str() == mime) {
        kv.value = Value::from("text/plain");
    }
}

/// Cuts the value at `slot` to at most `keep` bytes (on a char boundary) plus the mark; returns its key.
fn truncate(span: &mut SpanData, slot: Slot, keep: usize) -> Option<String> {
    let kv = match slot {
        Slot::Span(i) => span.attributes.get_mut(i)?,
        Slot::Event(e, i) => span.events.events.get_mut(e)?.attributes.get_mut(i)?,
    };
    let Value::String(text) = &kv.value else { return None };
    let text = text.as_str();
    let mut end = keep.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    kv.value = Value::from(format!("{}{}", &text[..end], attrs::TRUNCATION_MARK));
    Some(kv.key.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::span_data as span;

    fn text(span: &SpanData, key: &str) -> String {
        span.attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.as_str().into_owned())
            .unwrap_or_default()
    }

    #[test]
    fn largest_values_are_cut_first_and_marked() {
        let mut budget = PayloadBudget::new(1_000);
        let mut first = span(1, vec![KeyValue::new("a", "x".repeat(600))]);
        assert_eq!(budget.apply(&mut first), Cut::default());
        let mut second = span(1, vec![KeyValue::new("big", "y".repeat(900)), KeyValue::new("small", "z".repeat(100))]);
        let cut = budget.apply(&mut second);
        // 400 bytes of room for 1000 bytes of bulk: the big value alone gives up the 600.
        assert_eq!(cut, Cut { values: 1, bytes: 600 });
        assert!(
            text(&second, "big").starts_with(&"y".repeat(300))
                && text(&second, "big").ends_with(attrs::TRUNCATION_MARK)
        );
        assert_eq!(text(&second, "small"), "z".repeat(100));
        assert_eq!(text(&second, attrs::TRUNCATED), "true");
        assert_eq!(text(&second, attrs::TRUNCATED_BYTES), "600");
    }

    #[test]
    fn spans_past_an_exhausted_budget_are_kept_with_short_values() {
        let mut budget = PayloadBudget::new(100);
        let mut spans: Vec<SpanData> = (0..5).map(|_| span(1, vec![KeyValue::new("v", "q".repeat(500))])).collect();
        let cuts: Vec<Cut> = spans.iter_mut().map(|s| budget.apply(s)).collect();
        assert!(cuts.iter().all(|c| c.values == 1), "{cuts:?}");
        // The first span took the last 100 bytes of room; every later one keeps only a short head.
        assert!(spans.iter().skip(1).all(|s| text(s, "v").len() <= SHORT_VALUE + attrs::TRUNCATION_MARK.len()));
    }

    #[test]
    fn a_cut_json_state_is_marked_as_text() {
        let mut budget = PayloadBudget::new(100);
        let state = serde_json::json!({"notes": "n".repeat(400)}).to_string();
        let mut node = span(
            1,
            vec![
                KeyValue::new(attrs::INPUT_VALUE, state.clone()),
                KeyValue::new(attrs::INPUT_MIME_TYPE, attrs::JSON_MIME_TYPE),
                KeyValue::new(attrs::OUTPUT_VALUE, "{}"),
                KeyValue::new(attrs::OUTPUT_MIME_TYPE, attrs::JSON_MIME_TYPE),
            ],
        );
        let cut = budget.apply(&mut node);
        assert_eq!(cut.values, 1);
        let input = text(&node, attrs::INPUT_VALUE);
        assert!(input.len() < state.len() && input.ends_with(attrs::TRUNCATION_MARK), "{input}");
        assert_eq!(text(&node, attrs::INPUT_MIME_TYPE), "text/plain");
        // The short output was not cut and stays JSON.
        assert_eq!(text(&node, attrs::OUTPUT_MIME_TYPE), attrs::JSON_MIME_TYPE);
        assert_eq!(text(&node, attrs::TRUNCATED_ATTRIBUTES), format!("[\"{}\"]", attrs::INPUT_VALUE));
    }

    #[test]
    fn the_root_span_closes_the_execution() {
        let mut budget = PayloadBudget::new(100);
        budget.apply(&mut span(1, vec![KeyValue::new("v", "q".repeat(90))]));
        assert_eq!(budget.apply(&mut span(0, vec![])), Cut::default());
        assert!(budget.used.is_empty());
    }
}
