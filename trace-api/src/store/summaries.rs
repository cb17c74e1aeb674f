//! When to recount an execution's summary. Recounting reads all of the execution's spans, so while a run is
//! going its summary is recounted by at most one batch per interval; once it has finished (its root span has
//! ended) every batch recounts it. The final summary is always exact; a running one may miss the spans of the
//! batches written since its last recount.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const INTERVAL: Duration = Duration::from_secs(1);
/// Forget executions not written for a while, so the map stays small.
const FORGET_AFTER: Duration = Duration::from_secs(600);

#[derive(Debug, Clone, Default)]
pub struct SummaryClock {
    last: Arc<Mutex<HashMap<String, Instant>>>,
}

impl SummaryClock {
    /// True (and the clock reset) when `execution_id` was not recounted within the interval.
    pub fn due(&self, execution_id: &str) -> bool {
        let now = Instant::now();
        let mut last = self.last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.len() > 10_000 {
            last.retain(|_, at| now.duration_since(*at) < FORGET_AFTER);
        }
        match last.get(execution_id) {
            Some(at) if now.duration_since(*at) < INTERVAL => false,
            _ => {
                last.insert(execution_id.to_owned(), now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_call_is_due_then_not_within_the_interval() {
        let clock = SummaryClock::default();
        assert!(clock.due("a"));
        assert!(!clock.due("a"));
        assert!(clock.due("b"));
    }
}
