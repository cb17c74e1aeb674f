//! A small real HTTP server on loopback for the HTTP sample: answers every path with JSON (`/fail` with 503) and
//! remembers what it received, so tests can check that the trace context arrived.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// One request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    pub traceparent: Option<String>,
}

type Log = Arc<Mutex<Vec<ReceivedRequest>>>;

/// The server runs until dropped.
#[derive(Debug)]
pub struct LoopbackServer {
    addr: SocketAddr,
    received: Log,
    task: JoinHandle<()>,
}

impl LoopbackServer {
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let received = Log::default();
        let task = tokio::spawn(serve(listener, Arc::clone(&received)));
        Ok(Self { addr, received, task })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn received(&self) -> Vec<ReceivedRequest> {
        self.received.lock().map(|r| r.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(listener: TcpListener, received: Log) {
    while let Ok((stream, _)) = listener.accept().await {
        let received = Arc::clone(&received);
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, Arc::clone(&received)));
            // A client that hangs up mid-request is not the server's problem.
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn answer(request: Request<Incoming>, received: Log) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let entry = ReceivedRequest {
        method: request.method().to_string(),
        path: path.clone(),
        traceparent: request.headers().get("traceparent").and_then(|v| v.to_str().ok()).map(str::to_owned),
    };
    match received.lock() {
        Ok(mut log) => log.push(entry),
        Err(poisoned) => poisoned.into_inner().push(entry),
    }
    let (status, body) = if path == "/fail" {
        (StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"inventory service unavailable"}"#)
    } else {
        (StatusCode::OK, r#"{"sku":"A-1","in_stock":42}"#)
    };
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    Ok(response)
}
