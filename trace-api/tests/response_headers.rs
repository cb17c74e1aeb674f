//! Security headers: `nosniff` on every response, a strict Content-Security-Policy on the web bundle's pages with
//! configurable frame ancestors, and artifacts of active types (HTML, SVG, XML, JavaScript) downloaded as opaque
//! attachments.

mod common;

use std::path::Path;

use common::{TestApi, TestDb, finished_run, on_each_backend};
use trace_api::store::NewArtifact;
use trace_api::{AppState, Store, routes, server};

const CANVAS: &str = "https://canvas.example.com";

/// The API over `db`, serving `www`, framable by the Canvas.
async fn start(db: &TestDb, www: &Path) -> anyhow::Result<TestApi> {
    let store = Store::connect(&db.url).await?;
    let state = AppState::new(store.clone()).with_frame_ancestors(format!("'self' {CANVAS}"));
    let server = server::start(routes::router(state, Some(www.to_owned())), "127.0.0.1:0").await?;
    Ok(TestApi { store, server, client: reqwest::Client::new() })
}

/// A web bundle: the repository's story page and scripts, and a Canvas page.
fn bundle() -> anyhow::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let www = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
    for file in ["index.html", "stories.js", "trace-view.js", "tokens.css", "favicon.svg"] {
        std::fs::copy(www.join(file), dir.path().join(file))?;
    }
    std::fs::copy(www.join("canvas/canvas.html"), dir.path().join("canvas.html"))?;
    Ok(dir)
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// The directives of a policy, by name.
fn directives(policy: &str) -> Vec<(String, String)> {
    policy
        .split(';')
        .filter_map(|d| {
            let d = d.trim();
            let (name, value) = d.split_once(' ').unwrap_or((d, ""));
            (!name.is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn pages_carry_a_strict_policy_and_every_response_nosniff() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let www = bundle()?;
        let api = start(&db, www.path()).await?;
        api.store.insert_spans(&finished_run("ex-headers", &["a"])).await?;
        for page in ["/", "/index.html", "/canvas.html"] {
            let response = api.get(page, None).await?;
            assert_eq!(response.status().as_u16(), 200, "{page}");
            assert!(header(&response, "content-type").is_some_and(|t| t.starts_with("text/html")), "{page}");
            let Some(policy) = header(&response, "content-security-policy") else {
                anyhow::bail!("{page} has no Content-Security-Policy")
            };
            let directives = directives(&policy);
            let get = |name: &str| directives.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
            assert_eq!(get("default-src"), Some("'self'"), "{policy}");
            assert_eq!(get("script-src"), Some("'self' 'wasm-unsafe-eval'"), "{policy}");
            // No inline style (element or attribute) and no `data:` image: the bundle needs neither.
            assert_eq!(get("style-src"), Some("'self'"), "{policy}");
            assert_eq!(get("img-src"), Some("'self'"), "{policy}");
            assert_eq!(get("object-src"), Some("'none'"), "{policy}");
            assert_eq!(get("base-uri"), Some("'self'"), "{policy}");
            assert_eq!(get("form-action"), Some("'self'"), "{policy}");
            for wider in ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "data:", "*"] {
                assert!(directives.iter().all(|(_, v)| !v.split(' ').any(|s| s == wider)), "{wider}: {policy}");
            }
            assert_eq!(get("frame-ancestors"), Some(format!("'self' {CANVAS}").as_str()), "{policy}");
            assert_eq!(header(&response, "x-content-type-options").as_deref(), Some("nosniff"), "{page}");
        }
        // Scripts and styles of the bundle carry it too (the policy covers whatever the bundle holds).
        let script = api.get("/trace-view.js", None).await?;
        assert!(header(&script, "content-security-policy").is_some());
        // The pages' icon is a file of the bundle, for `img-src 'self'`.
        let icon = api.get("/favicon.svg", None).await?;
        assert_eq!(icon.status().as_u16(), 200);
        assert!(header(&icon, "content-type").is_some_and(|t| t.starts_with("image/svg+xml")), "{icon:?}");

        let post = api.client.post(api.url("/v1/traces")).header("content-type", "text/plain").body("x");
        let responses = [
            ("/api/executions", api.get("/api/executions", None).await?),
            ("/api/executions/ex-headers/trace", api.get("/api/executions/ex-headers/trace", None).await?),
            ("/api/executions/none/trace", api.get("/api/executions/none/trace", None).await?),
            ("/api/unknown", api.get("/api/unknown", None).await?),
            ("/missing.html", api.get("/missing.html", None).await?),
            ("DELETE /", api.client.delete(api.url("/")).send().await?),
            ("/healthz", api.get("/healthz", None).await?),
            ("/metrics", api.get("/metrics", None).await?),
            ("/api/openapi.json", api.get("/api/openapi.json", None).await?),
            ("POST /v1/traces", post.send().await?),
        ];
        for (what, response) in &responses {
            assert_eq!(header(response, "x-content-type-options").as_deref(), Some("nosniff"), "{what}");
        }
        let api_page = api.get("/api/executions", None).await?;
        assert!(header(&api_page, "content-security-policy").is_none(), "JSON is no page");
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn active_artifacts_download_as_opaque_attachments() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let www = bundle()?;
        let api = start(&db, www.path()).await?;
        api.store.insert_spans(&finished_run("ex-files", &["a"])).await?;
        let cases = [
            ("text/html", "application/octet-stream"),
            ("text/html; charset=utf-8", "application/octet-stream"),
            ("application/xhtml+xml", "application/octet-stream"),
            ("image/svg+xml", "application/octet-stream"),
            ("application/xml", "application/octet-stream"),
            ("text/xml", "application/octet-stream"),
            ("text/javascript", "application/octet-stream"),
            ("application/javascript", "application/octet-stream"),
            ("text/plain; charset=utf-8", "text/plain; charset=utf-8"),
            ("application/json", "application/json"),
            ("image/png", "image/png"),
            ("text/csv", "text/csv"),
        ];
        for (i, (stored, served)) in cases.iter().enumerate() {
            api.store
                .put_artifact(&NewArtifact {
                    id: format!("art-{i}"),
                    execution_id: "ex-files".to_owned(),
                    span_id: None,
                    name: format!("file-{i}"),
                    content_type: (*stored).to_owned(),
                    content: b"<script>alert(1)</script>".to_vec(),
                })
                .await?;
            let response = api.get(&format!("/api/artifacts/art-{i}/download"), None).await?;
            assert_eq!(response.status().as_u16(), 200, "{stored}");
            assert_eq!(header(&response, "content-type").as_deref(), Some(*served), "{stored}");
            assert!(header(&response, "content-disposition").is_some_and(|d| d.starts_with("attachment;")), "{stored}");
            assert_eq!(header(&response, "x-content-type-options").as_deref(), Some("nosniff"), "{stored}");
            let policy = header(&response, "content-security-policy").unwrap_or_default();
            assert!(policy.contains("sandbox") && policy.contains("default-src 'none'"), "{stored}: {policy}");
            assert_eq!(response.bytes().await?.as_ref(), b"<script>alert(1)</script>", "the bytes are kept");
        }
        api.stop().await;
        Ok(db)
    })
    .await
}

/// The policy forbids inline scripts and styles and `data:` images: the pages load their scripts and styles from
/// files, set no event handler or `style` attributes, and take their icon from a file.
#[test]
fn the_pages_hold_no_inline_script_or_style() -> anyhow::Result<()> {
    let www = Path::new(env!("CARGO_MANIFEST_DIR")).join("../www");
    for page in ["index.html", "canvas/canvas.html"] {
        let html = std::fs::read_to_string(www.join(page))?.to_ascii_lowercase();
        for (at, _) in html.match_indices("<script") {
            let tag = &html[at..html[at..].find('>').map_or(html.len(), |end| at + end)];
            assert!(tag.contains(" src="), "{page}: inline script {tag}");
        }
        for handler in [" onclick=", " onload=", " onerror=", " oninput=", " onchange=", " onsubmit=", "javascript:"] {
            assert!(!html.contains(handler), "{page}: {handler}");
        }
        for inline in ["<style", " style=", "data:"] {
            assert!(!html.contains(inline), "{page}: {inline}");
        }
    }
    Ok(())
}
