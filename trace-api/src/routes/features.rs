//! The deployment's feature switches, for hosts to read before they render (no credentials needed: they say
//! nothing about any execution).

use salvo::prelude::*;

use crate::error::ApiError;
use crate::features::Features;

/// Which optional parts of the UI this deployment shows.
#[endpoint(tags("operations"))]
pub async fn get(depot: &mut Depot) -> Result<Json<Features>, ApiError> {
    Ok(Json(super::state(depot)?.features))
}
