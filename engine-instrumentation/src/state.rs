//! A node's input and output state, bounded the way Orcheo bounds its state snapshots before they go on a span:
//! at most [`MAX_DEPTH`] levels, [`MAX_ITEMS`] entries per object or list and [`MAX_STRING_CHARS`] characters per
//! string, each cut marked in place (docs/configuration.md, "Node input and output"). Redaction and the payload
//! budget come later, in the export stage, like for every other value.

use std::cell::Cell;
use std::fmt;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Value};

use crate::attrs;

pub const MAX_DEPTH: usize = 6;
pub const MAX_ITEMS: usize = 64;
pub const MAX_STRING_CHARS: usize = 2048;

/// A bounded copy of a state and whether anything was cut.
#[derive(Debug, Clone, PartialEq)]
pub struct Bounded {
    pub value: Value,
    pub truncated: bool,
}

/// `state` within the bounds as JSON text, and whether anything was cut: the same JSON value as [`bound`]'s copy
/// (a cut object's count entry comes last), written in one pass. The tracer uses this on the engine's thread, where
/// building the copy first (an allocation per key and per value) was most of a node's cost (docs/benchmarks.md).
pub fn to_bounded_json(state: &Value) -> (String, bool) {
    let truncated = Cell::new(false);
    let text = serde_json::to_string(&Within { value: state, depth: 0, truncated: &truncated })
        // Writing a `Value` into a String cannot fail.
        .unwrap_or_default();
    (text, truncated.get())
}

/// A value serialized within the bounds, noting any cut in `truncated`.
struct Within<'a> {
    value: &'a Value,
    depth: usize,
    truncated: &'a Cell<bool>,
}

impl Within<'_> {
    fn child<'b>(&'b self, value: &'b Value) -> Within<'b> {
        Within { value, depth: self.depth + 1, truncated: self.truncated }
    }
}

impl Serialize for Within<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Object(_) | Value::Array(_) if self.depth >= MAX_DEPTH => {
                self.truncated.set(true);
                serializer.serialize_str(attrs::STATE_CUT)
            }
            Value::Object(map) => {
                let more = map.len().saturating_sub(MAX_ITEMS);
                let mut out = serializer.serialize_map(Some(map.len().min(MAX_ITEMS) + usize::from(more > 0)))?;
                for (key, item) in map.iter().take(MAX_ITEMS) {
                    out.serialize_entry(key, &self.child(item))?;
                }
                if more > 0 {
                    self.truncated.set(true);
                    out.serialize_entry(attrs::STATE_CUT_ITEMS_KEY, &more)?;
                }
                out.end()
            }
            Value::Array(items) => {
                let more = items.len().saturating_sub(MAX_ITEMS);
                let mut out = serializer.serialize_seq(Some(items.len().min(MAX_ITEMS) + usize::from(more > 0)))?;
                for item in items.iter().take(MAX_ITEMS) {
                    out.serialize_element(&self.child(item))?;
                }
                if more > 0 {
                    self.truncated.set(true);
                    out.serialize_element(&Joined(attrs::STATE_MORE_ITEMS, &more))?;
                }
                out.end()
            }
            Value::String(text) => match string_cut(text) {
                Some(cut) => {
                    self.truncated.set(true);
                    serializer.collect_str(&Joined(&text[..cut], &attrs::TRUNCATION_MARK))
                }
                None => serializer.serialize_str(text),
            },
            Value::Null | Value::Bool(_) | Value::Number(_) => self.value.serialize(serializer),
        }
    }
}

/// Two parts written as one string, without joining them first.
struct Joined<'a, T>(&'a str, &'a T);

impl<T: fmt::Display> fmt::Display for Joined<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0, self.1)
    }
}

impl<T: fmt::Display> Serialize for Joined<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Where a string past [`MAX_STRING_CHARS`] characters is cut. A string has no more characters than bytes, so most
/// are not counted at all.
fn string_cut(text: &str) -> Option<usize> {
    if text.len() <= MAX_STRING_CHARS {
        return None;
    }
    text.char_indices().nth(MAX_STRING_CHARS).map(|(cut, _)| cut)
}

/// Copies `state` within the bounds: the plain form of [`to_bounded_json`], which its test is checked against.
pub fn bound(state: &Value) -> Bounded {
    let mut truncated = false;
    let value = copy(state, 0, &mut truncated);
    Bounded { value, truncated }
}

