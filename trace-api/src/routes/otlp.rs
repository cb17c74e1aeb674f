//! `POST /v1/traces`: the OTLP/HTTP receiver. A request is decoded and checked whole before anything is stored,
//! and stored in one transaction: a bad body changes nothing. Spans outside the caller's workspaces are refused
//! one by one and reported as OTLP partial success; the rest are stored.

use salvo::http::header::{CONTENT_ENCODING, CONTENT_TYPE, HeaderValue};
use salvo::prelude::*;

use trace_model::ErrorBody;

use super::access::authorize;
use crate::auth::SCOPE_WRITE;
use crate::error::ApiError;
use crate::metrics::IngestResult;
use crate::otlp::{self, Encoding, Transport};

/// The OTLP/HTTP trace receiver: `ExportTraceServiceRequest` as `application/x-protobuf` or `application/json`,
/// optionally gzip-compressed. Needs the `traces:write` scope; spans go only into the token's workspaces.
#[endpoint(
    tags("otlp"),
    security(("bearer" = [])),
    responses(
        (status_code = 200, description = "Stored; an ExportTraceServiceResponse in the request's encoding. Spans the store refused (another workspace's execution, a changed ended span) are counted in partialSuccess.rejectedSpans with the reasons in partialSuccess.errorMessage; every other span is stored."),
        (status_code = 400, description = "The body is not a valid OTLP trace export; nothing was stored.", body = ErrorBody),
        (status_code = 401, description = "No valid token.", body = ErrorBody),
        (status_code = 403, description = "The token lacks traces:write.", body = ErrorBody),
        (status_code = 413, description = "The body is over the size limit.", body = ErrorBody),
        (status_code = 415, description = "Not protobuf or JSON.", body = ErrorBody),
        (status_code = 503, description = "The store is unavailable; retry.", body = ErrorBody),
    )
)]
pub async fn receive(req: &mut Request, depot: &mut Depot, res: &mut Response) -> Result<(), ApiError> {
    let state = super::state(depot)?;
    let principal = authorize(depot, SCOPE_WRITE)?;
    let header = |name| req.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
    let encoding = Encoding::of_content_type(&header(CONTENT_TYPE).unwrap_or_default())?;
    let content_encoding = header(CONTENT_ENCODING);
    let limit = state.otlp_max_bytes;
    let body = req.payload_with_max_size(limit).await.map_err(|_| ApiError::too_large(limit))?.to_vec();
    let request = match otlp::decode(&body, encoding, content_encoding.as_deref(), limit) {
        Ok(request) => request,
        Err(e) => {
            state.metrics.ingested("otlp", Transport::Http.label(), 0, IngestResult::Failed);
            return Err(e.into());
        }
    };
    let receipt = otlp::receive(state, principal, &request, Transport::Http).await?;
    res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(encoding.content_type()));
    res.write_body(otlp::encode_response(encoding, &receipt.response()))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(())
}
