//! Security headers (docs/api.md, "Response headers"): `X-Content-Type-Options: nosniff` on every response, and a
//! strict Content-Security-Policy on the pages of the web bundle, with the ancestors allowed to frame them
//! configurable (`TRACE_API_FRAME_ANCESTORS`) so that the Canvas can embed them.

use salvo::http::header::{CONTENT_SECURITY_POLICY, HeaderValue, X_CONTENT_TYPE_OPTIONS};
use salvo::prelude::*;

/// Scripts, styles and images only from the service itself; the one exception is `'wasm-unsafe-eval'`, which lets
/// the element compile its WebAssembly. No inline style: the element's stylesheets are constructed sheets its shadow
/// root adopts, and rows and timeline bars are placed through the CSSOM, neither of which the policy restricts.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'self'; \
     form-action 'self'";

/// The policy of the web bundle's responses, with `frame_ancestors` (a CSP source list, checked by
/// `Config::load`; should one slip through that is no header value, no page may be framed).
pub fn page_policy(frame_ancestors: &str) -> HeaderValue {
    let policy = |ancestors: &str| HeaderValue::from_str(&format!("{PAGE_POLICY}; frame-ancestors {ancestors}"));
    policy(frame_ancestors)
        .or_else(|_| policy("'none'"))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// `nosniff` on every response: browsers take the declared content type, never a guess from the bytes.
#[handler]
pub async fn nosniff(req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
    ctrl.call_next(req, depot, res).await;
    res.headers_mut().insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// A hoop that puts `policy` on every response of its routes.
pub fn content_security_policy(policy: HeaderValue) -> impl Handler {
    Policy(policy)
}

struct Policy(HeaderValue);

#[async_trait]
impl Handler for Policy {
    async fn handle(&self, req: &mut Request, depot: &mut Depot, res: &mut Response, ctrl: &mut FlowCtrl) {
        ctrl.call_next(req, depot, res).await;
        res.headers_mut().insert(CONTENT_SECURITY_POLICY, self.0.clone());
    }
}
