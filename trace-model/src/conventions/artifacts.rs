//! The artifacts a span names.

use serde_json::Value;

use crate::wire::Attributes;

use super::names::*;

/// The ids in `orcheo.artifact.id` and `orcheo.artifact.ids` (a list, or comma-separated text), each once, in
/// order.
pub fn artifact_ids(attributes: &Attributes) -> Vec<&str> {
    let single = attributes.get(ARTIFACT_ID).and_then(Value::as_str).into_iter();
    let listed: Vec<&str> = match attributes.get(ARTIFACT_IDS) {
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(text)) => text.split(',').collect(),
        _ => Vec::new(),
    };
    let mut ids: Vec<&str> = Vec::new();
    for id in single.chain(listed).map(str::trim) {
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::tests::attrs;
    use serde_json::json;

    #[test]
    fn ids_from_either_attribute_once_each() {
        let a = attrs(&[(ARTIFACT_ID, json!("a")), (ARTIFACT_IDS, json!(["b", "a", " c "]))]);
        assert_eq!(artifact_ids(&a), ["a", "b", "c"]);
        assert_eq!(artifact_ids(&attrs(&[(ARTIFACT_IDS, json!("x, y,,"))])), ["x", "y"]);
        assert!(artifact_ids(&Attributes::new()).is_empty());
    }
}
