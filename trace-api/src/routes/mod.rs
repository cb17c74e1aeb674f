//! The HTTP surface: the REST API under `/api`, health probes, and the static web bundle for everything else.

mod executions;
mod health;
mod params;
mod trace;

use std::path::PathBuf;

use salvo::affix_state;
use salvo::prelude::*;
use salvo::serve_static::StaticDir;

use crate::error::ApiError;
use crate::state::AppState;

/// The whole service. `www` is the folder of the built web bundle, if any.
pub fn router(state: AppState, www: Option<PathBuf>) -> Router {
    let api = Router::with_path("api")
        .push(Router::with_path("executions").get(executions::list))
        .push(Router::with_path("executions/{id}/trace").get(trace::get))
        .push(Router::with_path("{**rest}").goal(api_not_found));
    let mut root = Router::new()
        .hoop(affix_state::inject(state))
        .push(Router::with_path("healthz").get(health::healthz))
        .push(Router::with_path("readyz").get(health::readyz))
        .push(api);
    if let Some(dir) = www {
        root = root.push(Router::with_path("{*path}").get(StaticDir::new([dir]).defaults("index.html")));
    }
    root
}

#[handler]
async fn api_not_found(req: &mut Request) -> ApiError {
    ApiError::not_found(format!("no API route for {} {}", req.method(), req.uri().path()))
}

/// The shared state every handler reads.
pub(crate) fn state(depot: &Depot) -> Result<&AppState, ApiError> {
    depot.get_typed::<AppState>().map_err(|_| {
        ApiError::new(salvo::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", "application state missing")
    })
}
