//! The details of the selected span: facts, token usage, attributes and events.

use dioxus::prelude::*;
use trace_model::{Attributes, Span, StatusCode, conventions, time};

use crate::format::{json_value, span_duration};
use crate::trace_data::{SharedTrace, span_tokens};

#[component]
pub fn DetailsPane(trace: SharedTrace, node: Option<usize>) -> Element {
    let Some(node) = node else {
        return rsx! {
            section {
                "part": "details",
                class: "details",
                "data-testid": "span-details",
                aria_label: "Span details",
                p { class: "muted", "Select a span to see its details." }
            }
        };
    };
    let data = &trace.0;
    let span = data.span(node);
    let kind = data.kind(node).as_str();
    let status = span.status.code;
    let status_class = format!("badge status status-{}", status.as_str().to_ascii_lowercase());
    rsx! {
        section {
            "part": "details",
            class: "details",
            "data-testid": "span-details",
            "data-span-id": "{span.span_id}",
            aria_label: "Span details",
            // Focusable so that keyboard users can scroll long details.
            tabindex: "0",
            h2 { class: "span-name", "{span.name}" }
            dl { class: "facts",
                dt { "Kind" }
                dd {
                    span { class: "badge kind kind-{kind}", "data-testid": "span-kind", "{kind}" }
                }
                dt { "Status" }
                dd {
                    span { class: status_class, "data-testid": "span-status", "{status.as_str()}" }
                    if let Some(message) = span.status.message.as_deref().filter(|m| !m.is_empty()) {
                        span {
                            class: if status == StatusCode::Error { "status-message error-text" } else { "status-message" },
                            "data-testid": "span-status-message",
                            "{message}"
                        }
                    }
                }
                dt { "Start" }
                dd { class: "mono", "data-testid": "span-start", "{time::format(&span.start_time)}" }
                dt { "Duration" }
                dd { class: "mono", "data-testid": "span-duration", "{span_duration(span)}" }
                if let Some(model) = conventions::model(&span.attributes) {
                    dt { "Model" }
                    dd { class: "mono", "data-testid": "span-model", "{model}" }
                }
                dt { "Span ID" }
                dd { class: "mono", "{span.span_id}" }
            }
            {tokens(span)}
            h3 { "Attributes" }
            {attribute_table(&span.attributes, "span-attributes")}
            h3 { "Events" }
            {event_list(span)}
        }
    }
}

fn tokens(span: &Span) -> Element {
    let Some(usage) = span_tokens(span) else { return rsx! {} };
    rsx! {
        h3 { "Tokens" }
        dl { class: "facts tokens", "data-testid": "span-tokens",
            dt { "Input" }
            dd { class: "mono", "data-testid": "tokens-input", "{usage.input}" }
            dt { "Output" }
            dd { class: "mono", "data-testid": "tokens-output", "{usage.output}" }
            dt { "Total" }
            dd { class: "mono", "data-testid": "tokens-total", "{usage.total}" }
        }
    }
}

fn attribute_table(attributes: &Attributes, testid: &str) -> Element {
    if attributes.is_empty() {
        return rsx! {
            p { class: "muted", "data-testid": "{testid}", "No attributes." }
        };
    }
    rsx! {
        table { class: "attributes", "data-testid": "{testid}",
            thead {
                tr {
                    th { scope: "col", "Key" }
                    th { scope: "col", "Value" }
                }
            }
            tbody {
                for (key , value) in attributes {
                    tr { key: "{key}",
                        th { scope: "row", class: "mono", "{key}" }
                        td {
                            pre { "{json_value(value)}" }
                        }
                    }
                }
            }
        }
    }
}

fn event_list(span: &Span) -> Element {
    if span.events.is_empty() {
        return rsx! {
            p { class: "muted", "data-testid": "span-events", "No events." }
        };
    }
    rsx! {
        ol { class: "events", "data-testid": "span-events",
            for event in &span.events {
                li { class: if event.name == "exception" { "event exception" } else { "event" },
                    div { class: "event-head",
                        span { class: "event-name", "{event.name}" }
                        span { class: "mono muted", "{time::format(&event.time)}" }
                    }
                    if !event.attributes.is_empty() {
                        {attribute_table(&event.attributes, "event-attributes")}
                    }
                }
            }
        }
    }
}
