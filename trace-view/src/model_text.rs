//! A prompt or a response: a preview that expands to the full text, and a copy button.

use dioxus::prelude::*;
use trace_model::facts::{ModelText, preview};

use crate::browser::copy_text;

/// Characters shown before "Show all".
const PREVIEW_CHARS: usize = 400;

#[derive(Clone, Debug, PartialEq)]
enum Copy {
    Idle,
    Copied,
    Failed(String),
}

#[component]
pub fn ModelTextBlock(title: &'static str, text: ModelText, testid: &'static str) -> Element {
    let mut expanded = use_signal(|| false);
    let mut copied = use_signal(|| Copy::Idle);
    let short = preview(&text.text, PREVIEW_CHARS).map(str::to_owned);
    let shown = match (&short, *expanded.read()) {
        (Some(short), false) => format!("{short}…"),
        _ => text.text.clone(),
    };
    let full = text.text.clone();
    let region = format!("{testid}-text");
    rsx! {
        section { class: "model-text", "data-testid": testid,
            div { class: "model-text-head",
                h3 { "{title}" }
                button {
                    r#type: "button",
                    class: "secondary",
                    aria_label: "Copy {title.to_lowercase()}",
                    "data-testid": "copy",
                    onclick: move |_| {
                        let full = full.clone();
                        spawn(async move {
                            copied.set(match copy_text(&full).await {
                                Ok(()) => Copy::Copied,
                                Err(reason) => Copy::Failed(reason),
                            });
                        });
                    },
                    "Copy"
                }
                if short.is_some() {
                    button {
                        r#type: "button",
                        class: "secondary",
                        aria_expanded: if *expanded.read() { "true" } else { "false" },
                        aria_controls: "{region}",
                        "data-testid": "expand",
                        onclick: move |_| expanded.toggle(),
                        if *expanded.read() { "Show less" } else { "Show all" }
                    }
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
            pre { id: "{region}", class: "text-block", "data-testid": "{testid}-text", tabindex: "0", "{shown}" }
            if text.truncated_at_source {
                p { class: "muted", "Truncated by the producer before it was recorded." }
            }
        }
    }
}
