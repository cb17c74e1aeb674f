//! Attribute conventions: the names our instrumentation writes, the conventions other senders use (Orcheo's
//! Python engine, OpenInference, the OpenTelemetry GenAI conventions), and the rules that read them back.
//!
//! - [`names`]: every attribute, event and resource name read or written.
//! - [`derive()`]: one span read whole (kind, tokens, cost, duration, model, prompt/response, artifacts);
//!   [`fill_derived`]: the part of it the wire span carries, applied where spans enter.
//! - [`classify`], [`classify_span`]: the kind; [`token_usage`], [`token_details`], [`cost`]: usage; [`model_names`]: models.
//! - [`thread_id`]: the conversation thread a run belongs to.
//! - [`prompt`], [`response`]: a model call's conversation ([`Turn`], [`Role`], [`Part`]) and text; [`artifact_ids`]: the artifacts a span names.

mod artifacts;
mod conversation;
mod derived;
mod kind;
mod messages;
mod model;
pub mod names;
mod python_repr;
mod thread;
mod tokens;

use serde_json::Value;

use crate::wire::Attributes;

pub use artifacts::artifact_ids;
pub use conversation::{Part, Role, Turn};
pub use derived::{Derived, derive, fill_derived, span_kind, span_tokens};
pub use kind::{classify, classify_span};
pub use messages::{ModelText, prompt, response, value_text};
pub use model::{ModelNames, model, model_names};
pub use names::*;
pub use thread::{THREAD_ID_NAMES, thread_id};
pub use tokens::{Cost, TokenDetails, cost, token_details, token_usage};

/// The workspace a span names: `orcheo.workspace.id`, else Orcheo's `orcheo.workspace`.
pub fn workspace(attributes: &Attributes) -> Option<&str> {
    str_attr(attributes, WORKSPACE_ID).or_else(|| str_attr(attributes, WORKSPACE)).filter(|w| !w.is_empty())
}

/// Whether an event says the run was cancelled (`orcheo.cancelled`, the Python engine's `workflow.cancelled`, …).
pub fn is_cancellation(event_name: &str) -> bool {
    event_name.to_ascii_lowercase().contains("cancel")
}

pub fn str_attr<'a>(attributes: &'a Attributes, key: &str) -> Option<&'a str> {
    attributes.get(key).and_then(Value::as_str)
}

/// A count stored as a JSON number or a numeric string; negative and fractional values are not counts.
/// A JSON object from its entries, inserted one by one: `collect` would sort them first, and every call site would
/// bring its own copy of the sort into the view's wasm (docs/benchmarks.md, "Bundle size").
pub(crate) fn object(entries: impl IntoIterator<Item = (String, Value)>) -> Value {
    let mut map = serde_json::Map::new();
    for (key, value) in entries {
        map.insert(key, value);
    }
    Value::Object(map)
}

fn as_count(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn attrs(pairs: &[(&str, Value)]) -> Attributes {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }
}
