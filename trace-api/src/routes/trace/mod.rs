//! `GET /api/executions/{id}/trace`: an execution with its spans, depth first, a page at a time.
//!
//! Paging is pinned: the first page records how far span arrival had got, and later pages order exactly those
//! spans, so no span is missed or repeated while a running execution keeps adding spans (they arrive live, or on
//! the next read). Finished traces are cached and carry an ETag.

mod artifacts;

use salvo::http::ResBody;
use salvo::http::StatusCode;
use salvo::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use salvo::http::headers::{ETag, HeaderMapExt, IfNoneMatch};
use salvo::hyper::body::Bytes;
use salvo::oapi::ToParameters;
use salvo::oapi::extract::PathParam;
use salvo::prelude::*;
use serde::Deserialize;
use serde_json::value::RawValue;
use trace_model::{DEFAULT_PAGE_LIMIT, ErrorBody, Execution, MAX_PAGE_LIMIT, PageInfo, TraceResponse};

use super::access::{authorize, not_found, visible};
use super::params;
use crate::auth::SCOPE_READ;
use crate::cache::CachedPage;
use crate::error::ApiError;
use crate::links::links_for;
use crate::state::AppState;
use crate::store::TraceHead;

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

/// The query of a trace page. Taken as text and checked by the handler, so that a bad value gets the API's own 400
/// answer; the document shows the type the value must have.
#[derive(Debug, Deserialize, ToParameters)]
#[salvo(parameters(default_parameter_in = Query))]
pub struct PageQuery {
    /// `page_info.cursor` of the previous page; pages stay stable while spans arrive.
    cursor: Option<String>,
    /// Spans per page, 1 to 5000 (default 500).
    #[salvo(parameter(value_type = Option<usize>, minimum = 1, maximum = 5000))]
    limit: Option<String>,
}

/// An execution with its spans, depth first (parents before children), a page at a time.
///
/// Finished executions carry an ETag (send `If-None-Match` for a 304). Viewing is recorded in the audit trail.
#[endpoint(
    tags("traces"),
    security(("bearer" = [])),
    parameters(
        ("id", description = "The execution id."),
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
    query: PageQuery,
) -> Result<(), ApiError> {
    let state = super::state(depot)?;
    let principal = authorize(depot, SCOPE_READ)?;
    let id = id.into_inner();
    let cursor_text = params::text(query.cursor);
    let cursor = params::cursor(cursor_text.clone(), Cursor::decode)?;
    let limit = params::limit(query.limit, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT)?;
    let cache_key = cursor_text.unwrap_or_default();
    // A cached page is of a finished execution, and any change to that execution evicts it: serving it needs
    // no read of the store, only the workspace check against the workspace it was cached with.
    if let Some(page) = state.cache.get(&id, &cache_key, limit) {
        visible(principal, &page.workspace, &id)?;
        if cursor.is_none() {
            state.audit.record(&principal.subject, "trace.view", &id, &page.workspace).await;
        }
        return respond(req, res, &page, true);
    }
    let ticket = state.cache.ticket(&id);
    let head = state.store.trace_head(&id, cursor.is_none()).await?.ok_or_else(|| not_found(&id))?;
    visible(principal, &head.workspace, &id)?;
    if cursor.is_none() {
        state.audit.record(&principal.subject, "trace.view", &id, &head.workspace).await;
    }
    let finished = head.execution.status.is_finished();
    let workspace = head.workspace.clone();
    let body = page_body(state, head, cursor, limit).await?;
    // Only finished pages carry an ETag: a running execution's page changes without notice.
    let etag = if finished { etag_of(&body) } else { String::new() };
    let page = CachedPage { etag, body, workspace };
    let page = if finished { state.cache.put(&id, &cache_key, limit, page, ticket) } else { std::sync::Arc::new(page) };
    respond(req, res, &page, finished)
}

async fn page_body(
    state: &AppState,
    head: TraceHead,
    cursor: Option<Cursor>,
    limit: usize,
) -> Result<Vec<Bytes>, ApiError> {
    let TraceHead { mut execution, max_seq, artifacts, .. } = head;
    let max_seq = cursor.map(|c| c.max_seq).or(max_seq).unwrap_or(0);
    let snapshot = state.store.snapshot(&execution.id, max_seq).await?;
    let total = snapshot.order.len();
    let offset = cursor.map_or(0, |c| c.offset).min(total);
    let end = offset.saturating_add(limit).min(total);
    let stored = state.store.span_payloads(&execution.id, &snapshot.order[offset..end]).await?;
    // The stored text goes out verbatim: every payload was written by this service from a serialized span (a
    // JSONB value on Postgres). Only spans that gain an artifact are parsed and written again.
    let spans = if artifacts.is_empty() { stored } else { with_artifacts(&stored, &artifacts)? };
    execution.links = links_for(&state.links, &execution);
    let has_next_page = end < total;
    let page_info = PageInfo {
        has_next_page,
        cursor: has_next_page.then(|| Cursor { max_seq: snapshot.max_seq, offset: end }.encode()),
        total_spans: total as u64,
    };
    write_page(&execution, spans, &page_info).map_err(|e| ApiError::internal(e.to_string()))
}

