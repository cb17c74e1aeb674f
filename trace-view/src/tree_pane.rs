//! The span tree: one `treeitem` per visible row, a roving tabindex, click and keyboard selection.

use std::rc::Rc;

use dioxus::prelude::*;
use trace_model::{Row, StatusCode, visible_rows};
use wasm_bindgen::JsCast;

use crate::events;
use crate::format::span_duration;
use crate::host::Host;
use crate::state::ViewState;
use crate::trace_data::{SharedTrace, TraceData};
use crate::tree_keys::{TreeMove, tree_move};

#[component]
pub fn TreePane(trace: SharedTrace) -> Element {
    let host = use_context::<Host>();
    let view = use_context::<ViewState>();
    // Local, so that a pane mounted again after a reload does not pull focus back into the tree.
    let focus_request = use_signal(|| None::<String>);
    use_focus_requests(host.root.clone(), focus_request);
    use_reveal_selected(host.selected, view);

    let data = trace.0;
    let rows = {
        let collapsed = view.collapsed.read();
        Rc::new(visible_rows(&data.tree, |node| collapsed.contains(&data.span(node).span_id)))
    };
    let selected = host.selected.read().as_deref().and_then(|id| data.node_of(id));
    // The one row reachable with Tab: the selected one when visible, else the first.
    let tab_stop = rows.iter().position(|row| Some(row.node) == selected).unwrap_or(0);
    let ctx = RowContext { data, rows: rows.clone(), host, view, focus_request };
    rsx! {
        div {
            "part": "tree",
            class: "tree",
            role: "tree",
            aria_label: "Spans",
            for index in 0..rows.len() {
                {tree_row(&ctx, index, Some(rows[index].node) == selected, index == tab_stop)}
            }
        }
    }
}

/// What every row's handlers need.
#[derive(Clone)]
struct RowContext {
    data: Rc<TraceData>,
    rows: Rc<Vec<Row>>,
    host: Host,
    view: ViewState,
    /// The row that should get DOM focus once rendered (keyboard moves).
    focus_request: Signal<Option<String>>,
}

impl RowContext {
    fn span_id(&self, node: usize) -> String {
        self.data.span(node).span_id.clone()
    }

    fn select(&self, node: usize, move_focus: bool) {
        let span_id = self.span_id(node);
        let (mut selected, mut focus_request) = (self.host.selected, self.focus_request);
        selected.set(Some(span_id.clone()));
        if move_focus {
            focus_request.set(Some(span_id.clone()));
        }
        events::span_select(&self.host.root, &span_id);
    }

    fn set_collapsed(&self, node: usize, collapse: bool) {
        let span_id = self.span_id(node);
        let mut collapsed = self.view.collapsed;
        collapsed.with_mut(|set| if collapse { set.insert(span_id) } else { set.remove(&span_id) });
    }

    fn on_key(&self, index: usize, event: &KeyboardEvent) {
        if event.modifiers().intersects(Modifiers::CONTROL | Modifiers::ALT | Modifiers::META) {
            return;
        }
        let Some(step) = tree_move(&event.key(), &self.rows, &self.data.tree, index) else { return };
        event.prevent_default();
        match step {
            TreeMove::Focus(target) => self.select(self.rows[target].node, true),
            TreeMove::Expand(node) => self.set_collapsed(node, false),
            TreeMove::Collapse(node) => self.set_collapsed(node, true),
            TreeMove::Activate => self.select(self.rows[index].node, false),
        }
    }
}

fn tree_row(ctx: &RowContext, index: usize, is_selected: bool, is_tab_stop: bool) -> Element {
    let row = ctx.rows[index];
    let span = ctx.data.span(row.node);
    let kind = ctx.data.kind(row.node).as_str();
    let status = span.status.code;
    let mut class = String::from("row");
    if is_selected {
        class.push_str(" selected");
    }
    if status == StatusCode::Error {
        class.push_str(" error");
    }
    let toggle = match (row.has_children, row.expanded) {
        (false, _) => "",
        (true, true) => "▾",
        (true, false) => "▸",
    };
    let (on_click, on_toggle, on_key) = (ctx.clone(), ctx.clone(), ctx.clone());
    rsx! {
        div {
            key: "{span.span_id}",
            class,
            role: "treeitem",
            "data-span-id": "{span.span_id}",
            aria_level: "{row.depth + 1}",
            aria_setsize: "{row.set_size}",
            aria_posinset: "{row.pos_in_set}",
            aria_expanded: row.has_children.then_some(if row.expanded { "true" } else { "false" }),
            aria_selected: if is_selected { "true" } else { "false" },
            tabindex: if is_tab_stop { "0" } else { "-1" },
            style: "--depth: {row.depth}",
            onclick: move |_| on_click.select(row.node, false),
            onkeydown: move |event| on_key.on_key(index, &event),
            span {
                class: "toggle",
                aria_hidden: "true",
                onclick: move |event| {
                    if row.has_children {
                        event.stop_propagation();
                        on_toggle.set_collapsed(row.node, row.expanded);
                    }
                },
                "{toggle}"
            }
            span { class: "name", "{span.name}" }
            span { class: "badge kind kind-{kind}", "{kind}" }
            span { class: "badge status status-{status.as_str().to_ascii_lowercase()}", "{status.as_str()}" }
            span { class: "duration", "{span_duration(span)}" }
        }
    }
}

/// Moves DOM focus to the requested row once it is rendered.
fn use_focus_requests(root: web_sys::Element, focus_request: Signal<Option<String>>) {
    use_effect(move || {
        let Some(span_id) = focus_request.read().clone() else { return };
        let selector = format!("[role=treeitem][data-span-id=\"{}\"]", css_string(&span_id));
        let row = root.query_selector(&selector).ok().flatten();
        if let Some(row) = row.and_then(|row| row.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = row.focus();
        }
    });
}

/// When the host selects a span inside a collapsed subtree, expands its ancestors so that its row shows.
fn use_reveal_selected(selected: Signal<Option<String>>, view: ViewState) {
    use_effect(move || {
        let Some(span_id) = selected.read().clone() else { return };
        let hidden: Vec<String> = {
            let (load, collapsed) = (view.load.peek(), view.collapsed.peek());
            let crate::state::Load::Ready(data) = &*load else { return };
            let mut node = data.node_of(&span_id);
            let mut hidden = Vec::new();
            while let Some(parent) = node.and_then(|n| data.tree.nodes[n].parent) {
                let parent_id = &data.span(parent).span_id;
                if collapsed.contains(parent_id) {
                    hidden.push(parent_id.clone());
                }
                node = Some(parent);
            }
            hidden
        };
        if !hidden.is_empty() {
            let mut collapsed = view.collapsed;
            collapsed.with_mut(|set| hidden.iter().for_each(|id| _ = set.remove(id)));
        }
    });
}

/// Escapes text for a double-quoted CSS string (span ids are hex by contract, but come from the network).
fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\{:x} ", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}
