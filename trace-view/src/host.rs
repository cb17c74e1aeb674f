//! What the embedding page controls, held in signals owned by the root scope so that the JS handle can write them
//! while the app runs.

use std::rc::Rc;

use dioxus::prelude::*;
use trace_model::TraceResponse;
use trace_model::pricing::PriceTable;

/// Used when the host gives no `api-base`.
pub const DEFAULT_API_BASE: &str = "/api";

/// Where the trace comes from.
#[derive(Clone, Debug, Default)]
pub enum Source {
    /// Nothing to show yet.
    #[default]
    None,
    /// Fetch `GET {api_base}/executions/{execution_id}/trace`.
    Execution { execution_id: String, api_base: String },
    /// A trace the host set directly; no fetch.
    Trace(Rc<TraceResponse>),
    /// A trace the host set directly that did not parse; shown as a failed load.
    Unreadable(String),
    /// The host said a trace is on its way (it set a pending promise); shown as loading.
    Pending,
}

impl Source {
    /// An empty or missing execution id means "nothing to show".
    pub fn execution(execution_id: Option<String>, api_base: Option<String>) -> Self {
        let execution_id = execution_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        let api_base = api_base
            .map(|base| base.trim().to_owned())
            .filter(|base| !base.is_empty())
            .unwrap_or_else(|| DEFAULT_API_BASE.to_owned());
        match execution_id {
            Some(execution_id) => Self::Execution { execution_id, api_base },
            None => Self::None,
        }
    }
}

/// The host's inputs plus the element the app renders into (the target of the DOM events). No `Debug`: it holds
/// the token.
#[derive(Clone)]
pub struct Host {
    pub source: Signal<Source>,
    /// Bearer token for the API; never rendered.
    pub token: Signal<Option<String>>,
    /// The selected span id; the host may set it, the tree writes it on user selection.
    pub selected: Signal<Option<String>>,
    /// Follow live updates of the execution (the `live` attribute).
    pub live: Signal<bool>,
    /// Prices that estimate what model calls cost: the default table with the host's overrides.
    pub prices: Signal<Rc<PriceTable>>,
    pub root: web_sys::Element,
}

impl Host {
    /// Must run inside the root scope, which then owns the signals.
    pub fn new(root: web_sys::Element, source: Source) -> Self {
        Self {
            source: Signal::new(source),
            token: Signal::new(None),
            selected: Signal::new(None),
            live: Signal::new(false),
            prices: Signal::new(Rc::new(PriceTable::default())),
            root,
        }
    }
}

/// Sets a signal, skipping the write if the value is borrowed or already dropped (a host call arriving during a
/// render or after unmount must not abort the module).
pub fn try_set<T: 'static>(mut signal: Signal<T>, value: T) {
    if let Ok(mut slot) = signal.try_write() {
        *slot = value;
    }
}

/// Like [`try_set`], but leaves the signal (and its subscribers) alone when the value is unchanged.
pub fn try_set_changed<T: PartialEq + 'static>(signal: Signal<T>, value: T) {
    if signal.try_peek().is_ok_and(|current| *current != value) {
        try_set(signal, value);
    }
}
