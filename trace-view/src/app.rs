//! The root component: the stylesheet (inside the shadow root, so it neither leaks out nor is affected by the host
//! page), the summary on top, the tree on the left and the details on the right.

use dioxus::prelude::*;

use crate::details::DetailsPane;
use crate::host::Host;
use crate::loader::use_trace_loader;
use crate::notices::{EmptyNotice, ErrorNotice, LoadingNotice};
use crate::state::{Load, ViewState};
use crate::summary::Summary;
use crate::trace_data::SharedTrace;
use crate::tree_pane::TreePane;

const STYLESHEET: &str = include_str!("trace_view.css");

#[component]
pub fn App() -> Element {
    let host = use_context::<Host>();
    let view = use_context_provider(ViewState::new);
    use_trace_loader(host, view);
    let load = view.load.read().clone();
    rsx! {
        style { {STYLESHEET} }
        div { class: "trace-view",
            match load {
                Load::Idle => rsx! {
                    EmptyNotice { message: "No execution selected." }
                },
                Load::Loading => rsx! {
                    LoadingNotice {}
                },
                Load::Failed(error) => rsx! {
                    ErrorNotice { error }
                },
                Load::Ready(data) => rsx! {
                    TraceLayout { trace: SharedTrace(data) }
                },
            }
        }
    }
}

#[component]
fn TraceLayout(trace: SharedTrace) -> Element {
    let host = use_context::<Host>();
    let selected = host.selected.read().as_deref().and_then(|id| trace.0.node_of(id));
    let empty = trace.0.is_empty();
    rsx! {
        Summary { trace: trace.clone() }
        if empty {
            EmptyNotice { message: "This trace has no spans." }
        } else {
            div { class: "panes",
                TreePane { trace: trace.clone() }
                DetailsPane { trace, node: selected }
            }
        }
    }
}
