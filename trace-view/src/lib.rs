//! The trace viewer: a Dioxus app mounted into a custom element (`www/trace-view.js`) through a small
//! `#[wasm_bindgen]` API. The algorithms (tree, rows, filters, search, keyboard, metrics, live merge) live in
//! `trace-model`; this crate renders them.
//!
//! - `mount`: the JS-facing API (`mount`, `TraceViewHandle`) and the inputs it pushes into the app.
//! - `host`: the values the embedding page controls (source, token, selection, live) as root-context signals.
//! - `app`: the root component: layout, and which state (empty, loading, error, trace) shows.
//! - `compare`: the run compared with the shown one, and the Compare tab that lines their spans up.
//! - `stylesheet`: the view's CSS, adopted by the shadow root it renders in.
//! - `state`: the app's own signals (load, collapsed spans, filters, search, live state, page progress).
//! - `notices`: the empty, loading and error views, and the alert over a partial trace.
//! - `loader`: loads the trace whenever the source changes, from the API or from a trace set directly.
//! - `pages`: the page-by-page load of a large trace, resumable after a failed page.
//! - `live`: the WebSocket subscription that merges updates into the shown trace.
//! - `fetch`: the trace page and artifact clients.
//! - `browser`: clipboard, file saving, clock.
//! - `trace_data`: a loaded trace with its span tree, lookups and metrics.
//! - `visible`: the rows to show for the filters, search and collapsed spans, and the search matches.
//! - `summary`: the metrics summary on top.
//! - `toolbar`: search, filters, expand/collapse all, export.
//! - `thread`: the "Stitched" switch, the runs of the run's conversation thread on one timeline.
//! - `tree_pane`: the span tree as a virtual list.
//! - `tree_row`: one row of the tree, with its bar on the time axis.
//! - `details`: the selected span's details.
//! - `node_io`: a node's input, output and their changes, as tabs.
//! - `conversation`: a prompt or a response as role-labelled turns, with copy, show-all and the raw source.
//! - `markdown_view`: a message's Markdown as nodes (from trace-model's safe tree).
//! - `json_tree`: a JSON value as a tree of disclosure buttons.
//! - `artifacts`: the artifact list and its authorized downloads.
//! - `span_origin`: the details' resource, scope, OpenTelemetry kind and dropped counts.
//! - `span_links`: the details' links to other spans and traces.
//! - `events`: the DOM `CustomEvent`s sent to the host page.

mod app;
mod artifacts;
mod browser;
mod compare;
mod conversation;
mod details;
mod events;
mod fetch;
mod host;
mod json_tree;
mod live;
mod loader;
mod markdown_view;
mod mount;
mod node_io;
mod notices;
mod pages;
mod span_links;
mod span_origin;
mod splitter;
mod state;
mod stylesheet;
mod summary;
mod thread;
mod toolbar;
mod trace_data;
mod tree_pane;
mod tree_row;
mod visible;

pub use mount::{TraceViewHandle, mount, wasm_memory_bytes};
