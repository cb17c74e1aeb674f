//! The element against the parts of the API it uses beyond the trace pages: artifact downloads
//! (`GET /api/artifacts/{id}/download`, fetched with the element's token) and live updates
//! (`GET /api/executions/{id}/trace/live`, docs/api.md), with real runs of the instrumented engine; and the
//! bearer token on those downloads when the API requires authentication.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use reference_engine::{NodeAction, NodeSpec, Step, Workflow, samples};
use serde_json::{Value, json};
use trace_api::auth::{AuthConfig, Authenticator, SCOPE_READ, ServiceToken};
use trace_api::{AppState, routes, server};
use trace_model::TraceResponse;

const WAIT: Duration = Duration::from_secs(30);

/// Adds a viewer for `arguments[0]` to the page, as a host page would, and records its events in `window.seen`.
const EMBED: &str = "
  window.seen = [];
  const el = document.createElement('orcheo-trace-view');
  el.id = 'under-test';
  el.setAttribute('api-base', '/api');
  if (arguments[1]) el.setAttribute('live', '');
  el.style.height = '600px';
  for (const name of ['span-select', 'trace-load', 'trace-error', 'artifact-download']) {
    el.addEventListener(name, (e) => window.seen.push({ name, detail: e.detail }));
  }
  el.setAttribute('execution-id', arguments[0]);
  document.querySelector('main').prepend(el);";

const TEXT: &str = "const e = document.querySelector('#under-test').shadowRoot.querySelector(arguments[0]);
  return e ? e.textContent : null;";

const ROW_NAMES: &str =
    "return [...document.querySelector('#under-test').shadowRoot.querySelectorAll('[role=treeitem]')]
  .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
  .map((r) => [r.querySelector('.name').textContent, r.getAttribute('aria-selected')]);";

/// The text of an element inside the shadow root of the story element `arguments[0]`, or null.
const STORY_TEXT: &str = "const e = document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]);
  return e ? e.textContent : null;";
/// The story page's small run, whose artifact does not exist on the API.
const SMALL: &str = "#story-small";

async fn text(b: &Browser, css: &str) -> anyhow::Result<Option<String>> {
    Ok(b.js(TEXT, vec![json!(css)]).await?.as_str().map(str::to_owned))
}

#[tokio::test]
async fn artifact_download_fetches_the_bytes_through_the_api() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    service.run(&samples::artifact(), "exec-artifact").await?;
    let trace: TraceResponse = reqwest::get(service.url("/api/executions/exec-artifact/trace")).await?.json().await?;
    let owner = trace.spans.iter().find(|s| !s.artifacts.is_empty()).ok_or_else(|| anyhow::anyhow!("no artifact"))?;
    let artifact = owner.artifacts[0].clone();
    let direct = reqwest::get(service.url(&artifact.download_url)).await?;
    assert_eq!(direct.status().as_u16(), 200, "the API serves {}", artifact.download_url);

    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        b.js(EMBED, vec![json!("exec-artifact"), json!(false)]).await?;
        eventually("the trace", WAIT, || async { text(&b, "[role=treeitem]").await }).await?;
        b.js("document.querySelector('#under-test').selectedSpanId = arguments[0];", vec![json!(owner.span_id)])
            .await?;
        let host = b.client.find(fantoccini::Locator::Css("#under-test")).await?.shadow_root().await?;
        let button = eventually("the artifact's download button", WAIT, || async {
            Ok(host
                .find(fantoccini::Locator::Css("[data-testid=span-artifacts] [data-testid=artifact-download]"))
                .await
                .ok())
        })
        .await?;
        button.click().await?;
        let done = eventually("the download to finish", WAIT, || async {
            let done = text(&b, "[data-testid=span-artifacts] [data-testid=artifact-done]").await?;
            let failed = text(&b, "[data-testid=span-artifacts] [data-testid=artifact-error]").await?;
            Ok(done.or(failed))
        })
        .await?;
        assert_eq!(done, "Downloaded");
        let seen = b.js("return window.seen.filter((e) => e.name === 'artifact-download')", vec![]).await?;
        assert_eq!(seen, json!([{ "name": "artifact-download", "detail": { "id": artifact.id } }]));
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}

/// A service token the authenticated API accepts, and its SHA-256 (the API is configured with the digest only).
const TOKEN: &str = "trace-view-e2e-token";
const TOKEN_SHA256: &str = "2e1c5ed54b8427c5e98baa62610fe1acc04695f11fb508518432746119db94c4";

