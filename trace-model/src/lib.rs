//! The trace wire contract and the pure algorithms over it.
//!
//! No I/O lives here: the crate compiles for wasm32 (the view) and natively (the API, the instrumentation).
//!
//! - [`wire`]: the JSON types of the trace API (executions, spans, pages, live updates).
//! - [`span_record`]: a span on its way into a store, with the execution, workflow and workspace it declares.
//! - [`time`]: RFC 3339 timestamps with microseconds, as the wire format fixes them.
//! - [`conventions`]: attribute names and the rules that classify spans and read token usage.
//! - [`tree`]: the span tree built from the flat, depth-first span list.
//! - [`flatten`]: the visible rows of a tree, given which spans are collapsed or filtered out.
//! - [`window`]: the rows of the virtualized tree in the DOM for a scroll position, and where to scroll to a row.
//! - [`display`]: durations, sizes, counts and kind labels as a viewer shows them.
//! - [`facts`]: a span's effective kind, tokens, prompt/response, exceptions and attribute lookup.
//! - [`filter`]: "errors only" / "AI spans only", matches kept with their ancestors.
//! - [`case`]: case folding for search, filters and type-ahead.
//! - [`search`]: search over names and attribute values, highlight ranges, match stepping.
//! - [`keyboard`]: the WAI-ARIA tree view keyboard model, type-ahead included.
//! - [`markdown`]: Markdown in model messages as a safe tree (HTML as text, only http/https/mailto links).
//! - [`timeline`]: the trace's time axis and each span's bar on it.
//! - [`critical_path`]: the chain of spans that set the run's duration, as Jaeger computes it.
//! - [`splitter`]: the WAI-ARIA window splitter between the tree and the details, keys and drags.
//! - [`node_io`]: a node's input and output from any sender's attributes, and the changes between them.
//! - [`pricing`]: what a model call cost: the sender's figure, else an estimate from a replaceable price table.
//! - [`metrics`]: the summary totals (duration, tokens, errors, artifacts, models, cost).
//! - [`thread`]: the runs of one conversation thread stitched into one timeline, a group per run.
//! - [`merge`]: live updates merged into a loaded trace, and held while a trace is still loading.
//! - [`compare`]: two runs of a workflow side by side: spans aligned by node id and attempt, what changed, differences first.

pub mod case;
pub mod compare;
pub mod conventions;
pub mod critical_path;
pub mod display;
pub mod facts;
pub mod filter;
pub mod flatten;
pub mod keyboard;
pub mod markdown;
pub mod merge;
pub mod metrics;
pub mod node_io;
pub mod pricing;
pub mod search;
pub mod span_record;
pub mod splitter;
pub mod thread;
pub mod time;
pub mod timeline;
pub mod tree;
pub mod window;
pub mod wire;

pub use flatten::{Row, visible_rows, visible_rows_where};
pub use span_record::SpanRecord;
pub use tree::{SpanTree, TreeItem, TreeNode};
pub use wire::*;
