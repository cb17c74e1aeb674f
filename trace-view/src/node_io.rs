//! A node's input, output and the changes between them, as tabs (the WAI-ARIA tabs pattern, activated on focus):
//! JSON as a tree of disclosures, text as is, each with a copy button; the changes as a table of path, change,
//! before and after. What the sender or the payload budget cut is said under the value.

use dioxus::prelude::*;
use serde_json::Value;
use trace_model::facts::pretty;
use trace_model::node_io::{Change, IoSide, IoValue, NodeIo, TabKey, tab_after_key};

use crate::browser::{copy_text, focus};
use crate::host::Host;

/// Containers open on first show down to this depth; deeper ones are folded.
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
    // The last copy's outcome, cleared when another tab shows.
    let mut copied = use_signal(|| None::<String>);
    // Copy handles for the key handlers of every tab.
    let host_root = use_context::<Host>().root;
    let root = use_hook(|| CopyValue::new(host_root));
    let ids: [&'static str; 3] = [0, 1, 2].map(|i| tabs.get(i).map_or("", |t: &Tab| t.id()));
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
                        onclick: move |_| {
                            selected.set(index);
                            copied.set(None);
                        },
                        onkeydown: move |event| {
                            let Some(key) = tab_key(&event.key()) else { return };
                            let Some(next) = tab_after_key(key, index, count) else { return };
                            event.prevent_default();
                            selected.set(next);
                            copied.set(None);
                            // Focus follows the selection; the tabs are all rendered already.
                            let id = ids.get(next).copied().unwrap_or_default();
                            focus(&root.read(), &format!("#node-io-tab-{id}"));
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
                    Tab::In => side_panel(io.input.clone(), "input", copied),
                    Tab::Out => side_panel(io.output.clone(), "output", copied),
                    Tab::Changes => change_list(changes.as_deref().unwrap_or_default()),
                }
            }
        }
    }
}

/// In or Out: a copy button (its outcome in `copied`), the value, and what was cut from it.
fn side_panel(side: Option<IoSide>, what: &'static str, mut copied: Signal<Option<String>>) -> Element {
    let Some(side) = side else { return rsx! {} };
    let text = side.value.render();
    rsx! {
        div { class: "model-text-head",
            button {
                r#type: "button",
                class: "secondary",
                aria_label: "Copy {what}",
                "data-testid": "node-io-copy",
                onclick: move |_| {
                    let text = text.clone();
                    spawn(async move {
                        copied.set(Some(match copy_text(&text).await {
                            Ok(()) => "Copied".to_owned(),
                            Err(reason) => format!("Copy failed: {reason}"),
                        }));
                    });
                },
                "Copy"
            }
            span { class: "muted", role: "status", "data-testid": "node-io-copy-status", {copied.read().clone()} }
        }
        match &side.value {
            IoValue::Json(value) => json_tree(value, what),
            IoValue::Text(text) => rsx! {
                pre { class: "text-block", "data-testid": "node-io-text", "{text}" }
            },
        }
        if side.bounded {
            p { class: "muted",
                "Bounded by the sender: deep, long or large parts are marked [TRUNCATED] or …[truncated]."
            }
        }
        if side.cut {
            p { class: "muted", "Cut by the execution's payload budget." }
        }
    }
}

/// A JSON value as a tree: each object and list a disclosure (`details`) over its entries.
fn json_tree(value: &Value, what: &str) -> Element {
    rsx! {
        ul { class: "json-tree", aria_label: "{what} JSON", {json_entries(value, 0)} }
    }
}

/// The entries of an object or a list; a scalar is one entry without a name.
fn json_entries(value: &Value, depth: usize) -> Element {
    let entries: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(key, item)| (key.clone(), item)).collect(),
        Value::Array(items) => items.iter().enumerate().map(|(index, item)| (index.to_string(), item)).collect(),
        scalar => {
            return rsx! {
                li {
                    span { class: "json-value json-{kind(scalar)}", {pretty(scalar)} }
                }
            };
        }
    };
    rsx! {
        for (name , item) in entries {
            {json_entry(name, item, depth)}
        }
    }
}

fn json_entry(name: String, value: &Value, depth: usize) -> Element {
    let size = match value {
        Value::Object(map) => format!("{{{}}}", map.len()),
        Value::Array(items) => format!("[{}]", items.len()),
        scalar => {
            return rsx! {
                li { "data-path-name": "{name}",
                    span { class: "json-key", "{name}: " }
                    span { class: "json-value json-{kind(scalar)}", {pretty(scalar)} }
                }
            };
        }
    };
    rsx! {
        li { "data-path-name": "{name}",
            details { open: depth < OPEN_DEPTH,
                summary {
                    span { class: "json-key", "{name}" }
                    span { class: "muted", " {size}" }
                }
                ul { {json_entries(value, depth + 1)} }
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

fn change_list(changes: &[Change]) -> Element {
    if changes.is_empty() {
        return rsx! {
            p { class: "muted", "data-testid": "node-io-no-changes", "No changes: the output equals the input." }
        };
    }
    rsx! {
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
                    tr { key: "{change.path}",
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

/// The keys of the WAI-ARIA tabs pattern (arrows, Home, End); other keys are not the tab list's.
pub fn tab_key(key: &Key) -> Option<TabKey> {
    Some(match key {
        Key::ArrowLeft => TabKey::Left,
        Key::ArrowRight => TabKey::Right,
        Key::Home => TabKey::Home,
        Key::End => TabKey::End,
        _ => return None,
    })
}
