//! Deletes finished executions older than `TRACE_API_RETENTION_DAYS`, at start-up and then hourly, a batch at a
//! time so that no one transaction holds the store for long.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::store::Store;
use crate::tasks::BackgroundTasks;

const BATCH: u32 = 100;
const EVERY: Duration = Duration::from_secs(3600);
const AFTER_ERROR: Duration = Duration::from_secs(60);

/// Starts the sweeper on `tasks`; call inside the service's runtime. It runs until the tasks are stopped.
pub fn start(store: Store, keep: Duration, tasks: &BackgroundTasks) {
    tasks.spawn(async move {
        loop {
            let Some(cutoff) = cutoff(chrono::Utc::now(), keep) else {
                tokio::time::sleep(EVERY).await;
                continue;
            };
            match store.delete_finished_before(&cutoff, BATCH).await {
                Ok(ids) => {
                    if !ids.is_empty() {
                        tracing::info!(executions = ids.len(), "retention: deleted old executions");
                    }
                    // A full batch: there may be more right away.
                    if ids.len() < BATCH as usize {
                        tokio::time::sleep(EVERY).await;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "retention: old executions not deleted yet; retrying");
                    tokio::time::sleep(AFTER_ERROR).await;
                }
            }
        }
    });
}

/// What finished before this goes; `None` when `keep` reaches back further than the calendar (nothing is that old).
fn cutoff(now: DateTime<Utc>, keep: Duration) -> Option<DateTime<Utc>> {
    chrono::Duration::from_std(keep).ok().and_then(|keep| now.checked_sub_signed(keep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_the_period_before_now_and_never_overflows() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let month = cutoff(now, Duration::from_secs(30 * 86_400));
        assert_eq!(month, DateTime::from_timestamp(1_800_000_000 - 30 * 86_400, 0));
        assert_eq!(cutoff(now, Duration::from_secs(u64::MAX)), None);
        assert_eq!(cutoff(now, Duration::from_secs(400_000 * 365 * 86_400)), None);
    }
}
