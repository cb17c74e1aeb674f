//! Binding and running the service: the HTTP server (REST, live updates, OTLP/HTTP, the web bundle) and, beside
//! it, the OTLP/gRPC receiver, which stops when the HTTP server stops.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use salvo::conn::TcpListener;
use salvo::prelude::*;
use salvo::server::ServerHandle;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::server::TcpIncoming;

use crate::otlp::grpc;
use crate::state::AppState;
use crate::tasks::BackgroundTasks;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn bind_error(addr: &str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> ServeError {
    ServeError::Bind { addr: addr.to_owned(), source: source.into() }
}

/// A server running in the background.
#[derive(Debug)]
pub struct RunningServer {
    pub addr: SocketAddr,
    handle: ServerHandle,
    task: JoinHandle<()>,
    grpc: Option<GrpcServer>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Runs `grpc` alongside: it stops when this server stops.
    pub fn with_grpc(mut self, grpc: GrpcServer) -> Self {
        self.grpc = Some(grpc);
        self
    }

    /// Where the OTLP/gRPC receiver listens, if it runs.
    pub fn grpc_addr(&self) -> Option<SocketAddr> {
        self.grpc.as_ref().map(|g| g.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits for the servers to end.
    pub async fn stop(self) {
        self.handle.stop_graceful(None);
        let _ = self.task.await;
        if let Some(grpc) = self.grpc {
            grpc.stop().await;
        }
    }

    /// Runs until the HTTP server ends or `signal` comes; then stops both servers, giving calls in flight up to
    /// `grace` to finish.
    pub async fn run_until(self, signal: impl Future<Output = ()>, grace: Duration) {
        let Self { addr: _, handle, mut task, grpc } = self;
        tokio::select! {
            _ = &mut task => {}
            () = signal => {
                handle.stop_graceful(Some(grace));
                let _ = task.await;
            }
        }
        if let Some(grpc) = grpc
            && tokio::time::timeout(grace, grpc.stop()).await.is_err()
        {
            tracing::warn!("the OTLP/gRPC receiver did not stop within {grace:?}");
        }
    }
}

/// Binds `addr` (port 0 picks a free port) and serves `service` in a background task of its own.
pub async fn start(service: impl Into<Service>, addr: &str) -> Result<RunningServer, ServeError> {
    start_in(service, addr, &BackgroundTasks::new()).await
}

/// [`start`], the server's task on `tasks` (stopping them ends it at once: stop the server gracefully first).
pub async fn start_in(
    service: impl Into<Service>,
    addr: &str,
    tasks: &BackgroundTasks,
) -> Result<RunningServer, ServeError> {
    let acceptor = TcpListener::new(addr.to_owned()).try_bind().await.map_err(|e| bind_error(addr, e))?;
    let local = acceptor.local_addr().map_err(|e| bind_error(addr, e))?;
    let server = Server::new(acceptor);
    let handle = server.handle();
    let service = service.into();
    let task = tasks.spawn(async move { server.serve(service).await });
    Ok(RunningServer { addr: local, handle, task, grpc: None })
}

/// The OTLP/gRPC receiver running in the background.
#[derive(Debug)]
pub struct GrpcServer {
    pub addr: SocketAddr,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl GrpcServer {
    /// Stops accepting calls, lets calls in flight finish, and waits for the server to end.
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Binds `addr` (port 0 picks a free port) and serves the OTLP/gRPC receiver over `state` in a task on
/// `state.tasks`.
pub async fn start_grpc(state: AppState, addr: &str) -> Result<GrpcServer, ServeError> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| bind_error(addr, e))?;
    let local = listener.local_addr().map_err(|e| bind_error(addr, e))?;
    let (shutdown, stopped) = oneshot::channel::<()>();
    let tasks = state.tasks.clone();
    let service = grpc::service(state);
    let task = tasks.spawn(async move {
        let served = tonic::transport::Server::builder()
            .serve_with_incoming_shutdown(service, TcpIncoming::from(listener), async {
                // A dropped sender stops the server as well.
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, addr = %local, "the OTLP/gRPC receiver stopped");
        }
    });
    Ok(GrpcServer { addr: local, shutdown, task })
}
