//! The splitter between the tree and the details (WAI-ARIA APG Window Splitter; the key model is
//! `trace_model::splitter`): arrows, Home/End and Enter, a pointer drag, and the position kept in `localStorage`
//! per element (docs/trace-view.md, "Layout").

use dioxus::prelude::*;
use trace_model::splitter::{MAX_OPEN, Split, SplitKey};
use wasm_bindgen::JsCast;

/// The id of the tree pane, which the splitter controls.
pub const TREE_PANE_ID: &str = "trace-tree-pane";
const STORAGE_KEY: &str = "orcheo-trace-view:split";

/// The splitter's position, read from storage once and written back on every change.
pub fn use_split(root: web_sys::Element) -> Signal<Split> {
    let key = storage_key(&root);
    let split = use_signal({
        let key = key.clone();
        move || stored(&key).map(Split::at).unwrap_or_default()
    });
    use_effect(move || {
        let value = split.read().value;
        if let Some(storage) = local_storage() {
            // Storage may be full or refused (private mode): the position then lasts for this page only.
            let _ = storage.set_item(&key, &value.to_string());
        }
    });
    split
}

#[component]
pub fn Splitter(split: Signal<Split>, dragging: Signal<bool>) -> Element {
    let value = split.read().value;
    rsx! {
        div {
            class: "splitter",
            role: "separator",
            tabindex: "0",
            aria_orientation: "vertical",
            aria_label: "Resize the span tree",
            aria_controls: TREE_PANE_ID,
            aria_valuenow: "{value}",
            aria_valuemin: "0",
            aria_valuemax: "{MAX_OPEN}",
            "data-testid": "splitter",
            onkeydown: move |event| {
                let key = match event.key() {
                    Key::ArrowLeft => SplitKey::Left,
                    Key::ArrowRight => SplitKey::Right,
                    Key::Home => SplitKey::Home,
                    Key::End => SplitKey::End,
                    Key::Enter => SplitKey::Enter,
                    _ => return,
                };
                event.prevent_default();
                let next = split.peek().key(key);
                if let Some(next) = next {
                    split.set(next);
                }
            },
            onpointerdown: move |event| {
                event.prevent_default();
                dragging.set(true);
            },
        }
    }
}

/// Moves the splitter to a pointer at `client_x` over `panes`.
pub fn drag_to(mut split: Signal<Split>, panes: &web_sys::Element, client_x: f64) {
    let rect = panes.get_bounding_client_rect();
    let next = split.peek().drag(client_x - rect.left(), rect.width());
    if let Some(next) = next {
        split.set(next);
    }
}

/// Scoped to the element: its id when it has one, so that two viewers on a page keep their own positions.
fn storage_key(root: &web_sys::Element) -> String {
    let host = root.get_root_node().dyn_into::<web_sys::ShadowRoot>().ok().map(|shadow| shadow.host());
    match host.map(|host| host.id()).filter(|id| !id.is_empty()) {
        Some(id) => format!("{STORAGE_KEY}:{id}"),
        None => STORAGE_KEY.to_owned(),
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn stored(key: &str) -> Option<f64> {
    local_storage()?.get_item(key).ok().flatten()?.parse().ok()
}
