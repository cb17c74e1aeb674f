//! A prompt or a response as a conversation: one turn per message, labelled with its role; text as Markdown,
//! tool calls and results as such, JSON as a tree; long messages folded behind "Show all"; a copy button per
//! message and one for the whole; and a "Raw JSON" toggle back to what the sender sent.

use dioxus::prelude::*;
use serde_json::Value;
use trace_model::facts::{ModelText, Part, Role, Turn, preview};

use crate::browser::copy_text;
use crate::json_tree::JsonTree;
use crate::markdown_view::markdown;

/// Characters of a message's text shown before "Show all".
const PREVIEW_CHARS: usize = 400;

#[derive(Clone, Debug, PartialEq)]
enum Copy {
    Idle,
    Copied,
    Failed(String),
}

fn copy(text: String, mut status: Signal<Copy>) {
    spawn(async move {
        status.set(match copy_text(&text).await {
            Ok(()) => Copy::Copied,
            Err(reason) => Copy::Failed(reason),
        });
    });
}

#[component]
pub fn Conversation(title: &'static str, text: ModelText, testid: &'static str) -> Element {
    let mut raw = use_signal(|| false);
    let copied = use_signal(|| Copy::Idle);
    let whole = text.text.clone();
    // The titles are the view's own words, in ASCII.
    let lower = title.to_ascii_lowercase();
    let raw_label = if text.raw.is_some() { "Raw JSON" } else { "Raw text" };
    let raw_text = text.raw.clone().unwrap_or_else(|| text.text.clone());
    let showing_raw = *raw.read();
    rsx! {
        section { class: "model-text", "data-testid": testid,
            div { class: "model-text-head",
                h3 { "{title}" }
                button {
                    r#type: "button",
                    class: "secondary",
                    aria_label: "Copy the whole {lower}",
                    "data-testid": "copy",
                    onclick: move |_| copy(whole.clone(), copied),
                    "Copy"
                }
                button {
                    r#type: "button",
                    class: "secondary",
                    aria_pressed: if showing_raw { "true" } else { "false" },
                    "data-testid": "raw-toggle",
                    onclick: move |_| raw.toggle(),
                    "{raw_label}"
                }
                match &*copied.read() {
                    Copy::Idle => rsx! {},
                    Copy::Copied => rsx! {
                        span { class: "muted", role: "status", "data-testid": "copy-status", "Copied" }
                    },
                    Copy::Failed(reason) => rsx! {
                        span { class: "error-text", role: "alert", "data-testid": "copy-status", "Copy failed: {reason}" }
                    },
                }
            }
            if showing_raw {
                pre {
                    class: "text-block",
                    "data-testid": "{testid}-raw",
                    tabindex: "0",
                    "{raw_text}"
                }
            } else {
                ol { class: "turns", aria_label: "{title} messages",
                    for (index, turn) in text.turns.iter().enumerate() {
                        TurnView {
                            key: "{index}",
                            turn: turn.clone(),
                            index,
                            title,
                            testid,
                            copied,
                        }
                    }
                }
            }
            if text.truncated_at_source {
                p { class: "muted", "Truncated by the producer before it was recorded." }
            }
        }
    }
}

#[component]
fn TurnView(turn: Turn, index: usize, title: &'static str, testid: &'static str, copied: Signal<Copy>) -> Element {
    let mut expanded = use_signal(|| false);
    let label = role_label(&turn.role);
    let class = match turn.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
        Role::Other(_) => "other",
    };
    let text_chars: usize = turn.parts.iter().map(|p| if let Part::Text(t) = p { t.chars().count() } else { 0 }).sum();
    let long = text_chars > PREVIEW_CHARS;
    let folded = long && !*expanded.read();
    let parts = shown_parts(&turn.parts, folded);
    let body = format!("{testid}-turn-{index}");
    let plain = turn.plain_text();
    let number = index + 1;
    rsx! {
        li { class: "turn turn-{class}", "data-testid": "turn", "data-role": "{label}",
            div { class: "turn-head",
                span { class: "turn-role", "{label}" }
                button {
                    r#type: "button",
                    class: "secondary",
                    aria_label: "Copy {title} message {number} ({label})",
                    "data-testid": "copy-message",
                    onclick: move |_| copy(plain.clone(), copied),
                    "Copy"
                }
                if long {
                    button {
                        r#type: "button",
                        class: "secondary",
                        aria_expanded: if folded { "false" } else { "true" },
                        aria_controls: "{body}",
                        "data-testid": "expand",
                        onclick: move |_| expanded.toggle(),
                        if folded { "Show all" } else { "Show less" }
                    }
                }
            }
            div { id: "{body}", class: "turn-body", "data-testid": "{testid}-text",
                for (at, part) in parts.into_iter().enumerate() {
                    PartView { key: "{at}", part }
                }
            }
        }
    }
}

/// The parts to show: all of them, or when folded the text up to `PREVIEW_CHARS` characters (cut with "…") and
/// the parts before the cut.
fn shown_parts(parts: &[Part], folded: bool) -> Vec<Part> {
    if !folded {
        return parts.to_vec();
    }
    let mut left = PREVIEW_CHARS;
    let mut shown = Vec::new();
    for part in parts {
        match part {
            Part::Text(text) => match preview(text, left) {
                Some(cut) => {
                    shown.push(Part::Text(format!("{cut}…")));
                    return shown;
                }
                None => {
                    left -= text.chars().count();
                    shown.push(part.clone());
                }
            },
            other => shown.push(other.clone()),
        }
    }
    shown
}

fn role_label(role: &Role) -> String {
    match role {
        Role::System => "System".to_owned(),
        Role::User => "User".to_owned(),
        Role::Assistant => "Assistant".to_owned(),
        Role::Tool => "Tool".to_owned(),
        Role::Other(name) if name.is_empty() => "Message".to_owned(),
        Role::Other(name) => name.clone(),
    }
}

#[component]
fn PartView(part: Part) -> Element {
    match part {
        Part::Text(text) => markdown(&text),
        Part::ToolCall { id, name, arguments } => rsx! {
            div { class: "tool-call", "data-testid": "tool-call",
                p { class: "part-label",
                    "Tool call "
                    code { "data-testid": "tool-name", "{name}" }
                    if let Some(id) = id { span { class: "muted", " {id}" } }
                }
                {value_view(arguments, format!("Arguments of {name}"))}
            }
        },
        Part::ToolResult { id, content } => rsx! {
            div { class: "tool-result", "data-testid": "tool-result",
                p { class: "part-label",
                    "Tool result"
                    if let Some(id) = id { span { class: "muted", " {id}" } }
                }
                {value_view(content, "Tool result".to_owned())}
            }
        },
        Part::Json(value) => rsx! {
            div { class: "json-part", "data-testid": "json-part",
                JsonTree { value, label: "JSON value" }
            }
        },
    }
}

/// Structured JSON as a tree; a string as text; other scalars as code.
fn value_view(value: Value, label: String) -> Element {
    match value {
        Value::Object(_) | Value::Array(_) => rsx! { JsonTree { value, label } },
        Value::String(text) => rsx! { pre { class: "text-block", tabindex: "0", "{text}" } },
        Value::Null => rsx! {},
        other => rsx! { code { "{other}" } },
    }
}
