//! `GET /api/artifacts/{id}/download`: an artifact's bytes, under the same access rule as its execution.

use salvo::http::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderValue};
use salvo::oapi::extract::PathParam;
use salvo::prelude::*;

use trace_model::ErrorBody;

use super::access::{authorize, visible_execution};
use crate::auth::SCOPE_READ;
use crate::error::ApiError;

/// Where the API serves the artifact `id` (the route of `download` below): the `download_url` of a span's artifact.
pub fn download_url(id: &str) -> String {
    format!("/api/artifacts/{id}/download")
}

/// An artifact's bytes, as an attachment, under the same access rule as its execution.
#[endpoint(
    tags("artifacts"),
    security(("bearer" = [])),
    parameters(("id", description = "The artifact id, from a span's `artifacts`.")),
    responses(
        (status_code = 200, description = "The artifact as an attachment: its own content type, or application/octet-stream for active types (HTML, SVG, XML, JavaScript)."),
        (status_code = 401, description = "No valid token.", body = ErrorBody),
        (status_code = 403, description = "The token lacks workflows:read.", body = ErrorBody),
        (status_code = 404, description = "No such artifact in the caller's workspaces.", body = ErrorBody),
    )
)]
pub async fn download(depot: &mut Depot, res: &mut Response, id: PathParam<String>) -> Result<(), ApiError> {
    let state = super::state(depot)?;
    let principal = authorize(depot, SCOPE_READ)?;
    let id = id.into_inner();
    let not_found = || ApiError::not_found(format!("artifact {id:?} not found"));
    let (meta, content) = state.store.artifact(&id).await?.ok_or_else(not_found)?;
    // An artifact of an execution the caller may not see does not exist for it.
    let (workspace, _) = visible_execution(state, principal, &meta.execution_id).await.map_err(|_| not_found())?;
    state.audit.record(&principal.subject, "artifact.download", &meta.execution_id, &workspace).await;
    let content_type = if is_active(&meta.content_type) {
        HeaderValue::from_static(OCTET_STREAM)
    } else {
        HeaderValue::from_str(&meta.content_type).unwrap_or(HeaderValue::from_static(OCTET_STREAM))
    };
    res.headers_mut().insert(CONTENT_TYPE, content_type);
    // Should a browser render the bytes anyway, they run nothing and load nothing.
    res.headers_mut().insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    let disposition =
        HeaderValue::from_str(&content_disposition(&meta.name)).unwrap_or(HeaderValue::from_static("attachment"));
    res.headers_mut().insert(CONTENT_DISPOSITION, disposition);
    res.write_body(content).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(())
}

const OCTET_STREAM: &str = "application/octet-stream";

/// Types a browser would run or render as a document of this origin (HTML, SVG, XML, scripts): artifacts come
/// from workflow runs, not from the service, so these go out as opaque bytes.
fn is_active(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    // Not a type at all: nothing says how a browser would take it.
    let Some((_, subtype)) = essence.split_once('/') else { return true };
    matches!(subtype, "" | "html" | "xml" | "xsl" | "jscript")
        || subtype.ends_with("+xml")
        || subtype.contains("javascript")
        || subtype.contains("ecmascript")
}

/// `attachment` with an ASCII fallback name and the exact name in RFC 5987 form.
fn content_disposition(name: &str) -> String {
    let fallback: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._- ".contains(c) { c } else { '_' }).collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => encoded.push(char::from(byte)),
            other => encoded.push_str(&format!("%{other:02X}")),
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_types_are_told_from_passive_ones() {
        for active in [
            "text/html",
            "TEXT/HTML; charset=utf-8",
            "application/xhtml+xml",
            "image/svg+xml",
            "application/xml",
            "text/xml",
            "text/javascript",
            "application/javascript",
            "application/x-javascript",
            "text/xsl",
            "application/rss+xml",
            "html",
            "",
        ] {
            assert!(is_active(active), "{active:?}");
        }
        for passive in ["text/plain", "text/csv", "application/json", "image/png", "application/pdf", "text/markdown"] {
            assert!(!is_active(passive), "{passive:?}");
        }
    }

    #[test]
    fn disposition_escapes_quotes_and_keeps_the_exact_name() {
        assert_eq!(
            content_disposition("re\"port ü.csv"),
            "attachment; filename=\"re_port _.csv\"; filename*=UTF-8''re%22port%20%C3%BC.csv"
        );
    }
}
