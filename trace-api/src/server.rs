//! Binding and running the service.

use std::net::SocketAddr;

use salvo::conn::TcpListener;
use salvo::prelude::*;
use salvo::server::ServerHandle;
use tokio::task::JoinHandle;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {reason}")]
    Bind { addr: String, reason: String },
}

/// A server running in the background.
#[derive(Debug)]
pub struct RunningServer {
    pub addr: SocketAddr,
    handle: ServerHandle,
    task: JoinHandle<()>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits for the server to end.
    pub async fn stop(self) {
        self.handle.stop_graceful(None);
        let _ = self.task.await;
    }

    /// Runs until the server ends.
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

/// Binds `addr` (port 0 picks a free port) and serves `router` in a background task.
pub async fn start(router: Router, addr: &str) -> Result<RunningServer, ServeError> {
    let acceptor = TcpListener::new(addr.to_owned())
        .try_bind()
        .await
        .map_err(|e| ServeError::Bind { addr: addr.to_owned(), reason: e.to_string() })?;
    let local = acceptor.local_addr().map_err(|e| ServeError::Bind { addr: addr.to_owned(), reason: e.to_string() })?;
    let server = Server::new(acceptor);
    let handle = server.handle();
    let task = tokio::spawn(async move { server.serve(router).await });
    Ok(RunningServer { addr: local, handle, task })
}
