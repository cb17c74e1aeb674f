//! The reference workflow engine: runs steps in order (a step is a node or a group of nodes run concurrently),
//! retries nodes by policy, honours cancellation and timeouts, and reports everything through the
//! `engine_instrumentation` hooks. It is what the demo, the tests and the benchmarks run; a real engine needs none of
//! it (docs/architecture.md, "Crates and the arrows between them").
//!
//! - `workflow`: the workflows it runs: steps, nodes, what each node does, retry policies.
//! - `engine`: the [`Engine`] and its run loop (steps, parallel branches, retries, cancellation, timeouts).
//! - `actions`: what each kind of node does, reporting its model, HTTP and storage calls through the hooks.
//! - `guard`: guards that close a node or call span as cancelled when the caller drops the run.
//! - `artifacts`: the [`ArtifactStore`] nodes write files to, and one in memory.
//! - [`model`]: a deterministic local language model with real BPE token counts.
//! - [`samples`]: sample workflows for demos, tests and load tests, and a loopback HTTP server for the HTTP one.

mod actions;
mod artifacts;
mod engine;
mod guard;
pub mod model;
pub mod samples;
mod workflow;

pub use artifacts::{ArtifactError, ArtifactStore, MemoryArtifacts};
pub use engine::Engine;
pub use workflow::{NodeAction, NodeSpec, RetryPolicy, Step, Workflow};
