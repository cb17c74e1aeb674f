//! The span tree as a virtual list: only the rows in (and near) the viewport are in the DOM, each absolutely placed
//! at its index; the row reachable with Tab is always rendered so that focus survives scrolling.

use std::cell::RefCell;
use std::rc::Rc;

use dioxus::prelude::*;
use trace_model::critical_path::CriticalPath;
use trace_model::keyboard::{TreeAction, TreeKey, TypeAhead, tree_action};
use trace_model::pricing::PriceTable;
use trace_model::timeline::ticks;
use trace_model::window::{self, rendered_rows, scroll_to_show};
use wasm_bindgen::JsCast;

use crate::browser::now_ms;
use crate::events;
use crate::host::{Host, try_set_changed};
use crate::state::Load;
use crate::state::ViewState;
use crate::trace_data::{SharedTrace, TraceData};
use crate::tree_row::{RowFlags, TreeRow};
use crate::visible::{SharedVisible, Visible};

/// Row height in CSS pixels; `.row` in the stylesheet has the same.
pub const ROW_HEIGHT: f64 = 28.0;

#[component]
pub fn TreePane(trace: SharedTrace, visible: Memo<SharedVisible>) -> Element {
    let host = use_context::<Host>();
    let view = use_context::<ViewState>();
    let mut first_row = use_signal(|| 0usize);
    let mut viewport = use_signal(|| 800.0f64);
    // Local, so that a pane mounted again after a reload does not pull focus back into the tree.
    let focus_request = use_signal(|| None::<String>);
    let typed = use_hook(|| Rc::new(RefCell::new(TypeAhead::default())));
    use_focus_requests(host.root.clone(), focus_request);
    use_selected_in_view(host.clone(), trace.clone(), visible);
    use_reveal_selected(host.selected, view);

    let tab_stop = use_tab_stop(host.selected, view, visible);
    let (data, shown) = (trace.0, visible.read().0.clone());
    let rows = &shown.rows;
    let selected = host.selected.read().as_deref().and_then(|id| data.node_of(id));
    let tab_stop = *tab_stop.read();
    let window = rendered_rows(*first_row.read(), *viewport.read(), ROW_HEIGHT, rows.len(), Some(tab_stop));
    let current_match = view.match_at.read().and_then(|at| shown.matches.get(at).copied());
    let query: Rc<str> = Rc::from(view.query.read().as_str());
    let items: Vec<(&str, usize, RowFlags)> = window
        .into_iter()
        .map(|index| {
            let node = rows[index].node;
            let flags = RowFlags {
                selected: Some(node) == selected,
                tab_stop: index == tab_stop,
                current_match: Some(node) == current_match,
            };
            (data.span(node).span_id.as_str(), index, flags)
        })
        .collect();
    let path = view.critical_path.read().then(|| data.critical_path());
    let prices = host.prices.read().clone();
    let ctx = RowContext { data: data.clone(), shown: shown.clone(), path, prices, host, view, focus_request, typed };
    let height = rows.len() as f64 * ROW_HEIGHT;
    // At most three intervals: the bar column is narrow, and labels must not run into each other.
    let axis_ticks: Vec<(String, bool, String)> = data
        .axis
        .map(|axis| ticks(axis.duration_ms(), 3))
        .unwrap_or_default()
        .into_iter()
        .map(|tick| (format!("{:.3}%", tick.offset * 100.0), tick.offset > 0.85, tick.label))
        .collect();
    rsx! {
        // Decorative: each row states its own duration.
        div { class: "axis", aria_hidden: "true", "data-testid": "time-axis",
            div { class: "axis-track",
                for (left , at_end , label) in axis_ticks {
                    span { class: if at_end { "tick end" } else { "tick" }, left, "{label}" }
                }
            }
        }
        div {
            class: "tree-scroll",
            "data-testid": "tree-scroll",
            onscroll: move |event| {
                try_set_changed(first_row, window::first_row(event.data().scroll_top(), ROW_HEIGHT));
                let height = f64::from(event.data().client_height());
                if height > 0.0 {
                    try_set_changed(viewport, height);
                }
            },
            onmounted: move |event| async move {
                if let Ok(rect) = event.data().get_client_rect().await
                    && rect.height() > 0.0
                {
                    viewport.set(rect.height());
                }
                first_row.set(0);
            },
            div {
                "part": "tree",
                class: "tree",
                role: "tree",
                aria_label: "Spans",
                // Per-property style attributes: Dioxus sets them through the CSSOM, which the page policy allows
                // where it refuses a `style` attribute (docs/api.md, "Response headers").
                height: "{height}px",
                // Keyed at the top of the loop body (a key inside a block would key an inner node, and the
                // unkeyed list would replace every row that shifts), so a scroll creates only the rows coming into
                // view and removes those leaving; rows are components, so the others do not even render.
                for (key , index , flags) in items {
                    TreeRow {
                        key: "{key}",
                        ctx: ctx.clone(),
                        index,
                        flags,
                        query: query.clone(),
                    }
                }
            }
        }
    }
}

