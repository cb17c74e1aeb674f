//! The details of the selected span: facts, prompt and response, token usage and cost, exceptions, events,
//! artifacts and a searchable attribute table.

use dioxus::prelude::*;
use trace_model::conventions::{Derived, derive, value_text};
use trace_model::facts::{exceptions, is_ai, matching_attributes, pretty};
use trace_model::node_io::node_io;
use trace_model::pricing::{SpanCost, price_label, span_cost, usd};
use trace_model::{Attributes, Span, StatusCode, time};

use crate::artifacts::ArtifactList;
use crate::conversation::Conversation;
use crate::host::Host;
use crate::node_io::NodeIoPanel;
use crate::span_links::LinkList;
use crate::span_origin::{origin_sections, scope_label, service_label};
use crate::trace_data::SharedTrace;
use trace_model::display::{kind_label, span_duration};

#[component]
pub fn DetailsPane(trace: SharedTrace, node: Option<usize>) -> Element {
    let Some(node) = node else {
        return rsx! {
            div {
                role: "group",
                "part": "details",
                class: "details",
                "data-testid": "span-details",
                aria_label: "Span details",
                p { class: "muted", "Select a span to see its details." }
            }
        };
    };
    let prices = use_context::<Host>().prices.read().clone();
    let data = &trace.0;
    let span = data.span(node);
    let kind = data.kind(node);
    let status = span.status.code;
    let status_class = format!("badge status status-{}", status.as_str().to_ascii_lowercase());
    let derived = derive(span);
    // A node's input and output (not a model call's: its prompt and response say it); what they show is not
    // repeated as a prompt or a response.
    let io = if is_ai(kind) { None } else { node_io(span) };
    // Compared by text: the conversation read from the same value carries roles and its raw source.
    let repeats = |t: &trace_model::facts::ModelText, input: bool| {
        io.is_some() && value_text(&span.attributes, input).is_some_and(|v| v.text == t.text)
    };
    let prompt = derived.prompt.clone().filter(|t| !repeats(t, true));
    let response = derived.response.clone().filter(|t| !repeats(t, false));
    let unstored: Vec<&str> =
        derived.artifact_ids.iter().copied().filter(|id| span.artifacts.iter().all(|a| a.id != *id)).collect();
    rsx! {
        div {
            role: "group",
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
                    span { class: "badge kind kind-{kind.as_str()}", "data-testid": "span-kind", "{kind_label(kind)}" }
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
                if let Some(model) = derived.model.key() {
                    dt { "Model" }
                    dd { class: "mono", "data-testid": "span-model",
                        "{model}"
                        if let Some(served) = derived.model.served {
                            span { class: "muted", " (served as {served})" }
                        }
                    }
                }
                if let Some(provider) = derived.model.provider {
                    dt { "Provider" }
                    dd { class: "mono", "data-testid": "span-provider", "{provider}" }
                }
                if let Some(service) = service_label(span) {
                    dt { "Service" }
                    dd { class: "mono", "data-testid": "span-service", "{service}" }
                }
                if let Some(kind) = span.otel_kind {
                    dt { "Span kind" }
                    dd { class: "mono", "data-testid": "span-otel-kind", "{kind.as_str()}" }
                }
                if let Some(scope) = scope_label(span) {
                    dt { "Scope" }
                    dd { class: "mono", "data-testid": "span-scope", "{scope}" }
                }
                dt { "Span ID" }
                dd { class: "mono", "{span.span_id}" }
            }
            {tokens(&derived, span_cost(span, &prices))}
            if let Some(io) = io {
                NodeIoPanel { key: "io-{span.span_id}", io }
            }
            if let Some(text) = prompt {
                Conversation { key: "prompt-{span.span_id}", title: "Prompt", text, testid: "prompt" }
            }
            if let Some(text) = response {
                Conversation { key: "response-{span.span_id}", title: "Response", text, testid: "response" }
            }
            {exception_list(span)}
            if !span.artifacts.is_empty() || !unstored.is_empty() {
                h3 { "Artifacts" }
            }
            if !span.artifacts.is_empty() {
                ArtifactList { artifacts: span.artifacts.clone(), testid: "span-artifacts" }
            }
            if !unstored.is_empty() {
                ul { class: "artifacts", "data-testid": "span-artifact-ids",
                    for id in unstored {
                        li { key: "{id}", class: "artifact",
                            span { class: "mono", "{id}" }
                            span { class: "muted", " kept by the sender, not in this store" }
                        }
                    }
                }
            }
            {origin_sections(span)}
            LinkList { key: "links-{span.span_id}", trace: trace.clone(), links: span.links.clone() }
            AttributeTable { key: "attrs-{span.span_id}", attributes: span.attributes.clone() }
            h3 { "Events" }
            {event_list(span)}
        }
    }
}

