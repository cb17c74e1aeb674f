//! Where a span came from, as OpenTelemetry tells it: the sender's service and resource, the instrumentation
//! scope, the OpenTelemetry span kind, and what the sender's SDK dropped before sending.

use dioxus::prelude::*;
use trace_model::Span;
use trace_model::conventions::{SERVICE_NAME, SERVICE_VERSION, str_attr};

use crate::details::attribute_rows;

/// `checkout 1.4.2`: the resource's service name and version, when the sender set them.
pub fn service_label(span: &Span) -> Option<String> {
    let name = str_attr(&span.resource, SERVICE_NAME)?;
    Some(match str_attr(&span.resource, SERVICE_VERSION) {
        Some(version) => format!("{name} {version}"),
        None => name.to_owned(),
    })
}

/// `checkout-tracer 0.9.1`.
pub fn scope_label(span: &Span) -> Option<String> {
    let scope = span.scope.as_ref()?;
    Some(match &scope.version {
        Some(version) => format!("{} {version}", scope.name),
        None => scope.name.clone(),
    })
}

/// The resource attributes and a notice of dropped data.
pub fn origin_sections(span: &Span) -> Element {
    let dropped = span.dropped;
    let parts: Vec<String> = [(dropped.attributes, "attribute"), (dropped.events, "event"), (dropped.links, "link")]
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .map(|(count, what)| format!("{count} {what}{}", if count == 1 { "" } else { "s" }))
        .collect();
    rsx! {
        if !parts.is_empty() {
            p { class: "notice", role: "note", "data-testid": "span-dropped",
                "The sender dropped {parts.join(\", \")} of this span before sending it (its SDK's limits)."
            }
        }
        if !span.resource.is_empty() {
            h3 { "Resource" }
            {attribute_rows(&span.resource.iter().collect::<Vec<_>>(), "span-resource")}
        }
    }
}
