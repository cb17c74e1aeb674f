//! The trace API client: `GET {api-base}/executions/{id}/trace`, following the page cursor to the end.

use gloo_net::http::{Request, Response};
use trace_model::{MAX_PAGE_LIMIT, TraceResponse};

/// Why a load failed, as shown to the user and sent in `trace-error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// HTTP status; 0 when there was no HTTP answer (network failure, CORS, bad URL, or a trace set directly that
    /// did not parse).
    pub status: u16,
    pub detail: String,
}

/// Fetches every page of an execution's trace and returns them as one response (spans in page order, the last
/// page's execution summary and page info).
pub async fn fetch_trace(api_base: &str, execution_id: &str, token: Option<&str>) -> Result<TraceResponse, LoadError> {
    let url = trace_url(api_base, execution_id);
    let limit = MAX_PAGE_LIMIT.to_string();
    let mut cursor: Option<String> = None;
    let mut spans = Vec::new();
    loop {
        let mut page = fetch_page(&url, &limit, cursor.as_deref(), token).await?;
        spans.append(&mut page.spans);
        // A page that claims more without a new cursor would loop forever; what arrived so far is shown.
        let next =
            page.page_info.cursor.take().filter(|next| page.page_info.has_next_page && Some(next) != cursor.as_ref());
        if next.is_none() {
            page.spans = spans;
            return Ok(page);
        }
        cursor = next;
    }
}

async fn fetch_page(
    url: &str,
    limit: &str,
    cursor: Option<&str>,
    token: Option<&str>,
) -> Result<TraceResponse, LoadError> {
    let mut request = Request::get(url).query([("limit", limit)]).header("Accept", "application/json");
    if let Some(cursor) = cursor {
        request = request.query([("cursor", cursor)]);
    }
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request
        .send()
        .await
        .map_err(|error| LoadError { status: 0, detail: format!("no response from the server: {error}") })?;
    let status = response.status();
    let body = read_text(&response).await?;
    if !response.ok() {
        return Err(LoadError { status, detail: error_detail(&response, &body) });
    }
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
fn trace_url(api_base: &str, execution_id: &str) -> String {
    let base = api_base.trim_end_matches('/');
    let id = String::from(js_sys::encode_uri_component(execution_id));
    format!("{base}/executions/{id}/trace")
}
