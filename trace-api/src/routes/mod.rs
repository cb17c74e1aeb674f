//! The HTTP surface: the REST API under `/api`, live updates, the OTLP receiver, health and metrics, and the
//! static web bundle for everything else; security headers on all of it (`headers`).

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
use salvo::compression::{Compression, CompressionLevel};
use salvo::oapi::swagger_ui::SwaggerUi;
use salvo::prelude::*;
use salvo::serve_static::StaticDir;

use crate::error::ApiError;
use crate::state::AppState;

pub use access::{bearer_token, websocket_token};

/// The whole service. `www` is the folder of the built web bundle, if any.
pub fn router(state: AppState, www: Option<PathBuf>) -> Router {
    let compression = Compression::new()
        .enable_gzip(CompressionLevel::Default)
        .enable_brotli(CompressionLevel::Default)
        .min_length(1024);
    let api = Router::with_path("api")
        .push(Router::with_path("features").get(features::get))
        .push(Router::with_path("executions").hoop(compression.clone()).get(executions::list))
        .push(Router::with_path("executions/{id}/trace").hoop(compression).get(trace::get))
        .push(Router::with_path("executions/{id}/trace/live").get(live::subscribe))
        .push(Router::with_path("artifacts/{id}/download").get(artifacts::download))
        .push(Router::with_path("{**rest}").goal(not_found));
    let documented = Router::new()
        .push(Router::with_path("healthz").get(health::healthz))
        .push(Router::with_path("readyz").get(health::readyz))
        .push(Router::with_path("metrics").get(health::metrics))
        .push(Router::with_path("v1/traces").post(otlp::receive))
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
    root.push(Router::with_path("{**rest}").goal(not_found))
}

/// What no route takes: one JSON 404, and one metrics label however many such paths there are.
#[handler]
async fn not_found(req: &mut Request, depot: &mut Depot) -> ApiError {
    depot.insert_typed(observe::RouteLabel(crate::metrics::UNMATCHED));
    let prefix = if req.uri().path().starts_with("/api/") { "no API route" } else { "no route" };
    ApiError::not_found(format!("{prefix} for {} {}", req.method(), req.uri().path()))
}

/// The shared state every handler reads.
pub(crate) fn state(depot: &Depot) -> Result<&AppState, ApiError> {
    depot.get_typed::<AppState>().map_err(|_| ApiError::internal("application state missing"))
}
