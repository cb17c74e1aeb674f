//! Loads the trace whenever the host changes the source (or the token, or Retry is pressed), and reports the
//! outcome to the host page.

use std::cell::Cell;
use std::rc::Rc;

use dioxus::core::Task;
use dioxus::prelude::*;
use trace_model::TraceResponse;

use crate::events;
use crate::fetch::{LoadError, fetch_trace};
use crate::host::{Host, Source, try_set};
use crate::state::{Load, ViewState};
use crate::trace_data::TraceData;

pub fn use_trace_loader(host: Host, view: ViewState) {
    let host_root = host.root.clone();
    // The fetch in flight; a new source cancels it so that a slow old answer never replaces a newer one.
    let in_flight = use_hook(|| Rc::new(Cell::new(None::<Task>)));
    use_effect(move || {
        let source = host.source.read().clone();
        let _retry = view.reload.read();
        if let Some(task) = in_flight.take() {
            task.cancel();
        }
        match source {
            Source::None => try_set(view.load, Load::Idle),
            Source::Trace(trace) => show(&host, view, trace),
            Source::Unreadable(detail) => try_set(view.load, Load::Failed(LoadError { status: 0, detail })),
            Source::Execution { execution_id, api_base } => {
                let token = host.token.read().clone();
                try_set(view.load, Load::Loading);
                let host = host.clone();
                let task = spawn(async move {
                    match fetch_trace(&api_base, &execution_id, token.as_deref()).await {
                        Ok(trace) => show(&host, view, Rc::new(trace)),
                        Err(error) => try_set(view.load, Load::Failed(error)),
                    }
                });
                in_flight.set(Some(task));
            }
        }
    });
    // Effects run after the DOM is patched, so listeners of these events already find the new content.
    use_effect(move || {
        let load = view.load.read().clone();
        match load {
            Load::Ready(data) => events::trace_load(&host_root, &data.trace.execution.id, data.span_count()),
            Load::Failed(error) => events::trace_error(&host_root, error.status, &error.detail),
            Load::Idle | Load::Loading => {}
        }
    });
}

fn show(host: &Host, view: ViewState, trace: Rc<TraceResponse>) {
    let data = Rc::new(TraceData::new(trace));
    // Keep the host's selection when the new trace has that span; otherwise show the root's details.
    let keep = host.selected.try_peek().is_ok_and(|id| id.as_deref().is_some_and(|id| data.node_of(id).is_some()));
    if !keep {
        try_set(host.selected, data.default_selection().map(str::to_owned));
    }
    try_set(view.load, Load::Ready(data));
}
