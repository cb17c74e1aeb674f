//! A node's input, output and the changes between them, as tabs (the WAI-ARIA tabs pattern, activated on focus):
//! JSON as a tree of disclosure buttons, text as is, the changes as a table of path, before and after; each with a
//! copy button. What the sender or the payload budget cut is said under the value.

use std::rc::Rc;

use dioxus::prelude::*;
use serde_json::Value;
use trace_model::facts::pretty;
use trace_model::node_io::{Change, IoSide, IoValue, NodeIo, TabKey, tab_after_key};

use crate::browser::copy_text;

/// Containers open on first show down to this depth; deeper ones wait for a click.
const OPEN_DEPTH: usize = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    In,
    Out,
    Changes,
}

impl Tab {
    fn label(self) -> &'static str {
        match self {
            Self::In => "In",
            Self::Out => "Out",
            Self::Changes => "Changes",
        }
    }

    fn id(self) -> &'static str {
        match self {
            Self::In => "in",
            Self::Out => "out",
            Self::Changes => "changes",
        }
    }
}

#[component]
pub fn NodeIoPanel(io: NodeIo) -> Element {
    let mut tabs = Vec::with_capacity(3);
    if io.input.is_some() {
        tabs.push(Tab::In);
    }
    if io.output.is_some() {
        tabs.push(Tab::Out);
    }
    let changes = io.changes();
    if changes.is_some() {
        tabs.push(Tab::Changes);
    }
    let mut selected = use_signal(|| 0_usize);
    let mut mounted: Signal<Vec<Option<Rc<MountedData>>>> = use_signal(|| vec![None; 3]);
    let count = tabs.len();
    let current = (*selected.read()).min(count.saturating_sub(1));
    let Some(&shown) = tabs.get(current) else { return rsx! {} };
    rsx! {
        section { class: "node-io", "data-testid": "node-io",
            h3 { id: "node-io-title", "Input and output" }
            div { role: "tablist", class: "tabs", aria_labelledby: "node-io-title",
                for (index , tab) in tabs.iter().copied().enumerate() {
                    button {
                        key: "{tab.id()}",
                        r#type: "button",
                        role: "tab",
                        class: "tab",
                        id: "node-io-tab-{tab.id()}",
                        "data-testid": "node-io-tab-{tab.id()}",
                        aria_selected: if index == current { "true" } else { "false" },
                        aria_controls: "node-io-panel-{tab.id()}",
                        tabindex: if index == current { "0" } else { "-1" },
                        onmounted: move |event| mounted.with_mut(|m| m[index] = Some(event.data())),
                        onclick: move |_| selected.set(index),
                        onkeydown: move |event| {
                            let key = match event.key() {
                                Key::ArrowLeft => TabKey::Left,
                                Key::ArrowRight => TabKey::Right,
                                Key::Home => TabKey::Home,
                                Key::End => TabKey::End,
                                _ => return,
                            };
                            let Some(next) = tab_after_key(key, index, count) else { return };
                            event.prevent_default();
                            selected.set(next);
                            if let Some(Some(tab)) = mounted.peek().get(next).cloned() {
                                spawn(async move {
                                    // A tab that cannot take focus still got selected.
                                    let _ = tab.set_focus(true).await;
                                });
                            }
                        },
                        "{tab.label()}"
                    }
                }
            }
            div {
                key: "{shown.id()}",
                role: "tabpanel",
                class: "tab-panel",
                id: "node-io-panel-{shown.id()}",
                "data-testid": "node-io-panel-{shown.id()}",
                aria_labelledby: "node-io-tab-{shown.id()}",
                tabindex: "0",
                match shown {
                    Tab::In => side_panel(io.input.clone(), "input"),
                    Tab::Out => side_panel(io.output.clone(), "output"),
                    Tab::Changes => rsx! {
                        ChangeList { changes: changes.clone().unwrap_or_default() }
                    },
                }
            }
        }
    }
}

