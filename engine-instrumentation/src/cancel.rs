//! Cancellation of a run: a token the caller (or a workflow timeout) trips, which every running node watches.

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

/// A cheap, cloneable cancellation signal with a reason. The first reason wins. Built on tokio-util's
/// [`CancellationToken`], which needs no runtime (an engine on any executor can await it); the reason, which the
/// trace shows as the cancelled spans' status, is what this adds.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    token: CancellationToken,
    reason: Arc<Mutex<Option<String>>>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    /// A token cancelled when `parent` is (with the reason `parent_reason`), or on its own: to tie a run to a
    /// host's shutdown, say.
    pub fn child_of(parent: &CancellationToken, parent_reason: impl Into<String>) -> Self {
        let token = Self { token: parent.child_token(), reason: Arc::default() };
        // Recorded up front and replaced by the first own reason; read only once the token is cancelled.
        *token.slot() = Some(parent_reason.into());
        token
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.reason.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn cancel(&self, reason: impl Into<String>) {
        {
            let mut slot = self.slot();
            if self.token.is_cancelled() {
                return;
            }
            *slot = Some(reason.into());
        }
        self.token.cancel();
    }

    /// The reason, once cancelled.
    pub fn reason(&self) -> Option<String> {
        if self.token.is_cancelled() { self.slot().clone() } else { None }
    }

    /// Resolves with the reason once the token is cancelled.
    pub async fn cancelled(&self) -> String {
        self.token.cancelled().await;
        self.reason().unwrap_or_default()
    }

    /// The underlying token, for code that selects on a [`CancellationToken`].
    pub fn token(&self) -> &CancellationToken {
        &self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn first_reason_wins_and_waiters_wake() {
        let token = CancelToken::new();
        assert_eq!(token.reason(), None);
        let waiter = tokio::spawn({
            let token = token.clone();
            async move { token.cancelled().await }
        });
        token.cancel("user");
        token.cancel("timeout");
        assert_eq!(waiter.await.ok().as_deref(), Some("user"));
        assert_eq!(token.reason().as_deref(), Some("user"));
        assert!(token.token().is_cancelled());
    }

    #[tokio::test]
    async fn a_child_is_cancelled_with_its_parent_or_alone() {
        let parent = CancellationToken::new();
        let alone = CancelToken::child_of(&parent, "shutdown");
        let with_parent = CancelToken::child_of(&parent, "shutdown");
        assert_eq!(with_parent.reason(), None, "not cancelled yet");
        alone.cancel("user");
        assert!(!parent.is_cancelled());
        parent.cancel();
        assert_eq!(with_parent.cancelled().await, "shutdown");
        assert_eq!(alone.reason().as_deref(), Some("user"));
    }
}
