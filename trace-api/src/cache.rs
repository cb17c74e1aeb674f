//! An in-memory TTL cache of finished trace pages (the serialized body and its ETag). A change to an execution —
//! a late span, an artifact — evicts its pages at once, so a cached page answers without reading the store.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use salvo::hyper::body::Bytes;

use crate::store::Store;

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

#[derive(Clone)]
pub struct TraceCache {
    pages: Option<Cache<PageKey, Arc<CachedPage>>>,
}

impl std::fmt::Debug for TraceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceCache").field("entries", &self.pages.as_ref().map(Cache::entry_count)).finish()
    }
}

/// Bodies up to this many bytes in total are kept.
const MAX_WEIGHT: u64 = 256 * 1024 * 1024;

impl TraceCache {
    /// A cache whose entries live `ttl` (none at all for a zero TTL), evicted on the store's change notices.
    pub fn new(ttl: Duration, store: &Store) -> Self {
        if ttl.is_zero() {
            return Self { pages: None };
        }
        let pages: Cache<PageKey, Arc<CachedPage>> = Cache::builder()
            .time_to_live(ttl)
            .weigher(|_, page: &Arc<CachedPage>| {
                u32::try_from(page.body.iter().map(Bytes::len).sum::<usize>()).unwrap_or(u32::MAX)
            })
            .max_capacity(MAX_WEIGHT)
            .support_invalidation_closures()
            .build();
        let mut changes = store.changes().subscribe();
        let evict = pages.clone();
        // Only a handle to the cache: the task ends when the store's channel closes.
        tokio::spawn(async move {
            loop {
                match changes.recv().await {
                    Ok(execution_id) => {
                        let _ = evict.invalidate_entries_if(move |key, _| key.0 == execution_id);
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => evict.invalidate_all(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Self { pages: Some(pages) }
    }

    pub fn get(&self, execution_id: &str, cursor: &str, limit: usize) -> Option<Arc<CachedPage>> {
        self.pages.as_ref()?.get(&(execution_id.to_owned(), cursor.to_owned(), limit))
    }

    pub fn put(&self, execution_id: &str, cursor: &str, limit: usize, page: CachedPage) -> Arc<CachedPage> {
        let page = Arc::new(page);
        if let Some(pages) = &self.pages {
            pages.insert((execution_id.to_owned(), cursor.to_owned(), limit), Arc::clone(&page));
        }
        page
    }
}
