//! The OTLP/gRPC receiver: `opentelemetry.proto.collector.trace.v1.TraceService/Export`, with the HTTP receiver's
//! rules (docs/api.md): a bearer token with `traces:write` in the `authorization` metadata, checked before the
//! message is read; the same checks, size limit and gzip; the same path into the store.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use tonic::codec::CompressionEncoding;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::{Request, Response, Status};

use super::receive::{Transport, receive};
use crate::auth::{AuthError, Authenticator, Principal, SCOPE_WRITE, bearer};
use crate::metrics::IngestResult;
use crate::state::AppState;
use crate::store::StoreError;

/// The gRPC service, ready to serve.
pub type GrpcService = InterceptedService<TraceServiceServer<Receiver>, Authorize>;

/// The receiver behind `state`: messages up to the OTLP size limit (after decompression), gzip both ways.
pub fn service(state: AppState) -> GrpcService {
    let authorize = Authorize { auth: Arc::clone(&state.auth) };
    let limit = state.otlp_max_bytes;
    let server = TraceServiceServer::new(Receiver { state })
        .max_decoding_message_size(limit)
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip);
    InterceptedService::new(server, authorize)
}

/// Authenticates every call from its metadata and hands the caller to [`Receiver`].
#[derive(Debug, Clone)]
pub struct Authorize {
    auth: Arc<Authenticator>,
}

impl Interceptor for Authorize {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        let token = request.metadata().get("authorization").and_then(|v| v.to_str().ok()).and_then(bearer);
        let principal = self.auth.authenticate(token).map_err(|e| match e {
            AuthError::Config(_) => {
                tracing::error!(error = %e, "authentication is misconfigured");
                Status::internal("authentication is misconfigured; see the server log")
            }
            AuthError::Missing | AuthError::Invalid(_) => Status::unauthenticated(e.to_string()),
        })?;
        if !principal.has_scope(SCOPE_WRITE) {
            return Err(Status::permission_denied(format!("this token lacks the {SCOPE_WRITE} scope")));
        }
        request.extensions_mut().insert(principal);
        Ok(request)
    }
}

#[derive(Debug)]
pub struct Receiver {
    state: AppState,
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        request: Request<ExportTraceServiceRequest>,
    ) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let principal = request
            .extensions()
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| Status::internal("the caller was not authenticated"))?;
        let request = request.into_inner();
        if let Err(e) = super::validate(&request) {
            self.state.metrics.ingested("otlp", Transport::Grpc.label(), 0, IngestResult::Failed);
            return Err(Status::invalid_argument(e.to_string()));
        }
        let receipt = receive(&self.state, &principal, &request, Transport::Grpc).await.map_err(store_status)?;
        Ok(Response::new(receipt.response()))
    }
}

/// UNAVAILABLE tells OTLP exporters to retry; anything else is the server's fault.
fn store_status(e: StoreError) -> Status {
    match &e {
        StoreError::Unavailable(source) => {
            tracing::warn!(error = %e, source = ?source, "store unavailable");
            Status::unavailable("the trace store is unavailable; retry later")
        }
        _ => {
            tracing::error!(error = %e, "store failure");
            Status::internal("the trace store failed; see the server log")
        }
    }
}
