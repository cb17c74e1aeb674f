//! Liveness and readiness probes.

use salvo::prelude::*;
use serde_json::json;

use crate::error::ApiError;

/// The process is up.
#[handler]
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: its store answers.
#[handler]
pub async fn readyz(depot: &mut Depot) -> Result<Json<serde_json::Value>, ApiError> {
    super::state(depot)?.store.ping().await?;
    Ok(Json(json!({ "status": "ready" })))
}
