//! What shows instead of a trace: nothing to show, loading, or a failed load with Retry.

use dioxus::prelude::*;

use crate::fetch::LoadError;
use crate::state::ViewState;

#[component]
pub fn EmptyNotice(message: &'static str) -> Element {
    rsx! {
        div { class: "notice", "data-testid": "trace-empty", "{message}" }
    }
}

#[component]
pub fn LoadingNotice() -> Element {
    rsx! {
        div {
            class: "notice",
            role: "status",
            aria_live: "polite",
            "data-testid": "trace-loading",
            "Loading trace…"
        }
    }
}

#[component]
pub fn ErrorNotice(error: LoadError) -> Element {
    let view = use_context::<ViewState>();
    let mut reload = view.reload;
    rsx! {
        div { class: "notice error", role: "alert", "data-testid": "trace-error",
            p { class: "notice-title", "Could not load the trace" }
            p { "data-testid": "trace-error-detail", "{error.detail}" }
            if error.status != 0 {
                p { class: "muted", "data-testid": "trace-error-status", "HTTP {error.status}" }
            }
            button { r#type: "button", onclick: move |_| *reload.write() += 1, "Retry" }
        }
    }
}