/// The download button of the artifact in the details of the element `element`, once it is there.
async fn artifact_button(b: &Browser, element: &str) -> anyhow::Result<fantoccini::elements::Element> {
    let host = b.client.find(fantoccini::Locator::Css(element)).await?.shadow_root().await?;
    eventually("the artifact's download button", WAIT, || async {
        Ok(host
            .find(fantoccini::Locator::Css("[data-testid=span-artifacts] [data-testid=artifact-download]"))
            .await
            .ok())
    })
    .await
}

/// Clicks the download button of the artifact in the details of `arguments[0]` once it is there; returns what the
/// element then shows: "Downloaded", or the failure.
async fn download_artifact(b: &Browser, element: &str) -> anyhow::Result<String> {
    artifact_button(b, element).await?.click().await?;
    let probe = "const root = document.querySelector(arguments[0]).shadowRoot;
      const e = root.querySelector('[data-testid=span-artifacts] [data-testid=artifact-done]')
        || root.querySelector('[data-testid=span-artifacts] [data-testid=artifact-error]');
      return e ? e.textContent : null;";
    eventually("the download to end", WAIT, || async {
        Ok(b.js(probe, vec![json!(element)]).await?.as_str().map(str::to_owned))
    })
    .await
}

#[tokio::test]
async fn artifact_downloads_carry_the_token_when_the_api_requires_one() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    service.run(&samples::artifact(), "exec-auth").await?;
    // The same store behind a second server that requires a bearer token on every API route.
    let auth = Authenticator::new(&AuthConfig {
        required: true,
        service_tokens: vec![ServiceToken {
            name: "trace-view-e2e".to_owned(),
            sha256: TOKEN_SHA256.to_owned(),
            scopes: vec![SCOPE_READ.to_owned()],
            workspaces: vec!["*".to_owned()],
        }],
        ..AuthConfig::default()
    })?;
    let state = AppState::new(service.store.clone()).with_auth(auth);
    let secured = server::start(routes::router(state, Some(dist_dir()?)), "127.0.0.1:0").await?;
    let url = |path: &str| format!("{}{path}", secured.url());
    let http = reqwest::Client::new();
    let trace: TraceResponse = http
        .get(url("/api/executions/exec-auth/trace"))
        .bearer_auth(TOKEN)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let owner = trace.spans.iter().find(|s| !s.artifacts.is_empty()).ok_or_else(|| anyhow::anyhow!("no artifact"))?;
    let artifact = owner.artifacts[0].clone();
    let anonymous = http.get(url(&artifact.download_url)).send().await?;
    assert_eq!(anonymous.status().as_u16(), 401, "the API really requires the token for downloads");

    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&url("/index.html")).await?;
        // With the token: the trace and then the artifact's bytes load.
        b.js(
            "window.seen = [];
             const el = document.createElement('orcheo-trace-view');
             el.id = 'with-token';
             el.style.height = '600px';
             el.addEventListener('artifact-download', (e) => window.seen.push(e.detail.id));
             el.token = arguments[0];
             el.setAttribute('api-base', '/api');
             el.setAttribute('execution-id', 'exec-auth');
             el.selectedSpanId = arguments[1];
             document.querySelector('main').prepend(el);",
            vec![json!(TOKEN), json!(owner.span_id)],
        )
        .await?;
        assert_eq!(download_artifact(&b, "#with-token").await?, "Downloaded");
        assert_eq!(b.js("return window.seen", vec![]).await?, json!([artifact.id]));

        // Without it (the same trace set directly, so only the download talks to the API): the 401 is shown where
        // the user clicked, and no download is announced.
        b.js(
            "const el = document.createElement('orcheo-trace-view');
             el.id = 'without-token';
             el.style.height = '600px';
             el.addEventListener('artifact-download', (e) => window.seen.push(e.detail.id));
             el.setAttribute('api-base', '/api');
             el.trace = arguments[0];
             el.selectedSpanId = arguments[1];
             document.querySelector('main').prepend(el);",
            vec![serde_json::to_value(&trace)?, json!(owner.span_id)],
        )
        .await?;
        let failure = download_artifact(&b, "#without-token").await?;
        assert!(failure.starts_with("Download failed:") && failure.contains("HTTP 401"), "{failure}");
        assert_eq!(b.js("return window.seen", vec![]).await?, json!([artifact.id]), "only the first download");
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}

