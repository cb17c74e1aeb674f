//! What shows instead of a trace: nothing to show, loading, or a failed load with Retry; and, above a partial
//! trace, a later page that failed.

use dioxus::prelude::*;

use crate::fetch::LoadError;
use crate::state::{Progress, ViewState};
use trace_model::display::count;

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

/// A later page failed: the spans loaded so far stay on screen above this notice; Retry continues from the page that
/// failed. An alert, so that screen readers hear of it without moving focus.
#[component]
pub fn PartialNotice(error: LoadError, progress: Progress) -> Element {
    let view = use_context::<ViewState>();
    let mut resume = view.resume;
    rsx! {
        div { class: "partial-error", role: "alert", "data-testid": "partial-error",
            p {
                strong { "Showing {count(progress.loaded as u64)} of {count(progress.total)} spans: " }
                "the rest could not be loaded. "
                span { "data-testid": "partial-error-detail", "{error.detail}" }
                if error.status != 0 {
                    " (HTTP {error.status})"
                }
            }
            button {
                r#type: "button",
                "data-testid": "resume-load",
                onclick: move |_| *resume.write() += 1,
                "Retry"
            }
        }
    }
}
