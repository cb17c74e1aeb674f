//! The trace API client: pages of `GET {api-base}/executions/{id}/trace`, and artifact downloads.

use gloo_net::http::{Request, RequestBuilder, Response};
use trace_model::TraceResponse;

/// Why a load failed, as shown to the user and sent in `trace-error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// HTTP status; 0 when there was no HTTP answer (network failure, CORS, bad URL, or a trace set directly that
    /// did not parse).
    pub status: u16,
    pub detail: String,
}

/// One page of an execution's trace: `limit` spans from `cursor` (the first page without one).
pub async fn fetch_trace_page(
    api_base: &str,
    execution_id: &str,
    limit: usize,
    cursor: Option<&str>,
    token: Option<&str>,
) -> Result<TraceResponse, LoadError> {
    fetch_page(&trace_url(api_base, execution_id), &limit.to_string(), cursor, token).await
}

/// The cursor of the page after `page`, if any. A page that claims more without a new cursor would loop forever,
/// so it ends the load.
pub fn next_cursor(page: &mut TraceResponse, previous: Option<&str>) -> Option<String> {
    page.page_info.cursor.take().filter(|next| page.page_info.has_next_page && Some(next.as_str()) != previous)
}

/// Downloads an artifact with the same authorization as the trace: `(bytes, content type)`.
pub async fn fetch_artifact(url: &str, token: Option<&str>) -> Result<(Vec<u8>, String), LoadError> {
    let response = send(Request::get(url), token).await?;
    let status = response.status();
    if !response.ok() {
        let body = read_text(&response).await.unwrap_or_default();
        return Err(LoadError { status, detail: error_detail(&response, &body) });
    }
    let content_type = response.headers().get("content-type").unwrap_or_else(|| "application/octet-stream".to_owned());
    let bytes = response.binary().await.map_err(|error| LoadError { status, detail: error.to_string() })?;
    Ok((bytes, content_type))
}

/// Sends `request` with the bearer token, if any; no answer at all is status 0.
async fn send(mut request: RequestBuilder, token: Option<&str>) -> Result<Response, LoadError> {
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    request
        .send()
        .await
        .map_err(|error| LoadError { status: 0, detail: format!("no response from the server: {error}") })
}

async fn fetch_page(
    url: &str,
    limit: &str,
    cursor: Option<&str>,
    token: Option<&str>,
) -> Result<TraceResponse, LoadError> {
    let mut query = vec![("limit", limit)];
    query.extend(cursor.map(|cursor| ("cursor", cursor)));
    let (status, body) = get_text(url, &query, token).await?;
    serde_json::from_str(&body)
        .map_err(|error| LoadError { status, detail: format!("the server sent an unreadable trace: {error}") })
}

async fn read_text(response: &Response) -> Result<String, LoadError> {
    response.text().await.map_err(|error| LoadError { status: response.status(), detail: error.to_string() })
}

/// The `detail` of the API's error body, else the status text. Read leniently: proxies and other back ends send
/// `{"detail"}` without `code`, or no JSON at all.
fn error_detail(response: &Response, body: &str) -> String {
    let detail = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| value.get("detail").and_then(serde_json::Value::as_str).map(str::to_owned))
        .filter(|detail| !detail.is_empty());
    detail.unwrap_or_else(|| match response.status_text() {
        text if text.is_empty() => "request failed".to_owned(),
        text => text,
    })
}

/// `{api_base}/executions/{id}/trace`, the id escaped as one path segment.
pub fn trace_url(api_base: &str, execution_id: &str) -> String {
    let base = api_base.trim_end_matches('/');
    let id = String::from(js_sys::encode_uri_component(execution_id));
    format!("{base}/executions/{id}/trace")
}

/// `{api_base}/artifacts/{id}/download`, used when an artifact reference carries no URL of its own.
pub fn artifact_url(api_base: &str, artifact_id: &str) -> String {
    let base = api_base.trim_end_matches('/');
    let id = String::from(js_sys::encode_uri_component(artifact_id));
    format!("{base}/artifacts/{id}/download")
}

/// `GET url` with `query` and the bearer token: the status and body of a successful answer, else the API's error.
pub async fn get_text(url: &str, query: &[(&str, &str)], token: Option<&str>) -> Result<(u16, String), LoadError> {
    let request = Request::get(url).query(query.iter().copied()).header("Accept", "application/json");
    let response = send(request, token).await?;
    let status = response.status();
    let body = read_text(&response).await?;
    if !response.ok() {
        return Err(LoadError { status, detail: error_detail(&response, &body) });
    }
    Ok((status, body))
}