fn tokens(derived: &Derived<'_>, cost: Option<SpanCost>) -> Element {
    if derived.tokens.is_none() && cost.is_none() {
        return rsx! {};
    }
    let details = derived.token_details;
    // Parts of the input and output counts, shown when the sender reports them.
    let parts: Vec<(&str, &str, u64)> = [
        ("Cached input", "tokens-cache-read", details.cache_read),
        ("Cache writes", "tokens-cache-write", details.cache_write),
        ("Reasoning", "tokens-reasoning", details.reasoning),
    ]
    .into_iter()
    .filter_map(|(label, testid, count)| Some((label, testid, count?)))
    .collect();
    rsx! {
        h3 { "Tokens" }
        dl { class: "facts tokens", "data-testid": "span-tokens",
            if let Some(usage) = derived.tokens {
                dt { "Input" }
                dd { class: "mono", "data-testid": "tokens-input", "{usage.input}" }
                dt { "Output" }
                dd { class: "mono", "data-testid": "tokens-output", "{usage.output}" }
                dt { "Total" }
                dd { class: "mono", "data-testid": "tokens-total", "{usage.total}" }
            }
            for (label , testid , count) in parts {
                dt { "{label}" }
                dd { class: "mono", "data-testid": "{testid}", "{count}" }
            }
            if let Some(cost) = cost {
                dt { "Cost" }
                dd { "data-testid": "tokens-cost", {cost_text(&cost)} }
            }
        }
    }
}

/// The amount and where it comes from: the sender, or the table entry and price that estimated it.
fn cost_text(cost: &SpanCost) -> Element {
    let source = match cost {
        SpanCost::Sent(sent) => match (sent.prompt, sent.completion) {
            (Some(prompt), Some(completion)) => {
                format!("reported by the sender (prompt {}, completion {})", usd(prompt), usd(completion))
            }
            _ => "reported by the sender".to_owned(),
        },
        SpanCost::Estimated(estimate) => {
            format!("estimated at the price of {}: {}", estimate.entry, price_label(&estimate.price))
        }
        SpanCost::NoPrice { model: Some(model) } => format!("{model} is not in the price table"),
        SpanCost::NoPrice { model: None } => "the span names no model".to_owned(),
    };
    rsx! {
        span { class: "mono", "data-testid": "cost-amount", "{cost.label()}" }
        " "
        span { class: "muted cost-source", "data-testid": "cost-source", "{source}" }
    }
}

fn exception_list(span: &Span) -> Element {
    let found = exceptions(span);
    if found.is_empty() {
        return rsx! {};
    }
    rsx! {
        h3 { "Exceptions" }
        ol { class: "events", "data-testid": "span-exceptions",
            for exception in found {
                li { key: "{exception.event}", class: "event exception",
                    div { class: "event-head",
                        span { class: "event-name", {exception.kind.clone().unwrap_or_else(|| "exception".to_owned())} }
                    }
                    if let Some(message) = &exception.message {
                        p { class: "exception-message", "{message}" }
                    }
                    if let Some(stack) = &exception.stacktrace {
                        pre { class: "stacktrace", tabindex: "0", aria_label: "Stack trace", "data-testid": "stacktrace", "{stack}" }
                    }
                }
            }
        }
    }
}

/// The span's attributes with a filter box over keys and values.
#[component]
fn AttributeTable(attributes: Attributes) -> Element {
    let mut query = use_signal(String::new);
    let query_text = query.read().clone();
    let rows = matching_attributes(&attributes, &query_text);
    rsx! {
        div { class: "attributes-head",
            h3 { id: "attributes-title", "Attributes" }
            if !attributes.is_empty() {
                input {
                    r#type: "search",
                    class: "attribute-filter",
                    aria_label: "Filter attributes",
                    placeholder: "Filter attributes",
                    "data-testid": "attribute-filter",
                    value: "{query_text}",
                    oninput: move |event| query.set(event.value()),
                }
            }
        }
        if attributes.is_empty() {
            p { class: "muted", "data-testid": "span-attributes", "No attributes." }
        } else if rows.is_empty() {
            p { class: "muted", role: "status", "data-testid": "span-attributes", "No attributes match." }
        } else {
            {attribute_rows(&rows, "span-attributes")}
        }
    }
}

pub fn attribute_rows(rows: &[(&String, &serde_json::Value)], testid: &str) -> Element {
    rsx! {
        table { class: "attributes", "data-testid": "{testid}",
            thead {
                tr {
                    th { scope: "col", "Key" }
                    th { scope: "col", "Value" }
                }
            }
            tbody {
                for (key , value) in rows.iter().copied() {
                    tr { key: "{key}",
                        th { scope: "row", class: "mono", "{key}" }
                        td {
                            pre { "{pretty(value)}" }
                        }
                    }
                }
            }
        }
    }
}

fn event_list(span: &Span) -> Element {
    let events: Vec<_> = span.events.iter().filter(|event| event.name != "exception").collect();
    if events.is_empty() {
        return rsx! {
            p { class: "muted", "data-testid": "span-events", "No other events." }
        };
    }
    rsx! {
        ol { class: "events", "data-testid": "span-events",
            for event in events {
                li { class: "event",
                    div { class: "event-head",
                        span { class: "event-name", "{event.name}" }
                        span { class: "mono muted", "{time::format(&event.time)}" }
                    }
                    if !event.attributes.is_empty() {
                        {attribute_rows(&event.attributes.iter().collect::<Vec<_>>(), "event-attributes")}
                    }
                }
            }
        }
    }
}
