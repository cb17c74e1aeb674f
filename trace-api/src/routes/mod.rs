//! The HTTP surface: the REST API under `/api`, live updates, the OTLP receiver, health and metrics, and the
//! static web bundle for everything else; security headers on all of it (`headers`). Every error answers the
//! JSON error shape, including those of routes and methods that do not exist.

mod access;
mod artifacts;
mod executions;
mod features;
mod headers;
mod health;
mod live;
mod observe;
mod openapi;
mod otlp;
mod params;
mod trace;

use std::path::PathBuf;

use salvo::affix_state;
use salvo::catcher::Catcher;
use salvo::compression::{Compression, CompressionLevel};
use salvo::oapi::swagger_ui::SwaggerUi;
use salvo::prelude::*;
use salvo::serve_static::StaticDir;

use crate::error::ApiError;
use crate::state::AppState;

pub use access::{bearer_token, websocket_token};
pub use artifacts::download_url;

/// The whole service. `www` is the folder of the built web bundle, if any.
pub fn router(state: AppState, www: Option<PathBuf>) -> Service {
    let compression = Compression::new()
        .enable_gzip(CompressionLevel::Default)
        .enable_brotli(CompressionLevel::Default)
        .min_length(1024);
    let api = Router::with_path("api")
        .push(Router::with_path("features").get(features::get))
        .push(
            Router::with_path("executions").hoop(compression.clone()).hoop(access::authenticate).get(executions::list),
        )
        .push(Router::with_path("executions/{id}/trace").hoop(compression).hoop(access::authenticate).get(trace::get))
        .push(Router::with_path("executions/{id}/trace/live").hoop(access::authenticate_websocket).get(live::subscribe))
        .push(Router::with_path("artifacts/{id}/download").hoop(access::authenticate).get(artifacts::download))
        .push(Router::with_path("{**rest}").goal(not_found));
    let documented = Router::new()
        .push(Router::with_path("healthz").get(health::healthz))
        .push(Router::with_path("readyz").get(health::readyz))
        .push(Router::with_path("metrics").get(health::metrics))
        .push(Router::with_path("v1/traces").hoop(access::authenticate).post(otlp::receive))
        .push(Router::with_path("v1/{**rest}").goal(otlp_not_found))
        .push(api);
    let document = openapi::document(&documented);
    let page_policy = headers::page_policy(&state.frame_ancestors);
    let mut root = Router::new()
        .hoop(affix_state::inject(state))
        .hoop(headers::nosniff)
        .hoop(observe::record)
        .push(document.into_router("api/openapi.json"))
        .push(SwaggerUi::new("/api/openapi.json").title("Trace API").into_router("api/docs"))
        .push(documented);
    if let Some(dir) = www {
        root = root.push(
            Router::with_path("{*path}")
                .hoop(observe::label(observe::STATIC))
                .hoop(headers::content_security_policy(page_policy))
                .get(StaticDir::new([dir]).defaults("index.html")),
        );
    }
    // Last: every request is routed somewhere, so that the hoops above see them all (metrics, headers).
    root = root.push(Router::with_path("{**rest}").goal(not_found));
    Service::new(root).catcher(Catcher::default().hoop(json_error))
}

/// An error without a body (no such route, a method the route does not take, a missing static file) gets the
/// JSON error shape instead of salvo's HTML page: OTLP exporters and API clients read JSON.
#[handler]
async fn json_error(req: &mut Request, res: &mut Response, ctrl: &mut FlowCtrl) {
    let status = res.status_code.unwrap_or(StatusCode::NOT_FOUND);
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let given = match &res.body {
        salvo::http::ResBody::Error(e) => Some(e.detail.clone().unwrap_or_else(|| e.brief.clone())),
        _ => None,
    };
    let (code, detail) = match status {
        StatusCode::NOT_FOUND => ("not_found", format!("no route for {method} {path}")),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", format!("{method} is not allowed on {path}")),
        StatusCode::BAD_REQUEST => ("bad_request", given.unwrap_or_else(|| "bad request".to_owned())),
        StatusCode::UNAUTHORIZED => ("unauthorized", given.unwrap_or_else(|| "authentication required".to_owned())),
        StatusCode::FORBIDDEN => ("forbidden", given.unwrap_or_else(|| "forbidden".to_owned())),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ("payload_too_large", given.unwrap_or_else(|| "the body is too large".to_owned()))
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ("unsupported_media_type", given.unwrap_or_else(|| "unsupported media type".to_owned()))
        }
        // Server-side details stay in the log.
        other if other.is_server_error() => ("internal", "the server failed; see the server log".to_owned()),
        other => ("error", given.unwrap_or_else(|| other.canonical_reason().unwrap_or("error").to_owned())),
    };
    ApiError::new(status, code, detail).render(res);
    ctrl.skip_rest();
}

/// What no route takes: one JSON 404, and one metrics label however many such paths there are.
#[handler]
async fn not_found(req: &mut Request, depot: &mut Depot) -> ApiError {
    depot.insert_typed(observe::RouteLabel(crate::metrics::UNMATCHED));
    let prefix = if req.uri().path().starts_with("/api/") { "no API route" } else { "no route" };
    ApiError::not_found(format!("{prefix} for {} {}", req.method(), req.uri().path()))
}

/// Other OTLP paths and methods: this service receives traces, by POST. One metrics label for all of them, as for
/// every request no route takes.
#[handler]
async fn otlp_not_found(req: &mut Request, depot: &mut Depot, res: &mut Response) {
    depot.insert_typed(observe::RouteLabel(crate::metrics::UNMATCHED));
    let (method, path) = (req.method(), req.uri().path());
    if path.trim_end_matches('/') == "/v1/traces" {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("{method} is not allowed on {path}: OTLP/HTTP exporters POST their spans there"),
        )
        .render(res);
        res.headers_mut().insert(salvo::http::header::ALLOW, salvo::http::HeaderValue::from_static("POST"));
    } else {
        ApiError::not_found(format!(
            "no route for {method} {path}: this service receives traces only, at POST /v1/traces"
        ))
        .render(res);
    }
}

/// The shared state every handler reads.
pub(crate) fn state(depot: &Depot) -> Result<&AppState, ApiError> {
    depot.get_typed::<AppState>().map_err(|_| ApiError::internal("application state missing"))
}