/// The page's spans (a JSON array of stored spans) with the artifacts they gain.
fn with_artifacts(stored: &str, artifacts: &[crate::store::ArtifactMeta]) -> Result<String, ApiError> {
    let stored: Vec<&RawValue> =
        serde_json::from_str(stored).map_err(|e| ApiError::internal(format!("stored span payloads: {e}")))?;
    let changed = artifacts::attach(&stored, artifacts).map_err(|e| ApiError::internal(e.to_string()))?;
    let spans: Vec<&RawValue> =
        stored.iter().enumerate().map(|(i, raw)| changed.get(&i).map_or(*raw, |span| &**span)).collect();
    serde_json::to_string(&spans).map_err(|e| ApiError::internal(e.to_string()))
}

/// A [`TraceResponse`] whose spans are a JSON array of stored spans, spliced in as they are: three buffers, so
/// the spans (most of the body) are neither copied nor re-encoded. A test keeps it equal to the serialized
/// response.
fn write_page(execution: &Execution, spans: String, page_info: &PageInfo) -> Result<Vec<Bytes>, serde_json::Error> {
    let mut head = Vec::with_capacity(1024);
    head.extend_from_slice(br#"{"execution":"#);
    serde_json::to_writer(&mut head, execution)?;
    head.extend_from_slice(br#","spans":"#);
    let mut tail = br#","page_info":"#.to_vec();
    serde_json::to_writer(&mut tail, page_info)?;
    tail.push(b'}');
    Ok(vec![head.into(), spans.into(), tail.into()])
}

/// A strong validator of the body's bytes. Not a security boundary (the body is the caller's own to read), so a
/// fast non-cryptographic 128-bit hash rather than SHA-256, which cost more than the rest of a cached answer.
fn etag_of(body: &[Bytes]) -> String {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    for chunk in body {
        hasher.update(chunk);
    }
    format!("\"{:032x}\"", hasher.digest128())
}

fn respond(req: &Request, res: &mut Response, page: &CachedPage, finished: bool) -> Result<(), ApiError> {
    let headers = res.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Clients revalidate every time: a running execution changes, a finished one answers 304 cheaply.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    if finished {
        let etag: ETag = page.etag.parse().map_err(|_| ApiError::internal(format!("bad ETag {}", page.etag)))?;
        let not_modified =
            req.headers().typed_get::<IfNoneMatch>().is_some_and(|tags| !tags.precondition_passes(&etag));
        res.headers_mut().typed_insert(etag);
        if not_modified {
            res.status_code(StatusCode::NOT_MODIFIED);
            return Ok(());
        }
    }
    res.body(ResBody::Chunks(page.body.iter().cloned().collect()));
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
            attributes: [("k".to_owned(), serde_json::json!([1, "two"]))].into_iter().collect(),
            ..Default::default()
        };
        let expected = TraceResponse {
            execution: serde_json::from_value(serde_json::json!({"id": "ex", "workflow_id": "wf", "span_count": 2}))
                .unwrap(),
            spans: vec![span.clone(), span],
            page_info: PageInfo { has_next_page: true, cursor: Some("v1.3.2".into()), total_spans: 9 },
        };
        let stored = serde_json::to_string(&expected.spans).unwrap();
        let chunks = write_page(&expected.execution, stored, &expected.page_info).unwrap();
        let text = String::from_utf8(chunks.concat()).unwrap();
        assert_eq!(serde_json::from_str::<TraceResponse>(&text).unwrap(), expected);
        assert_eq!(text, serde_json::to_string(&expected).unwrap());
    }

    #[test]
    fn etags_follow_the_bytes_not_the_chunking() {
        let whole = etag_of(&[Bytes::from_static(b"{\"a\":[1,2]}")]);
        let split = etag_of(&[Bytes::from_static(b"{\"a\":"), Bytes::from_static(b"[1,2]}")]);
        assert_eq!(whole, split);
        assert_ne!(whole, etag_of(&[Bytes::from_static(b"{\"a\":[1,3]}")]));
        assert!(whole.starts_with('"') && whole.ends_with('"') && whole.len() == 34, "{whole}");
    }
}
