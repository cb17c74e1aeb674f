//! Security headers (docs/api.md, "Response headers"): `X-Content-Type-Options: nosniff` on every response, and a
//! strict Content-Security-Policy on the pages of the web bundle, with the ancestors allowed to frame them
//! configurable (`TRACE_API_FRAME_ANCESTORS`) so that the Canvas can embed them.

use salvo::http::header::{CONTENT_SECURITY_POLICY, HeaderValue, X_CONTENT_TYPE_OPTIONS};
use salvo::prelude::*;

/// Scripts only from the service itself (and the element's WebAssembly). `style-src` allows inline styles: the
/// element renders its stylesheet as a `<style>` in its shadow root and positions virtualized rows and timeline
/// bars with `style` attributes. `img-src` allows `data:` for the pages' empty favicon (`data:,`), which keeps
/// browsers from asking for `/favicon.ico`.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'self'; \
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
