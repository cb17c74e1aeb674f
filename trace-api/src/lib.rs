//! The trace API: stores the spans of workflow runs and serves them to the Trace tab.
//!
//! - [`config`]: settings from the environment and the command line.
//! - [`state`]: what every request handler shares.
//! - [`store`]: the sqlx store (SQLite or Postgres) of executions, spans, artifacts and the audit trail, with
//!   change notices for live updates.
//! - [`sink`]: the store as the instrumentation's span sink, for workflows run in this process.
//! - [`otlp`]: the OTLP receivers' decoding and checks, their one pipeline into the store, the gRPC `TraceService`.
//! - [`auth`]: tokens, scopes and workspaces.
//! - [`audit`]: the audit trail of trace views.
//! - [`routes`]: the HTTP surface.
//! - [`error`]: the JSON errors every route answers.
//! - [`cache`]: finished trace pages in memory.
//! - [`links`]: links from a trace to external dashboards.
//! - [`metrics`]: the service's own metrics.
//! - [`features`]: per-deployment switches the Canvas reads (the Trace tab).
//! - [`retention`]: deletion of old finished executions.
//! - [`tasks`]: the one owner of the background tasks, stopped together at shutdown.
//! - [`server`]: the HTTP server and the OTLP/gRPC receiver beside it.
//! - `demo` (feature `demo`): sample runs of the reference engine at start-up, and a live one.
//! - `artifact_sink` (feature `demo`): the store as the reference engine's artifact store.

#[cfg(feature = "demo")]
pub mod artifact_sink;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod features;
pub mod links;
pub mod metrics;
pub mod otlp;
pub mod retention;
pub mod routes;
pub mod server;
pub mod sink;
pub mod state;
pub mod store;
pub mod tasks;

pub use config::Config;
pub use state::AppState;
pub use store::Store;
