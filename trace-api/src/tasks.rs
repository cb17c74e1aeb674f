//! The one owner of the service's background tasks (the audit writer, the cache's evictions, the artifact writer,
//! retention, the demo's live loop, the servers): each runs on one tracker and ends when one token is cancelled, so
//! that shutdown can wait for all of them (docs/operations.md, "Stopping").

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Cloning shares the tracker and the token.
#[derive(Debug, Clone, Default)]
pub struct BackgroundTasks {
    tracker: TaskTracker,
    token: CancellationToken,
}

impl BackgroundTasks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `task` until it ends or the tasks are cancelled, whichever comes first; call inside the runtime.
    pub fn spawn<F>(&self, task: F) -> JoinHandle<()>
    where
        F: Future + Send + 'static,
    {
        let token = self.token.clone();
        self.tracker.spawn(async move {
            tokio::select! {
                () = token.cancelled() => {}
                _ = task => {}
            }
        })
    }

    /// A token cancelled with these tasks' (and cancellable on its own): for a task that stops before the rest.
    pub fn child_token(&self) -> CancellationToken {
        self.token.child_token()
    }

    /// Whether [`BackgroundTasks::stop`] has been called.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Cancels every task and waits up to `grace` for them to end; `false` if some had not ended by then.
    pub async fn stop(&self, grace: Duration) -> bool {
        self.token.cancel();
        self.tracker.close();
        tokio::time::timeout(grace, self.tracker.wait()).await.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stop_ends_every_task_and_waits_for_them() {
        let tasks = BackgroundTasks::new();
        let endless = tasks.spawn(std::future::pending::<()>());
        let child = tasks.child_token();
        let waits_for_child = tasks.spawn(async move { child.cancelled().await });
        assert!(!endless.is_finished());
        assert!(tasks.stop(Duration::from_secs(5)).await, "every task ended");
        assert!(endless.is_finished() && waits_for_child.is_finished());
        assert!(tasks.is_cancelled());
    }
}
