//! `GET /api/executions/{id}/trace`: an execution with its spans, depth first, a page at a time.
//!
//! Paging is pinned: the first page records how far span arrival had got, and later pages order exactly those
//! spans, so no span is missed or repeated while a running execution keeps adding spans (they arrive live, or on
//! the next read). Finished traces are cached and carry an ETag.

use std::collections::{HashMap, HashSet};

use salvo::http::StatusCode;
use salvo::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH};
use salvo::oapi::extract::{PathParam, QueryParam};
use salvo::prelude::*;
use sha2::{Digest, Sha256};
use trace_model::conventions::{ARTIFACT_ID, ARTIFACT_IDS, str_attr};
use trace_model::{ArtifactRef, DEFAULT_PAGE_LIMIT, ErrorBody, MAX_PAGE_LIMIT, PageInfo, Span, TraceResponse};

use super::access::{authorize, bearer_token, visible_execution};
use super::params;
use crate::auth::SCOPE_READ;
use crate::cache::CachedPage;
use crate::error::ApiError;
use crate::links::links_for;
use crate::state::AppState;
use crate::store::ArtifactMeta;

/// Where a page starts: the arrival watermark of the first page and the depth-first offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    max_seq: i64,
    offset: usize,
}

impl Cursor {
    fn encode(self) -> String {
        format!("v1.{}.{}", self.max_seq, self.offset)
    }

    fn decode(text: &str) -> Option<Self> {
        let mut parts = text.strip_prefix("v1.")?.split('.');
        let cursor = Self { max_seq: parts.next()?.parse().ok()?, offset: parts.next()?.parse().ok()? };
        parts.next().is_none().then_some(cursor)
    }
}

/// An execution with its spans, depth first (parents before children), a page at a time.
///
/// Finished executions carry an ETag (send `If-None-Match` for a 304). Viewing is recorded in the audit trail.
#[endpoint(
    tags("traces"),
    security(("bearer" = [])),
    parameters(
        ("id", description = "The execution id."),
        ("cursor", description = "`page_info.cursor` of the previous page; pages stay stable while spans arrive."),
        ("limit", description = "Spans per page, 1 to 5000 (default 500)."),
    ),
    responses(
        (status_code = 200, description = "A page of the trace.", body = TraceResponse),
        (status_code = 304, description = "Not modified (finished executions, with If-None-Match)."),
        (status_code = 400, description = "A parameter is invalid.", body = ErrorBody),
        (status_code = 401, description = "No valid token.", body = ErrorBody),
        (status_code = 403, description = "The token lacks workflows:read.", body = ErrorBody),
        (status_code = 404, description = "No such execution in the caller's workspaces.", body = ErrorBody),
        (status_code = 503, description = "The store is unavailable.", body = ErrorBody),
    )
)]
pub async fn get(
    req: &mut Request,
    depot: &mut Depot,
    res: &mut Response,
    id: PathParam<String>,
    cursor: QueryParam<String, false>,
    limit: QueryParam<String, false>,
) -> Result<(), ApiError> {
    let state = super::state(depot)?;
    let principal = authorize(state, bearer_token(req), SCOPE_READ)?;
    let id = id.into_inner();
    let cursor_text = params::text(cursor.into_inner());
    let cursor = params::cursor(cursor_text.clone(), Cursor::decode)?;
    let limit = params::limit(limit.into_inner(), DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT)?;
    let (workspace, execution) = visible_execution(state, &principal, &id).await?;
    if cursor.is_none() {
        state.audit.record(&principal.subject, "trace.view", &id, &workspace).await;
    }
    let cache_key = cursor_text.unwrap_or_default();
    let finished = execution.status.is_finished();
    let cached = if finished { state.cache.get(&id, &cache_key, limit) } else { None };
    let page = match cached {
        Some(page) => page,
        None => {
            let body = page_body(state, execution, cursor, limit).await?;
            let page = CachedPage { etag: etag_of(&body), body };
            if finished { state.cache.put(&id, &cache_key, limit, page) } else { std::sync::Arc::new(page) }
        }
    };
    respond(req, res, &page, finished)
}

