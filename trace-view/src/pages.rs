//! A trace loaded page by page: the first page (small, so that it shows fast), then the rest in large pages. The
//! whole trace replaces the first page once it is in, with the live updates that arrived meanwhile applied again.
//! A later page that fails leaves the partial trace on screen; Retry continues from that page.

use std::cell::RefCell;
use std::rc::Rc;

use dioxus::prelude::*;
use trace_model::merge::HeldUpdates;
use trace_model::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, Span, TraceResponse};

use crate::fetch::{fetch_trace_page, next_cursor};
use crate::host::{Host, try_set};
use crate::loader::show;
use crate::state::{Load, Progress, ViewState};
use crate::trace_data::TraceData;

/// What a load still needs after its first page: the next request and the spans so far.
pub struct PartialLoad {
    api_base: String,
    execution_id: String,
    token: Option<String>,
    cursor: String,
    spans: Vec<Span>,
    total: u64,
}

/// A load stopped by a failed page, kept for Retry.
pub type Stopped = Rc<RefCell<Option<PartialLoad>>>;

pub async fn load_trace(
    host: Host,
    view: ViewState,
    stopped: Stopped,
    api_base: String,
    execution_id: String,
    token: Option<String>,
) {
    let mut first = match fetch_trace_page(&api_base, &execution_id, DEFAULT_PAGE_LIMIT, None, token.as_deref()).await {
        Ok(first) => first,
        Err(error) => return try_set(view.load, Load::Failed(error)),
    };
    let Some(cursor) = next_cursor(&mut first, None) else {
        return show(&host, view, Rc::new(first));
    };
    let total = first.page_info.total_spans;
    let rest = PartialLoad { api_base, execution_id, token, cursor, spans: first.spans.clone(), total };
    // Held from now on: the live module merges updates into the first page and holds them here too.
    try_set(view.held, Some(HeldUpdates::default()));
    try_set(view.progress, Some(Progress { loaded: rest.spans.len(), total }));
    // A deep link may name a span of a later page: keep the host's selection until the whole trace is in.
    if host.selected.try_peek().is_ok_and(|id| id.is_some()) {
        try_set(view.load, Load::Ready(Rc::new(TraceData::new(Rc::new(first)))));
    } else {
        show(&host, view, Rc::new(first));
    }
    load_rest(host, view, stopped, rest).await;
}

/// The pages after the first, from `rest.cursor`.
pub async fn load_rest(host: Host, view: ViewState, stopped: Stopped, mut rest: PartialLoad) {
    loop {
        let page = fetch_trace_page(
            &rest.api_base,
            &rest.execution_id,
            MAX_PAGE_LIMIT,
            Some(&rest.cursor),
            rest.token.as_deref(),
        )
        .await;
        let mut page = match page {
            Ok(page) => page,
            Err(error) => {
                *stopped.borrow_mut() = Some(rest);
                try_set(view.stalled, Some(error));
                return;
            }
        };
        let next = next_cursor(&mut page, Some(&rest.cursor));
        rest.spans.append(&mut page.spans);
        match next {
            Some(next) => {
                try_set(view.progress, Some(Progress { loaded: rest.spans.len(), total: rest.total }));
                rest.cursor = next;
            }
            None => {
                // The last page carries the newest execution summary; the held updates are newer still.
                page.spans = rest.spans;
                let mut held = view.held;
                let held = held.try_write().ok().and_then(|mut held| held.take());
                if let Some(held) = held {
                    held.apply_to(&mut page);
                }
                show(&host, view, Rc::new(page));
                try_set(view.progress, None);
                return;
            }
        }
    }
}

/// A whole trace in the largest pages: the run compared with the shown one, which shows once it is all in.
pub async fn fetch_whole(
    api_base: &str,
    execution_id: &str,
    token: Option<&str>,
) -> Result<TraceResponse, crate::fetch::LoadError> {
    let mut trace = fetch_trace_page(api_base, execution_id, MAX_PAGE_LIMIT, None, token).await?;
    let mut cursor = next_cursor(&mut trace, None);
    while let Some(at) = cursor {
        let mut page = fetch_trace_page(api_base, execution_id, MAX_PAGE_LIMIT, Some(&at), token).await?;
        cursor = next_cursor(&mut page, Some(&at));
        trace.spans.append(&mut page.spans);
        trace.execution = page.execution;
    }
    Ok(trace)
}
