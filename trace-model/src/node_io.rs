//! A node's input and output, whatever sent the span: OpenInference's `input.value` / `output.value` (JSON or
//! text by their mime type; our instrumentation writes them too), else Orcheo's `orcheo.workflow.state.before` /
//! `.after`; and the changes between them (docs/trace-view.md, "Node input and output").

use serde_json::Value;

use crate::conventions::names::*;
use crate::conventions::str_attr;
use crate::facts::pretty;
use crate::wire::{Attributes, Span};

/// A recorded value: JSON, or text when the sender said so (or it does not parse).
#[derive(Clone, Debug, PartialEq)]
pub enum IoValue {
    Json(Value),
    Text(String),
}

impl IoValue {
    /// The value as it is shown and copied: JSON pretty-printed, text as is.
    pub fn render(&self) -> String {
        match self {
            Self::Json(value) => pretty(value),
            Self::Text(text) => text.clone(),
        }
    }
}

/// One side (input or output) and what was cut from it before it was stored.
#[derive(Clone, Debug, PartialEq)]
pub struct IoSide {
    pub value: IoValue,
    /// The sender bounded it (depth, items, string length) and marked the cuts inside the value.
    pub bounded: bool,
    /// The payload budget cut it; the rest is text ending with the truncation mark.
    pub cut: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeIo {
    pub input: Option<IoSide>,
    pub output: Option<IoSide>,
}

impl NodeIo {
    /// The changes from input to output, when both sides are there.
    pub fn changes(&self) -> Option<Vec<Change>> {
        Some(diff(&self.input.as_ref()?.value, &self.output.as_ref()?.value))
    }
}

struct Names {
    value: &'static str,
    mime_type: &'static str,
    bounded: &'static str,
    orcheo_state: &'static str,
}

const INPUT: Names = Names {
    value: INPUT_VALUE,
    mime_type: INPUT_MIME_TYPE,
    bounded: NODE_INPUT_TRUNCATED,
    orcheo_state: WORKFLOW_STATE_BEFORE,
};
const OUTPUT: Names = Names {
    value: OUTPUT_VALUE,
    mime_type: OUTPUT_MIME_TYPE,
    bounded: NODE_OUTPUT_TRUNCATED,
    orcheo_state: WORKFLOW_STATE_AFTER,
};
/// The attribute that lists the values the payload budget cut, and Orcheo's flag for a bounded state.
const BUDGET_CUT: &str = "orcheo.truncated.attributes";
const ORCHEO_STATE_TRUNCATED: &str = "orcheo.workflow.state.truncated";

/// The span's input and output; `None` when it carries neither.
pub fn node_io(span: &Span) -> Option<NodeIo> {
    let io = NodeIo { input: side(&span.attributes, &INPUT), output: side(&span.attributes, &OUTPUT) };
    (io.input.is_some() || io.output.is_some()).then_some(io)
}

fn side(attributes: &Attributes, names: &Names) -> Option<IoSide> {
    if let Some(raw) = attributes.get(names.value) {
        let value = read_value(raw, str_attr(attributes, names.mime_type));
        let cut = attributes.get(BUDGET_CUT).is_some_and(|listed| lists(listed, names.value));
        return Some(IoSide { value, bounded: is_true(attributes.get(names.bounded)), cut });
    }
    let state = attributes.get(names.orcheo_state)?;
    Some(IoSide {
        value: IoValue::Json(state.clone()),
        bounded: is_true(attributes.get(ORCHEO_STATE_TRUNCATED)),
        cut: false,
    })
}

/// Text is JSON when its mime type says so; without a mime type, an object or a list that parses is taken as JSON
/// (several senders leave the type out). Structured attribute values are JSON as they are.
fn read_value(raw: &Value, mime_type: Option<&str>) -> IoValue {
    let Value::String(text) = raw else { return IoValue::Json(raw.clone()) };
    let parse = match mime_type {
        Some(mime) => mime.contains("json"),
        None => matches!(text.trim_start().chars().next(), Some('{' | '[')),
    };
    if parse && let Ok(value) = serde_json::from_str::<Value>(text) {
        return IoValue::Json(value);
    }
    IoValue::Text(text.clone())
}

fn is_true(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(flag)) => flag == "true",
        _ => false,
    }
}

fn lists(listed: &Value, key: &str) -> bool {
    match listed {
        Value::Array(items) => items.iter().any(|item| item.as_str() == Some(key)),
        Value::String(text) => text.split(',').any(|item| item.trim() == key),
        _ => false,
    }
}

/// One difference between input and output, at a path into the value (`""` is the whole value).
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub path: String,
    /// Absent when the key was added.
    pub before: Option<IoValue>,
    /// Absent when the key was removed.
    pub after: Option<IoValue>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Changed => "changed",
        }
    }
}

impl Change {
    pub fn kind(&self) -> ChangeKind {
        match (&self.before, &self.after) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            _ => ChangeKind::Changed,
        }
    }
}

/// The changes from `before` to `after`: for objects, the keys added, removed and changed, nested objects compared
/// key by key (paths like `results.fetch`); any other value (lists, text, numbers) changes as a whole.
pub fn diff(before: &IoValue, after: &IoValue) -> Vec<Change> {
    let mut changes = Vec::new();
    match (before, after) {
        (IoValue::Json(before), IoValue::Json(after)) => diff_json("", before, after, &mut changes),
        _ if before == after => {}
        _ => changes.push(Change { path: String::new(), before: Some(before.clone()), after: Some(after.clone()) }),
    }
    changes
}

fn diff_json(path: &str, before: &Value, after: &Value, changes: &mut Vec<Change>) {
    match (before, after) {
        (Value::Object(old), Value::Object(new)) => {
            for (key, old_value) in old {
                let at = join(path, key);
                match new.get(key) {
                    Some(new_value) => diff_json(&at, old_value, new_value, changes),
                    None => changes.push(Change { path: at, before: Some(json(old_value)), after: None }),
                }
            }
            for (key, new_value) in new.iter().filter(|(key, _)| !old.contains_key(key.as_str())) {
                changes.push(Change { path: join(path, key), before: None, after: Some(json(new_value)) });
            }
        }
        _ if before == after => {}
        _ => changes.push(Change { path: path.to_owned(), before: Some(json(before)), after: Some(json(after)) }),
    }
}

fn json(value: &Value) -> IoValue {
    IoValue::Json(value.clone())
}

/// `parent.key`, or `parent["key"]` when the key itself holds a separator (or is empty).
fn join(parent: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[\"{}\"]", key.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

/// The keys that move between tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabKey {
    Left,
    Right,
    Home,
    End,
}

/// The tab a key moves to among `count` tabs (the WAI-ARIA tabs pattern: arrows wrap, Home and End jump).
pub fn tab_after_key(key: TabKey, current: usize, count: usize) -> Option<usize> {
    if count == 0 {
        return None;
    }
    Some(match key {
        TabKey::Right => (current + 1) % count,
        TabKey::Left => (current + count - 1) % count,
        TabKey::Home => 0,
        TabKey::End => count - 1,
    })
}

#[cfg(test)]
mod tests;
