//! The DOM events the host page listens to. They bubble and cross the shadow boundary (`composed`), so listeners on
//! the custom element or above see them.

use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

/// `span-select` {spanId}: the user selected a span.
pub fn span_select(root: &Element, span_id: &str) {
    dispatch(root, "span-select", &[("spanId", span_id.into())]);
}

/// `trace-load` {executionId, spanCount}: a trace was loaded and is shown.
pub fn trace_load(root: &Element, execution_id: &str, span_count: usize) {
    let span_count = JsValue::from_f64(span_count as f64);
    dispatch(root, "trace-load", &[("executionId", execution_id.into()), ("spanCount", span_count)]);
}

/// `trace-error` {status, detail}: loading failed; status 0 means the request never got an HTTP answer.
pub fn trace_error(root: &Element, status: u16, detail: &str) {
    dispatch(root, "trace-error", &[("status", JsValue::from(status)), ("detail", detail.into())]);
}

/// `artifact-download` {id}: the user downloaded an artifact (sent once the bytes have arrived).
pub fn artifact_download(root: &Element, artifact_id: &str) {
    dispatch(root, "artifact-download", &[("id", artifact_id.into())]);
}

/// `span-link` {traceId, spanId}: the user followed a link to a span outside the shown trace; the host finds the
/// run that holds it (`GET /api/executions?trace_id=`).
pub fn span_link(root: &Element, trace_id: &str, span_id: &str) {
    dispatch(root, "span-link", &[("traceId", trace_id.into()), ("spanId", span_id.into())]);
}

fn dispatch(root: &Element, name: &str, detail: &[(&str, JsValue)]) {
    let object = js_sys::Object::new();
    for (key, value) in detail {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&object);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        // Fails only for an event that is already being dispatched; listeners' exceptions are reported, not thrown.
        let _ = root.dispatch_event(&event);
    }
}
