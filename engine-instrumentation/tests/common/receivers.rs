//! OTLP receivers on loopback: what an engine's exporter actually sends, decoded span by span and kept raw.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request: its body as received, and decoded.
type ReceivedRequest = (Vec<u8>, ExportTraceServiceRequest);

#[derive(Debug, Default, Clone)]
pub struct Received {
    inner: Arc<Mutex<Vec<ReceivedRequest>>>,
}

impl Received {
    fn push(&self, raw: Vec<u8>, request: ExportTraceServiceRequest) {
        match self.inner.lock() {
            Ok(mut all) => all.push((raw, request)),
            Err(poisoned) => poisoned.into_inner().push((raw, request)),
        }
    }

    fn all(&self) -> Vec<ReceivedRequest> {
        self.inner.lock().map(|r| r.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Every request body, as received on the wire.
    pub fn raw(&self) -> Vec<Vec<u8>> {
        self.all().into_iter().map(|(raw, _)| raw).collect()
    }

    /// Every span received, with the service name of its resource.
    pub fn spans(&self) -> Vec<(String, Span)> {
        let mut spans = Vec::new();
        for (_, request) in self.all() {
            for resource_spans in request.resource_spans {
                let service = resource_spans
                    .resource
                    .iter()
                    .flat_map(|r| &r.attributes)
                    .find(|kv| kv.key == "service.name")
                    .and_then(|kv| kv.value.as_ref())
                    .and_then(|v| match &v.value {
                        Some(opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s)) => {
                            Some(s.clone())
                        }
                        _ => None,
                    })
                    .unwrap_or_default();
                for scope in resource_spans.scope_spans {
                    spans.extend(scope.spans.into_iter().map(|s| (service.clone(), s)));
                }
            }
        }
        spans
    }
}

/// An OTLP/HTTP receiver: `POST /v1/traces` with `application/x-protobuf`.
pub struct HttpReceiver {
    pub addr: SocketAddr,
    pub received: Received,
    task: JoinHandle<()>,
}

impl HttpReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let received = Received::default();
        let sink = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sink = sink.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| accept(request, sink.clone()));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Ok(Self { addr, received, task })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for HttpReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept(request: Request<Incoming>, received: Received) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let ok_path = request.uri().path() == "/v1/traces";
    let body = request.into_body().collect().await?.to_bytes();
    let mut response = Response::new(Full::new(Bytes::from(ExportTraceServiceResponse::default().encode_to_vec())));
    match ExportTraceServiceRequest::decode(body.as_ref()) {
        Ok(decoded) if ok_path => received.push(body.to_vec(), decoded),
        _ => *response.status_mut() = hyper::StatusCode::BAD_REQUEST,
    }
    Ok(response)
}

/// An OTLP/gRPC receiver (the collector's TraceService).
pub struct GrpcReceiver {
    pub addr: SocketAddr,
    pub received: Received,
    task: JoinHandle<()>,
}

struct Collector(Received);

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let request = request.into_inner();
        self.0.push(request.encode_to_vec(), request);
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

impl GrpcReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let received = Received::default();
        let service = TraceServiceServer::new(Collector(received.clone()));
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let task = tokio::spawn(async move {
            let _ = tonic::transport::Server::builder().add_service(service).serve_with_incoming(incoming).await;
        });
        Ok(Self { addr, received, task })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for GrpcReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}
