//! Loads the trace whenever the host changes the source (or the token, or Retry is pressed), and reports the
//! outcome to the host page. A large trace shows its first page at once while the rest arrives (`pages`).

use std::cell::Cell;
use std::rc::Rc;

use dioxus::core::Task;
use dioxus::prelude::*;
use trace_model::TraceResponse;

use crate::browser::sleep_ms;
use crate::events;
use crate::fetch::LoadError;
use crate::host::{Host, Source, try_set};
use crate::pages::{Stopped, load_rest, load_trace};
use crate::state::{Load, ViewState};
use crate::trace_data::TraceData;

pub fn use_trace_loader(host: Host, view: ViewState) {
    let (host_root, stall_root) = (host.root.clone(), host.root.clone());
    // The fetch in flight; a new source cancels it so that a slow old answer never replaces a newer one.
    let in_flight = use_hook(|| Rc::new(Cell::new(None::<Task>)));
    let stopped: Stopped = use_hook(Stopped::default);
    let (in_flight_for_resume, stopped_for_resume, host_for_resume) =
        (in_flight.clone(), stopped.clone(), host.clone());
    use_effect(move || {
        let source = host.source.read().clone();
        let _retry = view.reload.read();
        if let Some(task) = in_flight.take() {
            task.cancel();
        }
        stopped.borrow_mut().take();
        try_set(view.progress, None);
        try_set(view.stalled, None);
        try_set(view.held, None);
        match source {
            Source::None => try_set(view.load, Load::Idle),
            Source::Pending => try_set(view.load, Load::Loading),
            Source::Trace(trace) => show(&host, view, trace),
            Source::Unreadable(detail) => try_set(view.load, Load::Failed(LoadError { status: 0, detail })),
            Source::Execution { execution_id, api_base } => {
                let token = host.token.read().clone();
                try_set(view.load, Load::Loading);
                let task = spawn(load_trace(host.clone(), view, stopped.clone(), api_base, execution_id, token));
                in_flight.set(Some(task));
            }
        }
    });
    // Retry after a later page failed: continue from that page, the partial trace staying on screen.
    use_effect(move || {
        let _resume = view.resume.read();
        let Some(rest) = stopped_for_resume.borrow_mut().take() else { return };
        try_set(view.stalled, None);
        let task = spawn(load_rest(host_for_resume.clone(), view, stopped_for_resume.clone(), rest));
        in_flight_for_resume.set(Some(task));
    });
    // Effects run after the DOM is patched, so listeners of these events already find the new content. Only a
    // complete trace is announced: later pages would announce it again.
    use_effect(move || {
        let load = view.load.read().clone();
        let loading_more = view.progress.read().is_some();
        match load {
            Load::Ready(data) if !loading_more => {
                events::trace_load(&host_root, &data.trace.execution.id, data.span_count())
            }
            Load::Failed(error) => events::trace_error(&host_root, error.status, &error.detail),
            Load::Ready(_) | Load::Idle | Load::Loading => {}
        }
    });
    // A later page that failed is an error for the host too, once per failure.
    use_effect(move || {
        if let Some(error) = &*view.stalled.read() {
            events::trace_error(&stall_root, error.status, &error.detail);
        }
    });
}

pub fn show(host: &Host, view: ViewState, trace: Rc<TraceResponse>) {
    let data = Rc::new(TraceData::new(trace));
    warm_up(data.clone());
    // Keep the host's selection when the new trace has that span; otherwise show the root's details.
    let keep = host.selected.try_peek().is_ok_and(|id| id.as_deref().is_some_and(|id| data.node_of(id).is_some()));
    if !keep {
        try_set(host.selected, data.default_selection().map(str::to_owned));
    }
    try_set(view.load, Load::Ready(data));
}

/// Builds the id index and the search index once the rows are on screen, so that the first paint does not wait
/// for them and the first keystroke in the search box only scans.
pub fn warm_up(data: Rc<TraceData>) {
    spawn(async move {
        sleep_ms(200).await;
        data.warm_up();
    });
}
