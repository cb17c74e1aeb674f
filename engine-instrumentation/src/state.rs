//! A node's input and output state, bounded the way Orcheo bounds its state snapshots before they go on a span:
//! at most [`MAX_DEPTH`] levels, [`MAX_ITEMS`] entries per object or list and [`MAX_STRING_CHARS`] characters per
//! string, each cut marked in place (docs/configuration.md, "Node input and output"). Redaction and the payload
//! budget come later, in the export stage, like for every other value.

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

/// Copies `state` within the bounds.
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
        Value::String(text) => match text.char_indices().nth(MAX_STRING_CHARS) {
            Some((cut, _)) => {
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
