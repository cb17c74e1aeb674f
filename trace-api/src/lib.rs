//! The trace API: stores the spans of workflow runs and serves them to the Trace tab.
//!
//! - [`config`]: settings from the environment and the command line.
//! - [`store`]: the sqlx store (SQLite or Postgres) of executions, spans, artifacts and the audit trail, with
//!   change notices for live updates.
//! - [`sink`], [`artifact_sink`]: the store as the instrumentation's span sink and the engine's artifact store.
//! - [`otlp`]: the OTLP receivers' decoding and checks, their one pipeline into the store (redaction, write scope,
//!   partial success), and the gRPC `TraceService`.
//! - [`auth`]: tokens, scopes and workspaces; [`audit`]: the audit trail of trace views.
//! - [`routes`]: the HTTP surface; [`error`]: its JSON errors; [`cache`]: finished trace pages;
//!   [`links`]: dashboard links; [`metrics`]: the service's own metrics.
//! - [`features`]: per-deployment switches the Canvas reads (the Trace tab).
//! - [`server`]: binding and running the HTTP server and the OTLP/gRPC receiver beside it; [`demo`]: sample runs
//!   at start-up.

pub mod artifact_sink;
pub mod audit;
pub mod auth;
pub mod cache;
pub mod config;
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

pub use config::Config;
pub use state::AppState;
pub use store::Store;
