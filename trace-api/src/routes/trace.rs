//! `GET /api/executions/{id}/trace`: an execution with its spans, depth first, a page at a time.

use salvo::prelude::*;
use trace_model::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, PageInfo, SpanTree, TraceResponse};

use super::params;
use crate::error::ApiError;

#[handler]
pub async fn get(req: &mut Request, depot: &mut Depot) -> Result<Json<TraceResponse>, ApiError> {
    let id = req.param::<String>("id").unwrap_or_default();
    let (offset, limit) = page_from(req)?;
    let store = &super::state(depot)?.store;
    let execution =
        store.execution(&id).await?.ok_or_else(|| ApiError::not_found(format!("execution {id:?} not found")))?;
    let spans = store.spans(&id).await?;
    let tree = SpanTree::build(&spans);
    let order = tree.depth_first();
    let total = order.len();
    let end = offset.saturating_add(limit).min(total);
    let mut spans: Vec<Option<_>> = spans.into_iter().map(Some).collect();
    let page = order.get(offset..end).unwrap_or_default().iter().filter_map(|&i| spans[i].take()).collect();
    let has_next_page = end < total;
    let page_info =
        PageInfo { has_next_page, cursor: has_next_page.then(|| end.to_string()), total_spans: total as u64 };
    Ok(Json(TraceResponse { execution, spans: page, page_info }))
}

/// The page position: the cursor is the depth-first offset of the page's first span.
fn page_from(req: &Request) -> Result<(usize, usize), ApiError> {
    Ok((params::cursor(req)?.unwrap_or(0), params::limit(req, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT)?))
}
