//! The root component: the summary on top, the toolbar and tree on the left and the details on the right. Its
//! styles come from the sheet `stylesheet` adopts into the shadow root, so they neither leak out nor are affected
//! by the host page.

use dioxus::prelude::*;

use crate::compare::{ComparePanel, use_compare_loader, view_tabs};
use crate::details::DetailsPane;
use crate::host::{Host, Source};
use crate::live::use_live_updates;
use crate::loader::use_trace_loader;
use crate::notices::{EmptyNotice, ErrorNotice, LoadingNotice};
use crate::splitter::{Splitter, TREE_PANE_ID, drag_to, use_split};
use crate::state::{Load, ViewState};
use crate::summary::Summary;
use crate::toolbar::Toolbar;
use crate::trace_data::SharedTrace;
use crate::tree_pane::TreePane;
use crate::visible::{SharedVisible, Visible};

#[component]
pub fn App() -> Element {
    let host = use_context::<Host>();
    let view = use_context_provider(ViewState::new);
    crate::thread::use_thread(&host, view);
    use_trace_loader(host.clone(), view);
    use_compare_loader(host.clone(), view);
    use_live_updates(host, view);
    let load = view.load.read().clone();
    rsx! {
        div { class: "trace-view",
            match load {
                Load::Idle => rsx! {
                    EmptyNotice { message: "No trace to show: this execution has not been selected or has no trace yet." }
                },
                Load::Loading => rsx! {
                    LoadingNotice {}
                },
                Load::Failed(error) => rsx! {
                    ErrorNotice { error }
                },
                Load::Ready(data) => rsx! {
                    Views { trace: SharedTrace(data) }
                },
            }
        }
    }
}

/// The trace; with a run to compare, "Trace | Compare" tabs over it and the comparison.
#[component]
fn Views(trace: SharedTrace) -> Element {
    let host = use_context::<Host>();
    if matches!(*host.compare.read(), Source::None) {
        return rsx! {
            TraceLayout { trace }
        };
    }
    let comparing = *host.comparing.read();
    rsx! {
        {view_tabs(host.comparing, &host.root)}
        div {
            role: "tabpanel",
            class: "view-panel",
            id: "view-panel",
            aria_labelledby: if comparing { "view-tab-1" } else { "view-tab-0" },
            if comparing {
                ComparePanel { trace }
            } else {
                TraceLayout { trace }
            }
        }
    }
}

#[component]
fn TraceLayout(trace: SharedTrace) -> Element {
    let host = use_context::<Host>();
    let view = use_context::<ViewState>();
    // Recomputed when the trace, the filters, the search or the collapsed spans change; not on scroll.
    let visible = use_memo(move || {
        let load = view.load.read();
        let Load::Ready(data) = &*load else { return SharedVisible(Default::default()) };
        let (filter, query, collapsed) = (*view.filter.read(), view.query.read(), view.collapsed.read());
        SharedVisible(Visible::compute(data, filter, &query, &collapsed))
    });
    let selected = host.selected.read().as_deref().and_then(|id| trace.0.node_of(id));
    let (empty, nothing_matches) = (trace.0.is_empty(), visible.read().0.rows.is_empty());
    let split = use_split(host.root.clone());
    let mut dragging = use_signal(|| false);
    let (split_at, collapsed) = (split.read().value, split.read().is_collapsed());
    let root = host.root.clone();
    rsx! {
        Summary { trace: trace.clone() }
        if empty {
            EmptyNotice { message: "This execution has no spans yet." }
        } else {
            div {
                class: if collapsed { "panes collapsed" } else { "panes" },
                onpointermove: move |event| {
                    if *dragging.peek()
                        && let Some(panes) = root.query_selector(".panes").ok().flatten()
                    {
                        drag_to(split, &panes, event.client_coordinates().x);
                    }
                },
                onpointerup: move |_| dragging.set(false),
                onpointerleave: move |_| dragging.set(false),
                // The tree's share as a custom property, set through the CSSOM (see `tree_row`).
                ..split_property(split_at),
                div { class: "tree-pane", id: TREE_PANE_ID,
                    Toolbar { trace: trace.clone(), visible }
                    if nothing_matches {
                        div { class: "notice", role: "status", "data-testid": "no-matches",
                            "No spans match the search and filters."
                        }
                    } else {
                        TreePane { trace: trace.clone(), visible }
                    }
                }
                Splitter { split, dragging }
                DetailsPane { trace, node: selected }
            }
        }
    }
}

/// `--split`, the tree's width in trace_view.css.
fn split_property(percent: f64) -> Vec<Attribute> {
    vec![Attribute::new("--split", format!("{percent}%"), Some("style"), false)]
}
