//! The JS-facing API: `mount` starts the app in an element, the returned handle pushes inputs into it.

use std::rc::Rc;

use dioxus::core::Runtime;
use dioxus::prelude::*;
use futures_util::future::{AbortHandle, Abortable};
use trace_model::TraceResponse;
use trace_model::pricing::PriceTable;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::App;
use crate::host::{Host, Source, try_set, try_set_changed};
use crate::stylesheet;

/// A running app. Dropping it does not stop the app: call `unmount()`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct TraceViewHandle {
    running: Option<Running>,
}

struct Running {
    runtime: Rc<Runtime>,
    host: Host,
    abort: AbortHandle,
}

/// Renders the viewer into `root` (a `<div>` inside the element's shadow root) and starts loading
/// `execution_id` from `api_base` (default `/api`) when given. Fails, rendering nothing, when the view's stylesheet
/// cannot be given to the shadow root.
#[wasm_bindgen]
pub fn mount(
    root: web_sys::Element,
    execution_id: Option<String>,
    api_base: Option<String>,
) -> Result<TraceViewHandle, JsValue> {
    stylesheet::adopt(&root)?;
    let vdom = VirtualDom::new(App);
    let source = Source::execution(execution_id, api_base);
    let host = vdom.in_scope(ScopeId::ROOT, || Host::new(root.clone(), source));
    vdom.provide_root_context(host.clone());
    let runtime = vdom.runtime();

    // `run` never returns; aborting it drops the VirtualDom and with it every task and signal of the app.
    let (abort, registration) = AbortHandle::new_pair();
    let app = Abortable::new(dioxus::web::run(vdom, dioxus::web::Config::new().rootelement(root)), registration);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = app.await;
    });
    Ok(TraceViewHandle { running: Some(Running { runtime, host, abort }) })
}

#[wasm_bindgen]
impl TraceViewHandle {
    /// Shows another execution (or nothing when `execution_id` is null or empty); always refetches.
    pub fn set_execution(&self, execution_id: Option<String>, api_base: Option<String>) {
        self.with_host(|host| try_set(host.source, Source::execution(execution_id, api_base)));
    }

    /// Shows a `TraceResponse` given as JSON text, without fetching. Invalid JSON is shown as a failed load
    /// (and reported with `trace-error`) as well as returned as an error.
    pub fn set_trace_json(&self, json: &str) -> Result<(), JsValue> {
        let (source, result) = match serde_json::from_str::<TraceResponse>(json) {
            Ok(trace) => (Source::Trace(Rc::new(trace)), Ok(())),
            Err(error) => {
                let detail = format!("invalid trace: {error}");
                let error = JsValue::from(js_sys::Error::new(&detail));
                (Source::Unreadable(detail), Err(error))
            }
        };
        self.with_host(|host| try_set(host.source, source));
        result
    }

    /// Selects a span by id (no `span-select` event: that reports user selections only).
    pub fn set_selected_span(&self, span_id: Option<String>) {
        self.with_host(|host| try_set(host.selected, span_id.filter(|id| !id.is_empty())));
    }

    /// The selected span id: the host's, the user's, or the root picked after a load.
    pub fn selected_span(&self) -> Option<String> {
        let running = self.running.as_ref()?;
        running.runtime.in_scope(ScopeId::ROOT, || running.host.selected.try_peek().ok().and_then(|id| id.clone()))
    }

    /// Shows the loading state until the next `set_trace_json` or `set_execution`.
    pub fn set_loading(&self) {
        self.with_host(|host| try_set(host.source, Source::Pending));
    }

    /// Shows a failed load with `detail` (the host could not get the trace it meant to set).
    pub fn set_error(&self, detail: String) {
        self.with_host(|host| try_set(host.source, Source::Unreadable(detail)));
    }

    /// Follows live updates of the execution over the API's WebSocket while `live` is true.
    pub fn set_live(&self, live: bool) {
        self.with_host(|host| try_set_changed(host.live, live));
    }

    /// Bearer token sent with API requests; a change refetches the current execution.
    pub fn set_token(&self, token: Option<String>) {
        self.with_host(|host| try_set_changed(host.token, token.filter(|t| !t.is_empty())));
    }

    /// Prices that estimate model calls' cost: the default table with `overrides` (JSON
    /// `{"model-prefix": {"input", "output", "cached_input"?}}` in USD per million tokens, `null` removing an
    /// entry) applied; none or empty restores the default. Invalid overrides are an error and change nothing.
    pub fn set_price_table(&self, overrides: Option<String>) -> Result<(), JsValue> {
        let table = match overrides.as_deref().map(str::trim).filter(|json| !json.is_empty()) {
            None => PriceTable::default(),
            Some(json) => PriceTable::default()
                .with_overrides(json)
                .map_err(|error| JsValue::from(js_sys::Error::new(&error.to_string())))?,
        };
        self.with_host(|host| try_set_changed(host.prices, Rc::new(table)));
        Ok(())
    }

    /// Stops the app. Later calls on this handle do nothing.
    pub fn unmount(&mut self) {
        if let Some(running) = self.running.take() {
            running.abort.abort();
        }
    }
}

/// Bytes of wasm linear memory in use by all viewers on the page (the memory benchmark reads it).
#[wasm_bindgen]
pub fn wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|memory| memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |buffer| f64::from(buffer.byte_length()))
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").finish_non_exhaustive()
    }
}

impl TraceViewHandle {
    fn with_host(&self, f: impl FnOnce(&Host)) {
        if let Some(running) = &self.running {
            running.runtime.in_scope(ScopeId::ROOT, || f(&running.host));
        }
    }
}
