//! The trace viewer: a Dioxus app mounted into a custom element (`www/trace-view.js`) through a small
//! `#[wasm_bindgen]` API.
//!
//! - `mount`: the JS-facing API (`mount`, `TraceViewHandle`) and the inputs it pushes into the app.
//! - `host`: the values the embedding page controls (source, token, selection) as root-context signals.
//! - `app`: the root component: layout, stylesheet, and which state (empty, loading, error, trace) shows.
//! - `state`: the app's own signals (load state, collapsed spans, retry); `notices`: empty, loading and
//!   error views.
//! - `loader`: loads the trace whenever the source changes, from the API or from a trace set directly.
//! - `fetch`: the paginated `GET {api-base}/executions/{id}/trace` client.
//! - `trace_data`: a loaded trace with its span tree and lookups.
//! - `summary`, `tree_pane`, `tree_keys`, `details`: the panes and the tree's keyboard model.
//! - `events`: the DOM `CustomEvent`s sent to the host page.
//! - `format`: durations and JSON values as text.

mod app;
mod details;
mod events;
mod fetch;
mod format;
mod host;
mod loader;
mod mount;
mod notices;
mod state;
mod summary;
mod trace_data;
mod tree_keys;
mod tree_pane;

pub use mount::{TraceViewHandle, mount};