fn copy(value: &Value, depth: usize, truncated: &mut bool) -> Value {
    match value {
        Value::Object(_) | Value::Array(_) if depth >= MAX_DEPTH => {
            *truncated = true;
            Value::from(attrs::STATE_CUT)
        }
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, item) in map.iter().take(MAX_ITEMS) {
                out.insert(key.clone(), copy(item, depth + 1, truncated));
            }
            if map.len() > MAX_ITEMS {
                *truncated = true;
                out.insert(attrs::STATE_CUT_ITEMS_KEY.to_owned(), Value::from(map.len() - MAX_ITEMS));
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out: Vec<Value> =
                items.iter().take(MAX_ITEMS).map(|item| copy(item, depth + 1, truncated)).collect();
            if items.len() > MAX_ITEMS {
                *truncated = true;
                out.push(Value::from(format!("{}{}", attrs::STATE_MORE_ITEMS, items.len() - MAX_ITEMS)));
            }
            Value::Array(out)
        }
        Value::String(text) => match string_cut(text) {
            Some(cut) => {
                *truncated = true;
                Value::from(format!("{}{}", &text[..cut], attrs::TRUNCATION_MARK))
            }
            None => value.clone(),
        },
        Value::Null | Value::Bool(_) | Value::Number(_) => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// `levels` nested objects around a leaf.
    fn nested(levels: usize) -> Value {
        (0..levels).fold(json!("leaf"), |inner, _| json!({ "next": inner }))
    }

    #[test]
    fn a_small_state_is_copied_as_is() {
        let state = json!({"query": "why", "results": {"fetch": [1, 2, 3]}, "done": false, "n": null});
        assert_eq!(bound(&state), Bounded { value: state.clone(), truncated: false });
    }

    #[test]
    fn nesting_past_the_depth_is_replaced_by_the_mark() {
        // Six levels of objects hold the leaf at depth 6: a string, kept.
        assert_eq!(bound(&nested(MAX_DEPTH)), Bounded { value: nested(MAX_DEPTH), truncated: false });
        let deep = bound(&nested(MAX_DEPTH + 1));
        assert!(deep.truncated);
        let mut at = &deep.value;
        for _ in 0..MAX_DEPTH {
            at = &at["next"];
        }
        assert_eq!(at, &json!(attrs::STATE_CUT));
    }

    #[test]
    fn containers_keep_their_first_items_and_count_the_rest() {
        let list: Vec<u32> = (0..100).collect();
        let object: Map<String, Value> = (0..70).map(|i| (format!("k{i:03}"), json!(i))).collect();
        let bounded = bound(&json!({"list": list, "object": object}));
        assert!(bounded.truncated);
        let list = bounded.value["list"].as_array().cloned().unwrap_or_default();
        assert_eq!(list.len(), MAX_ITEMS + 1);
        assert_eq!(list[63], json!(63));
        assert_eq!(list[64], json!(format!("{}36", attrs::STATE_MORE_ITEMS)));
        let object = bounded.value["object"].as_object().cloned().unwrap_or_default();
        assert_eq!(object.len(), MAX_ITEMS + 1);
        assert_eq!(object[attrs::STATE_CUT_ITEMS_KEY], json!(6));
        assert!(object.contains_key("k063") && !object.contains_key("k064"));
    }

    /// The one-pass text is the plain copy's value, cut for cut, on states inside and past every bound.
    #[test]
    fn the_one_pass_text_is_the_bounded_copy() -> serde_json::Result<()> {
        let wide: Map<String, Value> = (0..70).map(|i| (format!("k{i:03}"), json!(i))).collect();
        let states = [
            json!({"query": "why", "results": {"fetch": [1, 2, 3]}, "done": false, "n": null, "x": 1.5}),
            nested(MAX_DEPTH),
            nested(MAX_DEPTH + 3),
            json!({"list": (0..100).collect::<Vec<u32>>(), "object": wide, "deep": [[[[[[[1]]]]]]]}),
            json!({"text": "é\"\n".repeat(MAX_STRING_CHARS), "exact": "x".repeat(MAX_STRING_CHARS)}),
            json!([{"__truncated_items__": "a key like the mark", "a": 1}]),
            json!({"wide": (0..70).map(|i| (format!("k{i:03}"), json!(i))).chain([("__truncated_items__".to_owned(), json!("own"))]).collect::<Map<String, Value>>()}),
            json!("plain"),
            json!([]),
        ];
        for state in states {
            let plain = bound(&state);
            let (text, truncated) = to_bounded_json(&state);
            let value: Value = serde_json::from_str(&text)?;
            assert_eq!((value, truncated), (plain.value, plain.truncated), "{state}");
        }
        Ok(())
    }

    #[test]
    fn long_strings_are_cut_on_a_character_boundary_and_marked() {
        let text = "é".repeat(MAX_STRING_CHARS + 10);
        let bounded = bound(&json!({ "text": text }));
        assert!(bounded.truncated);
        let kept = bounded.value["text"].as_str().unwrap_or_default();
        assert_eq!(kept, format!("{}{}", "é".repeat(MAX_STRING_CHARS), attrs::TRUNCATION_MARK));
        let exact = json!("x".repeat(MAX_STRING_CHARS));
        assert!(!bound(&exact).truncated);
    }
}