/// What every row's handlers need.
#[derive(Clone)]
pub struct RowContext {
    pub data: Rc<TraceData>,
    pub shown: Rc<Visible>,
    /// `Some` while the critical path is highlighted.
    pub path: Option<Rc<CriticalPath>>,
    /// For the rows' cost badges.
    pub prices: Rc<PriceTable>,
    pub host: Host,
    pub view: ViewState,
    /// The row that should get DOM focus once rendered (keyboard moves).
    focus_request: Signal<Option<String>>,
    typed: Rc<RefCell<TypeAhead>>,
}

/// The same pane's context over the same trace and rows: rows whose other props are unchanged need no render.
impl PartialEq for RowContext {
    fn eq(&self, other: &Self) -> bool {
        let same_path = match (&self.path, &other.path) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        Rc::ptr_eq(&self.data, &other.data)
            && Rc::ptr_eq(&self.shown, &other.shown)
            && same_path
            && Rc::ptr_eq(&self.prices, &other.prices)
    }
}

impl RowContext {
    fn span_id(&self, node: usize) -> String {
        self.data.span(node).span_id.clone()
    }

    pub fn select(&self, node: usize, move_focus: bool) {
        let span_id = self.span_id(node);
        let (mut selected, mut focus_request) = (self.host.selected, self.focus_request);
        selected.set(Some(span_id.clone()));
        if move_focus {
            focus_request.set(Some(span_id.clone()));
        }
        events::span_select(&self.host.root, &span_id);
    }

    pub fn set_collapsed(&self, nodes: &[usize], collapse: bool) {
        let mut collapsed = self.view.collapsed;
        collapsed.with_mut(|set| {
            for &node in nodes {
                let span_id = self.span_id(node);
                if collapse {
                    set.insert(span_id);
                } else {
                    set.remove(&span_id);
                }
            }
        });
    }

    pub fn on_key(&self, index: usize, event: &KeyboardEvent) {
        if event.modifiers().intersects(Modifiers::CONTROL | Modifiers::ALT | Modifiers::META) {
            return;
        }
        let Some(key) = tree_key(&event.key()) else { return };
        let rows = &self.shown.rows;
        let action = {
            let mut typed = self.typed.borrow_mut();
            tree_action(key, rows, &self.data.tree, index, &mut typed, now_ms(), |n| self.data.span(n).name.as_str())
        };
        let Some(action) = action else { return };
        event.prevent_default();
        match action {
            TreeAction::Focus(target) => self.select(rows[target].node, true),
            TreeAction::Expand(nodes) => self.set_collapsed(&nodes, false),
            TreeAction::Collapse(node) => self.set_collapsed(&[node], true),
            TreeAction::Activate => self.select(rows[index].node, false),
        }
    }
}

