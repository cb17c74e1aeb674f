//! A span's links: to a span of the shown trace, a button that selects it; to another trace, its ids and a
//! `span-link` event the host page can follow to the run that holds it.

use dioxus::prelude::*;
use trace_model::SpanLink;

use crate::details::attribute_rows;
use crate::events;
use crate::host::Host;
use crate::trace_data::SharedTrace;

#[component]
pub fn LinkList(trace: SharedTrace, links: Vec<SpanLink>) -> Element {
    let host = use_context::<Host>();
    if links.is_empty() {
        return rsx! {};
    }
    let data = &trace.0;
    let trace_id = data.trace.execution.trace_id.clone().unwrap_or_default();
    rsx! {
        h3 { "Links" }
        ul { class: "links", "data-testid": "span-links",
            for (index , link) in links.into_iter().enumerate() {
                li { key: "{index}", class: "link",
                    {
                        let target = (link.trace_id == trace_id).then(|| data.node_of(&link.span_id)).flatten();
                        match target {
                            Some(node) => {
                                let name = data.span(node).name.clone();
                                let mut selected = host.selected;
                                let span_id = link.span_id.clone();
                                rsx! {
                                    button {
                                        class: "link-target",
                                        "data-testid": "link-select",
                                        onclick: move |_| selected.set(Some(span_id.clone())),
                                        "Go to {name}"
                                    }
                                }
                            }
                            None => {
                                let (root, trace_id, span_id) = (host.root.clone(), link.trace_id.clone(), link.span_id.clone());
                                rsx! {
                                    button {
                                        class: "link-target",
                                        "data-testid": "link-open",
                                        onclick: move |_| events::span_link(&root, &trace_id, &span_id),
                                        "Open linked span"
                                    }
                                    span { class: "mono muted", " trace {link.trace_id} · span {link.span_id}" }
                                }
                            }
                        }
                    }
                    if !link.attributes.is_empty() {
                        {attribute_rows(&link.attributes.iter().collect::<Vec<_>>(), "link-attributes")}
                    }
                }
            }
        }
    }
}
