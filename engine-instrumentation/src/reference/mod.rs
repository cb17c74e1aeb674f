//! The reference workflow engine: runs steps in order (a step is a node or a group of nodes run concurrently),
//! retries nodes by policy, honours cancellation and timeouts, and reports everything through the hooks.

mod actions;
mod artifacts;
mod engine;
mod guard;
mod workflow;

pub use artifacts::{ArtifactError, ArtifactStore, MemoryArtifacts};
pub use engine::Engine;
pub use workflow::{NodeAction, NodeSpec, RetryPolicy, Step, Workflow};
