//! Loads the trace whenever the host changes the source (or the token, or Retry is pressed), and reports the
//! outcome to the host page. A large trace shows its first page at once while the rest arrives.

use std::cell::Cell;
use std::rc::Rc;

use dioxus::core::Task;
use dioxus::prelude::*;
use trace_model::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, TraceResponse};

use crate::browser::sleep_ms;
use crate::events;
use crate::fetch::{LoadError, fetch_trace_page, next_cursor};
use crate::host::{Host, Source, try_set};
use crate::state::{Load, Progress, ViewState};
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
        try_set(view.progress, None);
        match source {
            Source::None => try_set(view.load, Load::Idle),
            Source::Pending => try_set(view.load, Load::Loading),
            Source::Trace(trace) => show(&host, view, trace),
            Source::Unreadable(detail) => try_set(view.load, Load::Failed(LoadError { status: 0, detail })),
            Source::Execution { execution_id, api_base } => {
                let token = host.token.read().clone();
                try_set(view.load, Load::Loading);
                let host = host.clone();
                let task = spawn(async move {
                    if let Err(error) = load_pages(&host, view, &api_base, &execution_id, token.as_deref()).await {
                        try_set(view.progress, None);
                        try_set(view.load, Load::Failed(error));
                    }
                });
                in_flight.set(Some(task));
            }
        }
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
}

/// The first page (small, so that it shows fast), then the rest in large pages; the whole trace replaces the first
/// page once it has arrived.
async fn load_pages(
    host: &Host,
    view: ViewState,
    api_base: &str,
    execution_id: &str,
    token: Option<&str>,
) -> Result<(), LoadError> {
    let mut first = fetch_trace_page(api_base, execution_id, DEFAULT_PAGE_LIMIT, None, token).await?;
    let Some(mut cursor) = next_cursor(&mut first, None) else {
        show(host, view, Rc::new(first));
        return Ok(());
    };
    let mut spans = first.spans.clone();
    let total = first.page_info.total_spans;
    try_set(view.progress, Some(Progress { loaded: spans.len(), total }));
    // A deep link may name a span of a later page: keep the host's selection until the whole trace is in.
    if host.selected.try_peek().is_ok_and(|id| id.is_some()) {
        try_set(view.load, Load::Ready(Rc::new(TraceData::new(Rc::new(first)))));
    } else {
        show(host, view, Rc::new(first));
    }
    loop {
        let mut page = fetch_trace_page(api_base, execution_id, MAX_PAGE_LIMIT, Some(&cursor), token).await?;
        let next = next_cursor(&mut page, Some(&cursor));
        spans.append(&mut page.spans);
        match next {
            Some(next) => {
                try_set(view.progress, Some(Progress { loaded: spans.len(), total }));
                cursor = next;
            }
            None => {
                page.spans = spans;
                show(host, view, Rc::new(page));
                try_set(view.progress, None);
                return Ok(());
            }
        }
    }
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
