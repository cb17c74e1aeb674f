//! Liveness, readiness and metrics.

use salvo::prelude::*;
use serde_json::json;

use trace_model::ErrorBody;

use crate::error::ApiError;

/// The process is up.
#[endpoint(tags("operations"))]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its store answers and takes writes (503 while it does not: a full disk, a read-only
/// file or replica).
#[endpoint(tags("operations"), responses((status_code = 200, description = "Ready."), (status_code = 503, description = "The store is unavailable or cannot write.", body = ErrorBody)))]
pub async fn readyz(depot: &mut Depot) -> Result<Json<serde_json::Value>, ApiError> {
    super::state(depot)?.store.ping_write().await?;
    Ok(Json(json!({ "status": "ready" })))
}

/// The service's metrics in the Prometheus text format.
#[endpoint(tags("operations"))]
pub async fn metrics(depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let text = super::state(depot)?.metrics.render();
    res.add_header("content-type", "text/plain; version=0.0.4; charset=utf-8", true)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    res.render(text);
    Ok(())
}
