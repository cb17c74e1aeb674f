//! `GET /api/executions/{id}/trace`: an execution with its spans, depth first, a page at a time.
//!
//! Paging is pinned: the first page records how far span arrival had got, and later pages order exactly those
//! spans, so no span is missed or repeated while a running execution keeps adding spans (they arrive live, or on
//! the next read). Finished traces are cached and carry an ETag.

mod artifacts;

use salvo::http::StatusCode;
use salvo::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, HeaderValue, IF_NONE_MATCH};
use salvo::oapi::extract::{PathParam, QueryParam};
use salvo::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use trace_model::{DEFAULT_PAGE_LIMIT, ErrorBody, Execution, MAX_PAGE_LIMIT, PageInfo, TraceResponse};

use super::access::{authorize, bearer_token, not_found, visible_execution};
use super::params;
use crate::auth::SCOPE_READ;
use crate::cache::CachedPage;
use crate::error::ApiError;
use crate::links::links_for;
use crate::state::AppState;

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
    let cache_key = cursor_text.unwrap_or_default();
    // A cached page is of a finished execution, and any change to that execution evicts it: serving it needs
    // no read of the store, only the workspace check against the workspace it was cached with.
    if let Some(page) = state.cache.get(&id, &cache_key, limit) {
        if !principal.can_see(&page.workspace) {
            return Err(not_found(&id));
        }
        if cursor.is_none() {
            state.audit.record(&principal.subject, "trace.view", &id, &page.workspace).await;
        }
        return respond(req, res, &page, true);
    }
    let (workspace, execution) = visible_execution(state, &principal, &id).await?;
    if cursor.is_none() {
        state.audit.record(&principal.subject, "trace.view", &id, &workspace).await;
    }
    let finished = execution.status.is_finished();
    let body = page_body(state, execution, cursor, limit).await?;
    // Only finished pages carry an ETag: a running execution's page changes without notice.
    let etag = if finished { etag_of(&body) } else { String::new() };
    let page = CachedPage { etag, body: body.into(), workspace };
    let page = if finished { state.cache.put(&id, &cache_key, limit, page) } else { std::sync::Arc::new(page) };
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
    let stored = state.store.span_payloads(&execution.id, &snapshot.order[offset..end]).await?;
    // Checked, not parsed: the stored text goes out verbatim, so it must be JSON, one value per span.
    let stored: Vec<&RawValue> =
        serde_json::from_str(&stored).map_err(|e| ApiError::internal(format!("stored span payloads: {e}")))?;
    let artifacts = state.store.artifacts_of(&execution.id).await?;
    let changed = artifacts::attach(&stored, &artifacts).map_err(|e| ApiError::internal(e.to_string()))?;
    let spans: Vec<&RawValue> =
        stored.iter().enumerate().map(|(i, raw)| changed.get(&i).map_or(*raw, |span| &**span)).collect();
    execution.links = links_for(&state.links, &execution);
    let has_next_page = end < total;
    let page_info = PageInfo {
        has_next_page,
        cursor: has_next_page.then(|| Cursor { max_seq: snapshot.max_seq, offset: end }.encode()),
        total_spans: total as u64,
    };
    let page = RawTraceResponse { execution: &execution, spans: &spans, page_info: &page_info };
    let size = spans.iter().map(|span| span.get().len() + 1).sum::<usize>() + 1024;
    let mut body = Vec::with_capacity(size);
    serde_json::to_writer(&mut body, &page).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(body)
}

/// A [`TraceResponse`] whose spans are their stored JSON, written out as stored (a test keeps the two alike).
#[derive(Serialize)]
struct RawTraceResponse<'a> {
    execution: &'a Execution,
    spans: &'a [&'a RawValue],
    page_info: &'a PageInfo,
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

    #[test]
    fn a_spliced_page_is_the_trace_response_it_stands_for() {
        let span = trace_model::Span {
            span_id: "00000000000000a1".into(),
            parent_span_id: Some("00000000000000a0".into()),
            name: "node n1".into(),
            kind: trace_model::SpanKind::Node,
            start_time: chrono::DateTime::from_timestamp(1_800_000_000, 5_000).unwrap_or_default(),
            end_time: None,
            duration_ms: None,
            status: trace_model::SpanStatus::default(),
            attributes: [("k".to_owned(), serde_json::json!([1, "two"]))].into_iter().collect(),
            events: vec![],
            links: vec![],
            token_usage: None,
            artifacts: vec![],
        };
        let expected = TraceResponse {
            execution: serde_json::from_value(serde_json::json!({"id": "ex", "workflow_id": "wf", "span_count": 2}))
                .unwrap_or_else(|e| panic!("{e}")),
            spans: vec![span.clone(), span],
            page_info: PageInfo { has_next_page: true, cursor: Some("v1.3.2".into()), total_spans: 9 },
        };
        let owned: Vec<Box<RawValue>> = expected
            .spans
            .iter()
            .map(|s| serde_json::value::to_raw_value(s).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let raw: Vec<&RawValue> = owned.iter().map(|span| &**span).collect();
        let spliced = RawTraceResponse { execution: &expected.execution, spans: &raw, page_info: &expected.page_info };
        let text = serde_json::to_string(&spliced).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(serde_json::from_str::<TraceResponse>(&text).unwrap_or_else(|e| panic!("{e}")), expected);
        assert_eq!(text, serde_json::to_string(&expected).unwrap_or_else(|e| panic!("{e}")));
    }
}
