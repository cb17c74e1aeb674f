//! OTLP receivers on loopback: what an engine's exporters actually send, spans and metrics, decoded and kept raw.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{ExportMetricsServiceRequest, ExportMetricsServiceResponse};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::metrics::v1::metric::Data;
use opentelemetry_proto::tonic::metrics::v1::number_data_point::Value as Number;
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request: its body as received, and decoded.
type ReceivedRequest<T> = (Vec<u8>, T);

/// Every request of one signal.
#[derive(Debug, Default, Clone)]
pub struct Received<T = ExportTraceServiceRequest> {
    inner: Arc<Mutex<Vec<ReceivedRequest<T>>>>,
}

impl<T: Clone> Received<T> {
    fn push(&self, raw: Vec<u8>, request: T) {
        match self.inner.lock() {
            Ok(mut all) => all.push((raw, request)),
            Err(poisoned) => poisoned.into_inner().push((raw, request)),
        }
    }

    fn all(&self) -> Vec<ReceivedRequest<T>> {
        self.inner.lock().map(|r| r.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    /// Every request body, as received on the wire.
    pub fn raw(&self) -> Vec<Vec<u8>> {
        self.all().into_iter().map(|(raw, _)| raw).collect()
    }
}

fn string_attribute(attributes: &[KeyValue], key: &str) -> Option<String> {
    attributes.iter().find(|kv| kv.key == key).and_then(|kv| kv.value.as_ref()).and_then(|v| match &v.value {
        Some(Any::StringValue(s)) => Some(s.clone()),
        _ => None,
    })
}

fn service_name(resource: Option<&Resource>) -> String {
    resource.and_then(|r| string_attribute(&r.attributes, "service.name")).unwrap_or_default()
}

impl Received<ExportTraceServiceRequest> {
    /// Every span received, with the service name of its resource.
    pub fn spans(&self) -> Vec<(String, Span)> {
        let mut spans = Vec::new();
        for (_, request) in self.all() {
            for resource_spans in request.resource_spans {
                let service = service_name(resource_spans.resource.as_ref());
                for scope in resource_spans.scope_spans {
                    spans.extend(scope.spans.into_iter().map(|s| (service.clone(), s)));
                }
            }
        }
        spans
    }
}

/// One data point of a sum metric, with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct SumPoint {
    pub service: String,
    pub scope: String,
    pub name: String,
    pub unit: String,
    pub monotonic: bool,
    /// `AggregationTemporality` as sent (2 is cumulative).
    pub temporality: i32,
    /// The `exporter` attribute.
    pub exporter: Option<String>,
    /// An integer value; `None` for a double.
    pub value: Option<i64>,
}

impl Received<ExportMetricsServiceRequest> {
    /// Every data point of every sum metric received, in the order received.
    pub fn sums(&self) -> Vec<SumPoint> {
        let mut points = Vec::new();
        for (_, request) in self.all() {
            for resource_metrics in request.resource_metrics {
                let service = service_name(resource_metrics.resource.as_ref());
                for scope_metrics in resource_metrics.scope_metrics {
                    let scope = scope_metrics.scope.map(|s| s.name).unwrap_or_default();
                    for metric in scope_metrics.metrics {
                        let Some(Data::Sum(sum)) = metric.data else { continue };
                        points.extend(sum.data_points.into_iter().map(|point| SumPoint {
                            service: service.clone(),
                            scope: scope.clone(),
                            name: metric.name.clone(),
                            unit: metric.unit.clone(),
                            monotonic: sum.is_monotonic,
                            temporality: sum.aggregation_temporality,
                            exporter: string_attribute(&point.attributes, "exporter"),
                            value: match point.value {
                                Some(Number::AsInt(v)) => Some(v),
                                _ => None,
                            },
                        }));
                    }
                }
            }
        }
        points
    }
}

/// An OTLP/HTTP receiver: `POST /v1/traces` and `POST /v1/metrics` with `application/x-protobuf`.
pub struct HttpReceiver {
    pub addr: SocketAddr,
    pub received: Received,
    pub metrics: Received<ExportMetricsServiceRequest>,
    task: JoinHandle<()>,
}

impl HttpReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let received = Received::default();
        let metrics = Received::default();
        let sinks = (received.clone(), metrics.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let sinks = sinks.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| accept(request, sinks.clone()));
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        Ok(Self { addr, received, metrics, task })
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

async fn accept(
    request: Request<Incoming>,
    (traces, metrics): (Received, Received<ExportMetricsServiceRequest>),
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let path = request.uri().path().to_owned();
    let body = request.into_body().collect().await?.to_bytes();
    let decoded = match path.as_str() {
        "/v1/traces" => ExportTraceServiceRequest::decode(body.as_ref())
            .map(|decoded| traces.push(body.to_vec(), decoded))
            .map(|()| ExportTraceServiceResponse::default().encode_to_vec()),
        "/v1/metrics" => ExportMetricsServiceRequest::decode(body.as_ref())
            .map(|decoded| metrics.push(body.to_vec(), decoded))
            .map(|()| ExportMetricsServiceResponse::default().encode_to_vec()),
        _ => {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = hyper::StatusCode::NOT_FOUND;
            return Ok(response);
        }
    };
    let mut response = Response::new(Full::new(Bytes::new()));
    match decoded {
        Ok(body) => *response.body_mut() = Full::new(Bytes::from(body)),
        Err(_) => *response.status_mut() = hyper::StatusCode::BAD_REQUEST,
    }
    Ok(response)
}

/// An OTLP/gRPC receiver (the collector's TraceService and MetricsService).
pub struct GrpcReceiver {
    pub addr: SocketAddr,
    pub received: Received,
    pub metrics: Received<ExportMetricsServiceRequest>,
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

struct MetricsCollector(Received<ExportMetricsServiceRequest>);

#[tonic::async_trait]
impl MetricsService for MetricsCollector {
    async fn export(
        &self,
        request: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        let request = request.into_inner();
        self.0.push(request.encode_to_vec(), request);
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}

impl GrpcReceiver {
    pub async fn start() -> anyhow::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let received = Received::default();
        let metrics = Received::default();
        let traces_service = TraceServiceServer::new(Collector(received.clone()));
        let metrics_service = MetricsServiceServer::new(MetricsCollector(metrics.clone()));
        let incoming = tonic::transport::server::TcpIncoming::from(listener);
        let task = tokio::spawn(async move {
            let _ = tonic::transport::Server::builder()
                .add_service(traces_service)
                .add_service(metrics_service)
                .serve_with_incoming(incoming)
                .await;
        });
        Ok(Self { addr, received, metrics, task })
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
