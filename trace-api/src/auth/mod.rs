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

/// The token of an `Authorization` value `Bearer <token>` (the scheme without case), for HTTP headers and gRPC
/// metadata alike.
pub fn bearer(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
