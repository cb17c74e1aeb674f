//! The trace API: stores the spans of workflow runs and serves them to the Trace tab.
//!
//! - [`config`]: settings from the environment and the command line.
//! - [`store`]: the sqlx store of executions and spans.
//! - [`sink`]: the store as the instrumentation's span sink.
//! - [`routes`]: the HTTP surface; [`error`]: its JSON errors.
//! - [`server`]: binding and running; [`demo`]: sample runs at start-up.

pub mod config;
pub mod demo;
pub mod error;
pub mod routes;
pub mod server;
pub mod sink;
pub mod state;
pub mod store;

pub use config::Config;
pub use state::AppState;
pub use store::Store;
