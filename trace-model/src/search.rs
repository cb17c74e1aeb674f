//! Search over span names and attribute values: case-insensitive substring matching, the ranges to highlight in a
//! name, and stepping through the matches.

use std::ops::Range;

use serde_json::Value;

use crate::case::{lowercase, push_lowercase};
use crate::wire::Span;

/// The query as matched: trimmed and lowercased. Empty means "no search".
pub fn normalize(query: &str) -> String {
    lowercase(query.trim())
}

/// Every span's searchable text, lowercased once so that each keystroke only scans.
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    haystacks: Vec<String>,
}

impl SearchIndex {
    pub fn build(spans: &[Span]) -> Self {
        Self { haystacks: spans.iter().map(haystack).collect() }
    }

    /// Whether span `node` contains the normalized `query` in its name or an attribute value.
    pub fn is_match(&self, node: usize, query: &str) -> bool {
        self.haystacks.get(node).is_some_and(|text| text.contains(query))
    }

    pub fn len(&self) -> usize {
        self.haystacks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.haystacks.is_empty()
    }
}

/// The name and the attribute values, one per line, so that a query never matches across two of them.
fn haystack(span: &Span) -> String {
    let mut text = lowercase(&span.name);
    for value in span.attributes.values() {
        text.push('\n');
        match value {
            Value::String(s) => text.push_str(&lowercase(s)),
            other => text.push_str(&lowercase(&other.to_string())),
        }
    }
    text
}

/// The byte ranges of `text` where the query occurs, case-insensitively, without overlaps.
pub fn highlight(text: &str, query: &str) -> Vec<Range<usize>> {
    let query = normalize(query);
    if query.is_empty() {
        return Vec::new();
    }
    // Lowercasing can change byte lengths: remember, for each lowercase byte, the original char it came from.
    let mut lower = String::with_capacity(text.len());
    let mut origin: Vec<(usize, usize)> = Vec::with_capacity(text.len());
    for (at, c) in text.char_indices() {
        let start = lower.len();
        push_lowercase(&mut lower, c);
        origin.extend(std::iter::repeat_n((at, at + c.len_utf8()), lower.len() - start));
    }
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(found) = lower[from..].find(&query) {
        let (start, end) = (from + found, from + found + query.len());
        ranges.push(origin[start].0..origin[end - 1].1);
        from = end;
    }
    ranges
}

/// The match to go to from match `current` (an index into the ordered matches), wrapping around at both ends.
/// With no current match, forward goes to the first and backward to the last.
pub fn step(count: usize, current: Option<usize>, forward: bool) -> Option<usize> {
    let last = count.checked_sub(1)?;
    Some(match (current, forward) {
        (None, true) => 0,
        (None, false) => last,
        (Some(at), true) if at >= last => 0,
        (Some(at), true) => at + 1,
        (Some(0), false) => last,
        (Some(at), false) => at.min(count) - 1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::tests::span;
    use serde_json::json;

    #[test]
    fn matches_names_and_attribute_values_case_insensitively() {
        let mut a = span("a", None, 0);
        a.name = "Fetch Report".to_owned();
        let mut b = span("b", None, 1);
        b.attributes.insert("http.url".to_owned(), json!("https://API.example.com/v1"));
        b.attributes.insert("retries".to_owned(), json!(42));
        let index = SearchIndex::build(&[a, b]);
        assert_eq!(index.len(), 2);
        let hits = |q: &str| (0..2).filter(|&n| index.is_match(n, &normalize(q))).collect::<Vec<_>>();
        assert_eq!(hits("fetch"), [0]);
        assert_eq!(hits("  REPORT "), [0]);
        assert_eq!(hits("api.example"), [1]);
        assert_eq!(hits("42"), [1]);
        assert_eq!(hits("span"), [1], "b keeps its default name 'span b'");
        assert!(hits("http.url").is_empty(), "keys are not searched, only values");
        assert!(!index.is_match(7, "a"));
    }

    #[test]
    fn highlight_finds_every_occurrence_in_original_byte_offsets() {
        assert_eq!(highlight("node Node nODE", "node"), [0..4, 5..9, 10..14]);
        assert_eq!(highlight("aaaa", "aa"), [0..2, 2..4]);
        assert!(highlight("abc", " ").is_empty());
        assert!(highlight("abc", "x").is_empty());
        // 'İ' lowercases to two chars; 'É' keeps its length but differs in bytes from 'é'.
        let text = "İstanbul CAFÉ";
        let ranges = highlight(text, "café");
        assert_eq!(ranges.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(), ["CAFÉ"]);
        let ranges = highlight(text, "stan");
        assert_eq!(ranges.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(), ["stan"]);
    }

    #[test]
    fn step_wraps_around_both_ways() {
        assert_eq!(step(0, None, true), None);
        assert_eq!(step(3, None, true), Some(0));
        assert_eq!(step(3, None, false), Some(2));
        assert_eq!(step(3, Some(0), true), Some(1));
        assert_eq!(step(3, Some(2), true), Some(0));
        assert_eq!(step(3, Some(0), false), Some(2));
        assert_eq!(step(3, Some(2), false), Some(1));
        // A stale index past the end (the matches shrank) stays in range.
        assert_eq!(step(2, Some(5), true), Some(0));
        assert_eq!(step(2, Some(5), false), Some(1));
    }
}
