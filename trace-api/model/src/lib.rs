//! The trace wire contract and the pure algorithms over it.
//!
//! No I/O lives here: the crate compiles for wasm32 (the view) and natively (the API, the instrumentation).
//!
//! - [`wire`]: the JSON types of the trace API (executions, spans, pages, live updates).
//! - [`time`]: RFC 3339 timestamps with microseconds, as the wire format fixes them.
//! - [`conventions`]: attribute names and the rules that classify spans and read token usage.
//! - [`tree`]: the span tree built from the flat, depth-first span list.
//! - [`flatten`]: the visible rows of a tree, given which spans are collapsed.

pub mod conventions;
pub mod flatten;
pub mod time;
pub mod tree;
pub mod wire;

pub use flatten::{Row, visible_rows};
pub use tree::{SpanTree, TreeItem, TreeNode};
pub use wire::*;