/// Four nodes of 1.5 s each: slow enough for the view to subscribe while the run goes on.
fn slow_workflow() -> Workflow {
    let step = |id: &str| Step::Node(NodeSpec::new(id, NodeAction::Task { duration: Duration::from_millis(1500) }));
    Workflow::new("slow-steps", vec![step("one"), step("two"), step("three"), step("four")])
}

#[tokio::test]
async fn live_updates_merge_in_place_and_end_complete() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let workflow = slow_workflow();
    let run = service.run(&workflow, "exec-live");
    let watch = async {
        b.client.goto(&service.url("/index.html")).await?;
        // The execution exists once its first node has finished and been stored.
        let url = service.url("/api/executions/exec-live/trace");
        eventually("the running execution", WAIT, || async {
            Ok(reqwest::get(&url).await?.status().is_success().then_some(()))
        })
        .await?;
        b.js(EMBED, vec![json!("exec-live"), json!(true)]).await?;
        let first: Vec<Value> = eventually("the first rows", WAIT, || async {
            Ok(b.js(ROW_NAMES, vec![]).await?.as_array().filter(|rows| !rows.is_empty()).cloned())
        })
        .await?;
        assert!(first.len() < 5, "the run is still going: {first:?}");
        eventually("the live indicator", WAIT, || async {
            Ok(text(&b, "[data-testid=live-state]").await?.filter(|t| t == "Live"))
        })
        .await?;
        // Select a node with a click: updates must keep the selection.
        let host = b.client.find(fantoccini::Locator::Css("#under-test")).await?.shadow_root().await?;
        host.find(fantoccini::Locator::Css("[role=treeitem]:not([aria-level='1'])")).await?.click().await?;
        let selected = b.js("return document.querySelector('#under-test').selectedSpanId", vec![]).await?;
        let all = eventually("every span merged in", WAIT, || async {
            let rows = b.js(ROW_NAMES, vec![]).await?;
            Ok(rows.as_array().filter(|rows| rows.len() == 5).cloned())
        })
        .await?;
        assert_eq!(all.iter().filter(|r| r[1] == json!("true")).count(), 1, "{all:?}");
        assert_eq!(b.js("return document.querySelector('#under-test').selectedSpanId", vec![]).await?, selected);
        eventually("the complete indicator", WAIT, || async {
            Ok(text(&b, "[data-testid=live-state]").await?.filter(|t| t == "Complete"))
        })
        .await?;
        assert_eq!(text(&b, "[data-testid=summary-status]").await?.as_deref(), Some("completed"));
        anyhow::Ok(())
    };
    let (ran, watched) = tokio::join!(run, watch);
    b.close().await?;
    ran?;
    watched
}

#[tokio::test]
async fn a_failed_artifact_download_is_reported_not_linked() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let browser = Browser::start().await?;
    let b = &browser;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        eventually("the small story", WAIT, || async {
            Ok(b.js(STORY_TEXT, vec![json!(SMALL), json!("[role=treeitem]")]).await?.as_str().map(|_| ()))
        })
        .await?;
        b.js(
            "window.downloads = [];
             const el = document.querySelector('#story-small');
             el.addEventListener('artifact-download', (e) => window.downloads.push(e.detail));
             el.selectedSpanId = '0000000000000005';",
            vec![],
        )
        .await?;
        let button = artifact_button(b, SMALL).await?;
        // A button that fetches (with the element's token), not a bare link the browser would follow without it.
        assert_eq!(button.tag_name().await?, "button");
        assert_eq!(button.attr("aria-label").await?.as_deref(), Some("Download summary.md"));
        button.click().await?;
        // The story's artifact does not exist on this API: the real 404 is shown where the user clicked.
        let failure = eventually("the download failure", WAIT, || async {
            Ok(b.js(STORY_TEXT, vec![json!(SMALL), json!("[data-testid=span-artifacts] [data-testid=artifact-error]")])
                .await?
                .as_str()
                .map(str::to_owned))
        })
        .await?;
        assert!(failure.starts_with("Download failed:") && failure.contains("HTTP 404"), "{failure}");
        assert_eq!(b.js("return window.downloads", vec![]).await?, json!([]));
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
