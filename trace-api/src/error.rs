//! API errors: every failure answers JSON `{"detail", "code"}` with the matching status.

use salvo::http::StatusCode;
use salvo::http::header::{HeaderValue, WWW_AUTHENTICATE};
use salvo::prelude::*;
use trace_model::ErrorBody;

use crate::auth::AuthError;
use crate::otlp::OtlpError;
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

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn too_large(limit: usize) -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("the body is larger than {limit} bytes"))
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", detail)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match &e {
            StoreError::Unavailable(source) => {
                tracing::warn!(error = %e, source = ?source, "store unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the trace store is unavailable; retry later",
                )
            }
            StoreError::ReadOnly => {
                tracing::warn!(error = %e, "store read-only");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_read_only",
                    "the trace store takes no writes; retry later",
                )
            }
            StoreError::Invalid(reason) => Self::bad_request("invalid_text", reason.clone()),
            StoreError::Unstorable(source) => {
                tracing::warn!(error = %source, "text the store cannot hold");
                Self::bad_request("invalid_text", "the request holds text the trace store cannot hold")
            }
            _ => {
                tracing::error!(error = %e, "store failure");
                Self::internal("the trace store failed; see the server log")
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Config(_) => Self::internal("authentication is misconfigured; see the server log"),
            AuthError::Missing | AuthError::Invalid(_) => {
                Self::new(StatusCode::UNAUTHORIZED, "unauthorized", e.to_string())
            }
        }
    }
}

impl From<OtlpError> for ApiError {
    fn from(e: OtlpError) -> Self {
        match e {
            OtlpError::TooLarge(limit) => Self::too_large(limit),
            OtlpError::ContentType(_) => {
                Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", e.to_string())
            }
            other => Self::bad_request("invalid_otlp", other.to_string()),
        }
    }
}

/// Error responses are listed on each endpoint (`responses(...)`), with their status codes.
impl salvo::oapi::EndpointOutRegister for ApiError {
    fn register(_: &mut salvo::oapi::Components, _: &mut salvo::oapi::Operation) {}
}

impl Scribe for ApiError {
    fn render(self, res: &mut Response) {
        res.status_code(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res.render(Json(ErrorBody { detail: self.detail, code: self.code.to_owned() }));
    }
}
