//! Cancellation of a run: a token the caller (or a workflow timeout) trips, which every running node watches.

use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

#[derive(Debug, Default)]
struct State {
    reason: Mutex<Option<String>>,
    notify: Notify,
}

/// A cheap, cloneable cancellation signal with a reason. The first reason wins.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    state: Arc<State>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self, reason: impl Into<String>) {
        {
            let mut slot = self.state.reason.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if slot.is_some() {
                return;
            }
            *slot = Some(reason.into());
        }
        self.state.notify.notify_waiters();
    }

    /// The reason, once cancelled.
    pub fn reason(&self) -> Option<String> {
        self.state.reason.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Resolves with the reason once the token is cancelled.
    pub async fn cancelled(&self) -> String {
        loop {
            // Register before checking, so a cancel between the check and the wait is not missed.
            let notified = self.state.notify.notified();
            if let Some(reason) = self.reason() {
                return reason;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn first_reason_wins_and_waiters_wake() {
        let token = CancelToken::new();
        let waiter = tokio::spawn({
            let token = token.clone();
            async move { token.cancelled().await }
        });
        token.cancel("user");
        token.cancel("timeout");
        assert_eq!(waiter.await.ok().as_deref(), Some("user"));
        assert_eq!(token.reason().as_deref(), Some("user"));
    }
}
