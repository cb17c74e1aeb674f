//! A JSON value as a tree of disclosure buttons (WAI-ARIA disclosure pattern: native buttons, so Enter and Space
//! open and close them): the top level open, deeper objects and arrays closed.

use dioxus::prelude::*;
use serde_json::Value;

#[component]
pub fn JsonTree(value: Value, label: String) -> Element {
    rsx! {
        ul { class: "json-tree", "data-testid": "json-tree", aria_label: "{label}",
            JsonEntry { name: None, value, depth: 0 }
        }
    }
}

#[component]
fn JsonEntry(name: Option<String>, value: Value, depth: usize) -> Element {
    let mut open = use_signal(|| depth == 0);
    let key = name.as_ref().map(|n| format!("{n}: "));
    let children: Vec<(String, Value)> = match &value {
        Value::Object(fields) => fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect(),
        _ => Vec::new(),
    };
    let summary = match &value {
        Value::Object(fields) => format!("{{…}} {} {}", fields.len(), if fields.len() == 1 { "key" } else { "keys" }),
        Value::Array(items) => format!("[…] {} {}", items.len(), if items.len() == 1 { "item" } else { "items" }),
        _ => String::new(),
    };
    if children.is_empty() {
        let (class, shown) = scalar(&value);
        return rsx! {
            li { class: "json-leaf",
                if let Some(key) = key { span { class: "json-key", "{key}" } }
                span { class: "{class}", "{shown}" }
            }
        };
    }
    let is_open = *open.read();
    rsx! {
        li {
            button {
                r#type: "button",
                class: "json-toggle",
                aria_expanded: if is_open { "true" } else { "false" },
                "data-testid": "json-toggle",
                onclick: move |_| open.toggle(),
                span { class: "json-caret", aria_hidden: "true", if is_open { "▾" } else { "▸" } }
                if let Some(key) = key { span { class: "json-key", "{key}" } }
                span { class: "muted", "{summary}" }
            }
            if is_open {
                ul {
                    for (name, child) in children {
                        JsonEntry { key: "{name}", name: Some(name.clone()), value: child, depth: depth + 1 }
                    }
                }
            }
        }
    }
}

/// A scalar as JSON shows it (strings quoted), with its class.
fn scalar(value: &Value) -> (&'static str, String) {
    match value {
        Value::String(_) => ("json-string", value.to_string()),
        Value::Number(n) => ("json-number", n.to_string()),
        Value::Bool(b) => ("json-bool", b.to_string()),
        Value::Null => ("json-null", "null".to_owned()),
        Value::Object(_) => ("json-empty", "{}".to_owned()),
        Value::Array(_) => ("json-empty", "[]".to_owned()),
    }
}