fn tree_key(key: &Key) -> Option<TreeKey> {
    Some(match key {
        Key::ArrowUp => TreeKey::Up,
        Key::ArrowDown => TreeKey::Down,
        Key::ArrowLeft => TreeKey::Left,
        Key::ArrowRight => TreeKey::Right,
        Key::Home => TreeKey::Home,
        Key::End => TreeKey::End,
        Key::Enter => TreeKey::Enter,
        Key::Character(text) if text == "*" => TreeKey::Star,
        Key::Character(text) => {
            let mut chars = text.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => TreeKey::Char(c),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// The one row reachable with Tab: the selected one when shown, else the first. Finding it scans the rows, so it is
/// a memo of the selection and the rows, off the scroll path.
fn use_tab_stop(selected: Signal<Option<String>>, view: ViewState, visible: Memo<SharedVisible>) -> Memo<usize> {
    use_memo(move || {
        let shown = visible.read().0.clone();
        let selected = selected.read();
        let load = view.load.peek();
        let Load::Ready(data) = &*load else { return 0 };
        let node = selected.as_deref().and_then(|id| data.node_of(id));
        shown.rows.iter().position(|row| Some(row.node) == node).unwrap_or(0)
    })
}

/// When the host selects a span inside a collapsed subtree, expands its ancestors so that its row shows.
fn use_reveal_selected(selected: Signal<Option<String>>, view: ViewState) {
    use_effect(move || {
        let Some(span_id) = selected.read().clone() else { return };
        let hidden: Vec<String> = {
            let (load, collapsed) = (view.load.peek(), view.collapsed.peek());
            let Load::Ready(data) = &*load else { return };
            let Some(node) = data.node_of(&span_id) else { return };
            let ancestors = data.tree.ancestors(node).map(|parent| &data.span(parent).span_id);
            ancestors.filter(|id| collapsed.contains(*id)).cloned().collect()
        };
        if !hidden.is_empty() {
            let mut collapsed = view.collapsed;
            collapsed.with_mut(|set| hidden.iter().for_each(|id| _ = set.remove(id)));
        }
    });
}

/// Moves DOM focus to the requested row once it is rendered.
fn use_focus_requests(root: web_sys::Element, focus_request: Signal<Option<String>>) {
    use_effect(move || {
        let Some(span_id) = focus_request.read().clone() else { return };
        if let Some(row) = find_row(&root, &span_id) {
            let _ = row.focus();
        }
    });
}

/// Scrolls the selected row into view when the selection changes (host, deep link, search), once per selection:
/// a live update or a collapse must not pull the list back while the user scrolls elsewhere.
fn use_selected_in_view(host: Host, trace: SharedTrace, visible: Memo<SharedVisible>) {
    let latest = use_hook(|| Rc::new(RefCell::new(trace.0.clone())));
    *latest.borrow_mut() = trace.0.clone();
    let shown_for = use_hook(|| Rc::new(RefCell::new(None::<String>)));
    let root = host.root.clone();
    use_effect(move || {
        let selected = host.selected.read().clone();
        let shown = visible.read().0.clone();
        let Some(span_id) = selected else { return };
        if shown_for.borrow().as_deref() == Some(span_id.as_str()) {
            return;
        }
        let data = latest.borrow().clone();
        let Some(node) = data.node_of(&span_id) else { return };
        // Not shown yet (its ancestors are being expanded): try again when the rows change.
        let Some(index) = shown.rows.iter().position(|row| row.node == node) else { return };
        let Some(scroller) = root.query_selector(".tree-scroll").ok().flatten() else { return };
        *shown_for.borrow_mut() = Some(span_id);
        let (scroll_top, height) = (f64::from(scroller.scroll_top()), f64::from(scroller.client_height()));
        if let Some(top) = scroll_to_show(index, ROW_HEIGHT, scroll_top, height) {
            scroller.set_scroll_top(top as i32);
        }
    });
}

fn find_row(root: &web_sys::Element, span_id: &str) -> Option<web_sys::HtmlElement> {
    // Span ids are hex by contract, but come from the network.
    let selector = format!("[role=treeitem][data-span-id=\"{}\"]", web_sys::css::escape(span_id));
    root.query_selector(&selector).ok().flatten()?.dyn_into::<web_sys::HtmlElement>().ok()
}
