//! API errors: every failure answers JSON `{"detail", "code"}` with the matching status.

use salvo::http::StatusCode;
use salvo::prelude::*;
use trace_model::ErrorBody;

use crate::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self { status, code, detail: detail.into() }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Unavailable(_) => {
                tracing::warn!(error = %e, "store unavailable");
                Self::new(StatusCode::SERVICE_UNAVAILABLE, "store_unavailable", "the trace store is unavailable")
            }
            _ => {
                tracing::error!(error = %e, "store failure");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the trace store failed; see the server log")
            }
        }
    }
}

impl Scribe for ApiError {
    fn render(self, res: &mut Response) {
        res.status_code(self.status);
        res.render(Json(ErrorBody { detail: self.detail, code: self.code.to_owned() }));
    }
}