fn side_panel(side: Option<IoSide>, what: &'static str) -> Element {
    let Some(side) = side else { return rsx! {} };
    rsx! {
        CopyButton { label: "Copy {what}", text: side.value.render() }
        match &side.value {
            IoValue::Json(value) => json_tree(value, what),
            IoValue::Text(text) => rsx! {
                pre { class: "text-block", "data-testid": "node-io-text", "{text}" }
            },
        }
        if side.bounded {
            p { class: "muted", "data-testid": "node-io-bounded",
                "Bounded by the sender: deep, long or large parts are marked [TRUNCATED] or …[truncated]."
            }
        }
        if side.cut {
            p { class: "muted", "data-testid": "node-io-cut", "Cut by the execution's payload budget." }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Copied {
    Idle,
    Done,
    Failed(String),
}

#[component]
fn CopyButton(label: String, text: String) -> Element {
    let mut copied = use_signal(|| Copied::Idle);
    rsx! {
        div { class: "node-io-actions",
            button {
                r#type: "button",
                class: "secondary",
                aria_label: "{label}",
                "data-testid": "node-io-copy",
                onclick: move |_| {
                    let text = text.clone();
                    spawn(async move {
                        copied.set(match copy_text(&text).await {
                            Ok(()) => Copied::Done,
                            Err(reason) => Copied::Failed(reason),
                        });
                    });
                },
                "Copy"
            }
            match &*copied.read() {
                Copied::Idle => rsx! {},
                Copied::Done => rsx! {
                    span { class: "muted", role: "status", "data-testid": "node-io-copy-status", "Copied" }
                },
                Copied::Failed(reason) => rsx! {
                    span { class: "error-text", role: "alert", "data-testid": "node-io-copy-status", "Copy failed: {reason}" }
                },
            }
        }
    }
}

/// A JSON value as a tree: objects and lists are disclosure buttons over their entries.
fn json_tree(value: &Value, what: &str) -> Element {
    rsx! {
        ul { class: "json-tree", "data-testid": "json-tree", aria_label: "{what} JSON",
            match value {
                Value::Object(map) => rsx! {
                    for (key , item) in map.iter() {
                        JsonEntry { key: "{key}", name: key.clone(), value: item.clone(), depth: 0 }
                    }
                },
                Value::Array(items) => rsx! {
                    for (index , item) in items.iter().enumerate() {
                        JsonEntry { key: "{index}", name: index.to_string(), value: item.clone(), depth: 0 }
                    }
                },
                other => rsx! {
                    li { class: "json-entry",
                        span { class: "json-value json-{kind(other)}", {pretty(other)} }
                    }
                },
            }
        }
    }
}

#[component]
fn JsonEntry(name: String, value: Value, depth: usize) -> Element {
    let mut open = use_signal(|| depth < OPEN_DEPTH);
    let (size, brackets) = match &value {
        Value::Object(map) => (map.len(), ("{", "}")),
        Value::Array(items) => (items.len(), ("[", "]")),
        scalar => {
            return rsx! {
                li { class: "json-entry", "data-path-name": "{name}",
                    span { class: "json-key", "{name}: " }
                    span { class: "json-value json-{kind(scalar)}", {pretty(scalar)} }
                }
            };
        }
    };
    let unit = match (&value, size) {
        (Value::Object(_), 1) => "key",
        (Value::Object(_), _) => "keys",
        (_, 1) => "item",
        _ => "items",
    };
    let is_open = *open.read();
    rsx! {
        li { class: "json-entry", "data-path-name": "{name}",
            button {
                r#type: "button",
                class: "json-toggle",
                aria_expanded: if is_open { "true" } else { "false" },
                onclick: move |_| open.toggle(),
                span { class: "json-key", "{name}" }
                span { class: "muted", " {brackets.0}{size} {unit}{brackets.1}" }
            }
            if is_open {
                ul { class: "json-children",
                    match &value {
                        Value::Object(map) => rsx! {
                            for (key , item) in map.iter() {
                                JsonEntry { key: "{key}", name: key.clone(), value: item.clone(), depth: depth + 1 }
                            }
                        },
                        Value::Array(items) => rsx! {
                            for (index , item) in items.iter().enumerate() {
                                JsonEntry { key: "{index}", name: index.to_string(), value: item.clone(), depth: depth + 1 }
                            }
                        },
                        _ => rsx! {},
                    }
                }
            }
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        Value::Object(_) | Value::Array(_) => "container",
    }
}

/// The changes as JSON, for the copy button.
fn changes_json(changes: &[Change]) -> String {
    let json = |value: &Option<IoValue>| match value {
        Some(IoValue::Json(value)) => value.clone(),
        Some(IoValue::Text(text)) => Value::from(text.as_str()),
        None => Value::Null,
    };
    let list: Vec<Value> = changes
        .iter()
        .map(|c| {
            serde_json::json!({"path": c.path, "change": c.kind().label(), "before": json(&c.before), "after": json(&c.after)})
        })
        .collect();
    pretty(&Value::Array(list))
}

#[component]
fn ChangeList(changes: Vec<Change>) -> Element {
    if changes.is_empty() {
        return rsx! {
            p { class: "muted", "data-testid": "node-io-no-changes", "No changes: the output equals the input." }
        };
    }
    rsx! {
        CopyButton { label: "Copy changes", text: changes_json(&changes) }
        table { class: "attributes changes", "data-testid": "node-io-changes",
            thead {
                tr {
                    th { scope: "col", "Path" }
                    th { scope: "col", "Change" }
                    th { scope: "col", "Before" }
                    th { scope: "col", "After" }
                }
            }
            tbody {
                for change in changes.iter() {
                    tr { key: "{change.path}", class: "change change-{change.kind().label()}",
                        th { scope: "row", class: "mono",
                            if change.path.is_empty() { "(whole value)" } else { "{change.path}" }
                        }
                        td { span { class: "badge", "{change.kind().label()}" } }
                        td {
                            if let Some(before) = &change.before {
                                pre { {before.render()} }
                            }
                        }
                        td {
                            if let Some(after) = &change.after {
                                pre { {after.render()} }
                            }
                        }
                    }
                }
            }
        }
    }
}
