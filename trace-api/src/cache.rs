//! An in-memory TTL cache of finished trace pages (the serialized body and its ETag). A change to an execution —
//! a late span, an artifact — evicts its pages at once, so a cached page answers without reading the store.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use moka::sync::Cache;
use salvo::hyper::body::Bytes;

use crate::store::Store;
use crate::tasks::BackgroundTasks;

/// Execution id, cursor, limit.
type PageKey = (String, String, usize);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPage {
    /// The body's buffers, in order; shared, so that answering with them copies no bytes.
    pub body: Vec<Bytes>,
    pub etag: String,
    /// The execution's workspace, for the access check of later requests.
    pub workspace: String,
}

/// Taken before a page is read from the store: [`TraceCache::put`] keeps the page only if no change to the
/// execution was noticed in between, so a page read just before a change is never cached after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ticket {
    generation: u64,
    epoch: u64,
}

#[derive(Clone)]
struct Pages {
    pages: Cache<PageKey, (Ticket, Arc<CachedPage>)>,
    /// Raised by each change notice of an execution. Kept longer than any page: a generation forgotten reads 0,
    /// which only turns pages of older generations into misses.
    generations: Cache<String, u64>,
    /// Raised when notices were lost: every page goes.
    epoch: Arc<AtomicU64>,
}

impl Pages {
    fn ticket(&self, execution_id: &str) -> Ticket {
        Ticket {
            generation: self.generations.get(execution_id).unwrap_or(0),
            epoch: self.epoch.load(Ordering::Acquire),
        }
    }

    fn changed(&self, execution_id: String) {
        self.generations
            .entry(execution_id.clone())
            .and_upsert_with(|current| current.map_or(1, |g| g.into_value() + 1));
        let _ = self.pages.invalidate_entries_if(move |key, _| key.0 == execution_id);
    }

    fn lost_notices(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.pages.invalidate_all();
    }
}

#[derive(Clone)]
pub struct TraceCache {
    pages: Option<Pages>,
}

impl std::fmt::Debug for TraceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceCache").field("entries", &self.pages.as_ref().map(|p| p.pages.entry_count())).finish()
    }
}

/// Bodies up to this many bytes in total are kept.
const MAX_WEIGHT: u64 = 256 * 1024 * 1024;

impl TraceCache {
    /// A cache whose entries live `ttl` (none at all for a zero TTL), evicted on the store's change notices by a
    /// task on `tasks`.
    pub fn new(ttl: Duration, store: &Store, tasks: &BackgroundTasks) -> Self {
        if ttl.is_zero() {
            return Self { pages: None };
        }
        let pages = Pages {
            pages: Cache::builder()
                .time_to_live(ttl)
                .weigher(|_, (_, page): &(Ticket, Arc<CachedPage>)| {
                    u32::try_from(page.body.iter().map(Bytes::len).sum::<usize>()).unwrap_or(u32::MAX)
                })
                .max_capacity(MAX_WEIGHT)
                .support_invalidation_closures()
                .build(),
            generations: Cache::builder().time_to_idle(ttl * 2 + Duration::from_secs(60)).max_capacity(100_000).build(),
            epoch: Arc::new(AtomicU64::new(0)),
        };
        let mut changes = store.changes().subscribe();
        let evict = pages.clone();
        // Only a handle to the cache: the task ends when the store's channel closes or the tasks are stopped.
        tasks.spawn(async move {
            loop {
                match changes.recv().await {
                    Ok(execution_id) => evict.changed(execution_id),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => evict.lost_notices(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Self { pages: Some(pages) }
    }

    /// The cached page, unless its execution changed since it was read.
    pub fn get(&self, execution_id: &str, cursor: &str, limit: usize) -> Option<Arc<CachedPage>> {
        let pages = self.pages.as_ref()?;
        let (ticket, page) = pages.pages.get(&(execution_id.to_owned(), cursor.to_owned(), limit))?;
        (ticket == pages.ticket(execution_id)).then_some(page)
    }

    /// Take before reading the page from the store; give it to [`TraceCache::put`].
    pub fn ticket(&self, execution_id: &str) -> Ticket {
        self.pages.as_ref().map_or_else(Ticket::default, |pages| pages.ticket(execution_id))
    }

    /// Keeps `page` unless the execution changed since `ticket` was taken; returns it either way.
    pub fn put(
        &self,
        execution_id: &str,
        cursor: &str,
        limit: usize,
        page: CachedPage,
        ticket: Ticket,
    ) -> Arc<CachedPage> {
        let page = Arc::new(page);
        if let Some(pages) = &self.pages
            && pages.ticket(execution_id) == ticket
        {
            pages.pages.insert((execution_id.to_owned(), cursor.to_owned(), limit), (ticket, Arc::clone(&page)));
        }
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> CachedPage {
        CachedPage { body: vec![Bytes::from_static(b"{}")], etag: "\"e\"".into(), workspace: "w".into() }
    }

    #[tokio::test]
    async fn a_page_read_before_a_change_is_not_served_after_it() -> Result<(), crate::store::StoreError> {
        let store = Store::connect("sqlite::memory:").await?;
        let cache = TraceCache::new(Duration::from_secs(60), &store, &BackgroundTasks::new());
        let pages = cache.pages.clone().expect("a cache with a TTL");

        // Read, change, then put (the page holds what was there before the change): not kept.
        let ticket = cache.ticket("ex");
        pages.changed("ex".to_owned());
        cache.put("ex", "", 500, page(), ticket);
        assert!(cache.get("ex", "", 500).is_none());

        // Read and put, then the change is noticed: no longer served.
        cache.put("ex", "", 500, page(), cache.ticket("ex"));
        assert!(cache.get("ex", "", 500).is_some());
        pages.changed("ex".to_owned());
        assert!(cache.get("ex", "", 500).is_none());

        // Another execution's change leaves the page; lost notices take every page.
        cache.put("ex", "", 500, page(), cache.ticket("ex"));
        pages.changed("other".to_owned());
        assert!(cache.get("ex", "", 500).is_some());
        pages.lost_notices();
        assert!(cache.get("ex", "", 500).is_none());
        Ok(())
    }
}
