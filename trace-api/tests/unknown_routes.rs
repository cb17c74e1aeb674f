//! Routes and methods that do not exist answer the JSON error shape, never an HTML page: what a misconfigured OTLP
//! exporter or API client reads. The web bundle is still served for real files.

mod common;

use common::{TestDb, on_each_backend};
use trace_api::{AppState, Store, routes, server};

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let www = tempfile::tempdir()?;
        std::fs::write(www.path().join("index.html"), "<!doctype html><title>home</title>")?;
        std::fs::write(www.path().join("app.js"), "export const x = 1;")?;
        let store = Store::connect(&db.url).await?;
        let running =
            server::start(routes::router(AppState::new(store), Some(www.path().to_owned())), "127.0.0.1:0").await?;
        let client = reqwest::Client::new();
        let url = |path: &str| format!("{}{path}", running.url());

        // Every request no route takes goes to one catch-all (one metrics label for all of them), so a method a
        // path does not take is 404 there; the OTLP path names its one method with 405 and `Allow`.
        let cases = [
            ("POST", "/", 404, "not_found"),
            ("GET", "/v1/traces", 405, "method_not_allowed"),
            ("PUT", "/v1/traces", 405, "method_not_allowed"),
            ("POST", "/v1/logs", 404, "not_found"),
            ("GET", "/v1/metrics", 404, "not_found"),
            ("GET", "/api/nothing/here", 404, "not_found"),
            ("POST", "/api/executions", 404, "not_found"),
            ("GET", "/missing.js", 404, "not_found"),
            ("DELETE", "/healthz", 404, "not_found"),
        ];
        for (method, path, want, code) in cases {
            let response = client.request(method.parse()?, url(path)).header("accept", "text/html").send().await?;
            let status = response.status().as_u16();
            let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let text = response.text().await?;
            assert_eq!(status, want, "{method} {path}: {text}");
            assert!(
                content_type.as_deref().is_some_and(|t| t.starts_with("application/json")),
                "{method} {path}: {content_type:?}"
            );
            let body: serde_json::Value = serde_json::from_str(&text)?;
            assert_eq!(body["code"], code, "{method} {path}: {body}");
            assert!(body["detail"].as_str().is_some_and(|d| d.contains(path)), "{method} {path}: {body}");
        }

        for (path, needle) in
            [("/", "<title>home</title>"), ("/index.html", "<title>home</title>"), ("/app.js", "export const")]
        {
            let response = client.get(url(path)).send().await?;
            assert_eq!(response.status().as_u16(), 200, "{path}");
            assert!(response.text().await?.contains(needle), "{path}");
        }
        running.stop().await;
        Ok(db)
    })
    .await
}