async fn page_body(
    state: &AppState,
    mut execution: trace_model::Execution,
    cursor: Option<Cursor>,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    let snapshot = state.store.snapshot(&execution.id, cursor.map(|c| c.max_seq)).await?;
    let total = snapshot.order.len();
    let offset = cursor.map_or(0, |c| c.offset).min(total);
    let end = offset.saturating_add(limit).min(total);
    let mut spans = state.store.spans_by_id(&execution.id, &snapshot.order[offset..end]).await?;
    let artifacts = state.store.artifacts_of(&execution.id).await?;
    attach_artifacts(&mut spans, &artifacts);
    execution.links = links_for(&state.links, &execution);
    let has_next_page = end < total;
    let page_info = PageInfo {
        has_next_page,
        cursor: has_next_page.then(|| Cursor { max_seq: snapshot.max_seq, offset: end }.encode()),
        total_spans: total as u64,
    };
    serde_json::to_vec(&TraceResponse { execution, spans, page_info }).map_err(|e| ApiError::internal(e.to_string()))
}

/// Each stored artifact shows on one span of the page: the span that produced it (by span id, or its own
/// `orcheo.artifact.id`), else the first span naming it in `orcheo.artifact.ids`. Spans that already list an
/// artifact (the instrumentation fills them) keep it.
fn attach_artifacts(spans: &mut [Span], artifacts: &[ArtifactMeta]) {
    if artifacts.is_empty() {
        return;
    }
    let by_id: HashMap<&str, &ArtifactMeta> = artifacts.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut placed: HashSet<String> = spans.iter().flat_map(|s| s.artifacts.iter().map(|a| a.id.clone())).collect();
    for span in spans.iter_mut() {
        let mut produced: Vec<String> = artifacts
            .iter()
            .filter(|a| a.span_id.as_deref() == Some(span.span_id.as_str()))
            .map(|a| a.id.clone())
            .collect();
        produced.extend(str_attr(&span.attributes, ARTIFACT_ID).map(str::to_owned));
        place(span, produced.iter().map(String::as_str), &by_id, &mut placed);
    }
    for span in spans.iter_mut() {
        let named: Vec<String> = match span.attributes.get(ARTIFACT_IDS) {
            Some(serde_json::Value::Array(list)) => list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
            Some(serde_json::Value::String(text)) => text.split(',').map(|id| id.trim().to_owned()).collect(),
            _ => Vec::new(),
        };
        place(span, named.iter().map(String::as_str), &by_id, &mut placed);
    }
}

fn place<'a>(
    span: &mut Span,
    ids: impl Iterator<Item = &'a str>,
    by_id: &HashMap<&str, &ArtifactMeta>,
    placed: &mut HashSet<String>,
) {
    for id in ids {
        let Some(meta) = by_id.get(id) else { continue };
        if placed.insert(meta.id.clone()) {
            span.artifacts.push(ArtifactRef {
                id: meta.id.clone(),
                name: meta.name.clone(),
                content_type: meta.content_type.clone(),
                size_bytes: meta.size_bytes,
                download_url: format!("/api/artifacts/{}/download", meta.id),
            });
        }
    }
}

fn etag_of(body: &[u8]) -> String {
    let digest = hex::encode(Sha256::digest(body));
    format!("\"{}\"", &digest[..32])
}

fn respond(req: &Request, res: &mut Response, page: &CachedPage, finished: bool) -> Result<(), ApiError> {
    let headers = res.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Clients revalidate every time: a running execution changes, a finished one answers 304 cheaply.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    if finished {
        let etag = HeaderValue::from_str(&page.etag).map_err(|e| ApiError::internal(e.to_string()))?;
        headers.insert(ETAG, etag);
        let matches = req
            .headers()
            .get(IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|tag| tag.trim().trim_start_matches("W/") == page.etag));
        if matches {
            res.status_code(StatusCode::NOT_MODIFIED);
            return Ok(());
        }
    }
    res.write_body(page.body.clone()).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_anything_else() {
        let c = Cursor { max_seq: 42, offset: 500 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        for bad in ["", "500", "v1.42", "v1.42.x", "v1.42.5.1", "v2.1.1", "v1.-1.5x"] {
            assert_eq!(Cursor::decode(bad), None, "{bad}");
        }
    }
}
