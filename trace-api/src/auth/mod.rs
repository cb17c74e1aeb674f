//! Access control, the same rule on every route: who the caller is (a bearer JWT, HS256 or RS256, or a service
//! token), which scopes it holds, and which workspaces it may see.

mod principal;
mod tokens;

pub use principal::{Principal, Workspaces};
pub use tokens::{AuthConfig, AuthError, Authenticator, JWT_LEEWAY_SECONDS, ServiceToken};

/// Reading traces and run history.
pub const SCOPE_READ: &str = "workflows:read";
/// Sending spans to the OTLP receiver.
pub const SCOPE_WRITE: &str = "traces:write";
