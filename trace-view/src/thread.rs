//! The "Stitched" switch: a run of a conversation thread shown with the thread's other runs on one timeline, a
//! group per run (`trace_model::thread`). The runs come from the API (`GET {api-base}/executions?thread_id=`, then
//! each run's trace); off shows the run alone again (docs/trace-view.md, "Threads").

use std::rc::Rc;

use dioxus::prelude::*;
use trace_model::TraceResponse;
use trace_model::thread::{group_id, is_group, stitch};

use crate::fetch::{LoadError, get_text};
use crate::host::{Host, Source, try_set, try_set_changed};
use crate::loader::show;
use crate::pages::fetch_whole;
use crate::state::{Load, ViewState};

/// The switch's state, shared through context.
#[derive(Clone, Copy)]
pub struct Thread {
    pub stitched: Signal<bool>,
    /// Loading the thread's runs.
    pub busy: Signal<bool>,
    /// Why the thread could not be loaded (the run stays shown alone).
    pub failed: Signal<Option<String>>,
}

/// Provides [`Thread`]. Whatever makes the loader show the run again (another run or trace, a new token, Retry)
/// switches stitching off.
pub fn use_thread(host: &Host, view: ViewState) -> Thread {
    let thread = use_context_provider(|| Thread {
        stitched: Signal::new(false),
        busy: Signal::new(false),
        failed: Signal::new(None),
    });
    let (source, token) = (host.source, host.token);
    use_effect(move || {
        let (_, _, _) = (source.read(), token.read(), view.reload.read());
        try_set_changed(thread.stitched, false);
        try_set(thread.failed, None);
    });
    thread
}

/// The toolbar's switch, shown when the loaded run names a thread and came from the API.
#[component]
pub fn StitchedSwitch() -> Element {
    let host = use_context::<Host>();
    let view = use_context::<ViewState>();
    let thread = use_context::<Thread>();
    let load = view.load.read();
    let Load::Ready(data) = &*load else { return rsx! {} };
    let Some(thread_id) = data.trace.execution.thread_id.clone() else { return rsx! {} };
    // The thread's runs come from the API: a trace set directly has none to ask.
    if !matches!(&*host.source.read(), Source::Execution { .. }) {
        return rsx! {};
    }
    let on = *thread.stitched.read();
    let busy = *thread.busy.read();
    let failed = thread.failed.read().clone();
    let current = data.trace.execution.id.clone();
    rsx! {
        div { class: "stitched",
            button {
                r#type: "button",
                role: "switch",
                class: "secondary toggle-button",
                "data-testid": "stitched",
                aria_checked: if on { "true" } else { "false" },
                aria_busy: busy.then_some("true"),
                aria_describedby: "stitched-status",
                onclick: move |_| toggle(host.clone(), view, thread, thread_id.clone(), current.clone()),
                "Stitched"
            }
            span { id: "stitched-status", class: "path-summary", role: "status", "data-testid": "stitched-status",
                if let Some(error) = failed {
                    "Thread not loaded: {error}"
                } else if busy {
                    "Loading the thread…"
                }
            }
        }
    }
}

fn toggle(host: Host, mut view: ViewState, mut thread: Thread, thread_id: String, current: String) {
    if *thread.busy.peek() {
        return;
    }
    if *thread.stitched.peek() {
        thread.stitched.set(false);
        // The loader shows the run alone again, refetched.
        *view.reload.write() += 1;
        return;
    }
    thread.stitched.set(true);
    thread.failed.set(None);
    thread.busy.set(true);
    spawn(async move {
        let loaded = fetch_runs(&host, &thread_id).await;
        try_set(thread.busy, false);
        // Switched off (or another run chosen) while loading.
        if !*thread.stitched.peek() {
            return;
        }
        match loaded {
            Ok(runs) => {
                let stitched = stitch(runs, &current);
                // The other runs start collapsed: the run that was shown stays open.
                let open = group_id(&current);
                let others =
                    stitched.spans.iter().filter(|s| is_group(s) && s.span_id != open).map(|s| s.span_id.clone());
                let mut collapsed = view.collapsed;
                collapsed.with_mut(|set| set.extend(others));
                show(&host, view, Rc::new(stitched));
            }
            Err(error) => {
                try_set(thread.stitched, false);
                try_set(thread.failed, Some(error.detail));
            }
        }
    });
}

/// The thread's runs from the API (`GET {api-base}/executions?thread_id=`, up to 100), each whole.
async fn fetch_runs(host: &Host, thread_id: &str) -> Result<Vec<TraceResponse>, LoadError> {
    let Source::Execution { api_base, .. } = host.source.peek().clone() else { return Ok(Vec::new()) };
    let token = host.token.peek().clone();
    let list = format!("{}/executions", api_base.trim_end_matches('/'));
    let (status, body) = get_text(&list, &[("thread_id", thread_id), ("limit", "100")], token.as_deref()).await?;
    // Only the ids are needed: read as plain JSON.
    let list: serde_json::Value = serde_json::from_str(&body)
        .map_err(|error| LoadError { status, detail: format!("unreadable answer: {error}") })?;
    let listed = list["executions"].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut runs = Vec::with_capacity(listed.len());
    for id in listed.iter().filter_map(|run| run["id"].as_str()) {
        runs.push(fetch_whole(&api_base, id, token.as_deref()).await?);
    }
    Ok(runs)
}
