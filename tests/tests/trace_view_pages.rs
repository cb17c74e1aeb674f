//! A trace of more than one page (500 spans first, then larger pages: docs/embedding.md, "Inputs") against the real
//! API: a later page that fails leaves the partial trace on screen with an alert and a Retry that continues from that
//! page, and live updates that arrive while the later pages are outstanding survive the whole trace replacing the
//! first. The failure is real at the network layer: Chromium blocks the later pages' requests until the test lets them
//! through.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use reference_engine::{NodeAction, NodeSpec, Step, Workflow};
use serde_json::{Value, json};
use trace_model::TraceResponse;

const WAIT: Duration = Duration::from_secs(60);
/// Nodes that finish at once: with the workflow span, more than the first page holds.
const QUICK_NODES: usize = 600;

/// Adds a live viewer of `arguments[0]` to the page and records its events in `window.seen`.
const EMBED: &str = "
  window.seen = [];
  const el = document.createElement('orcheo-trace-view');
  el.id = 'under-test';
  el.setAttribute('api-base', '/api');
  el.setAttribute('live', '');
  el.style.height = '600px';
  for (const name of ['trace-load', 'trace-error']) {
    el.addEventListener(name, (e) => window.seen.push({ name, detail: e.detail }));
  }
  el.setAttribute('execution-id', arguments[0]);
  document.querySelector('main').prepend(el);";

const TEXT: &str = "const e = document.querySelector('#under-test').shadowRoot.querySelector(arguments[0]);
  return e ? e.textContent : null;";

/// The duration shown on the workflow (root) row.
const ROOT_DURATION: &str = "const row = document.querySelector('#under-test').shadowRoot
    .querySelector('[role=treeitem][aria-level=\"1\"] .duration');
  return row ? row.textContent : null;";

/// Requests for pages of the trace under test: `[first pages, later pages]` (later ones carry a cursor).
const PAGE_REQUESTS: &str = "const pages = performance.getEntriesByType('resource').map((e) => e.name)
    .filter((name) => name.includes('/executions/exec-pages/trace?'));
  return [pages.filter((n) => !n.includes('cursor=')).length, pages.filter((n) => n.includes('cursor=')).length];";

async fn text(b: &Browser, css: &str) -> anyhow::Result<Option<String>> {
    Ok(b.js(TEXT, vec![json!(css)]).await?.as_str().map(str::to_owned))
}

async fn wait_text(b: &Browser, css: &str, want: &str) -> anyhow::Result<()> {
    eventually(&format!("{css} to read {want:?}"), WAIT, || async {
        Ok(text(b, css).await?.filter(|t| t == want).map(|_| ()))
    })
    .await
}

/// Many instant nodes, then one that takes a while: the trace spans two pages and the run is still going while the
/// view loads it.
fn long_workflow() -> Workflow {
    let mut steps: Vec<Step> = (0..QUICK_NODES)
        .map(|i| Step::Node(NodeSpec::new(&format!("quick_{i:03}"), NodeAction::Task { duration: Duration::ZERO })))
        .collect();
    steps.push(Step::Node(NodeSpec::new("slow", NodeAction::Task { duration: Duration::from_secs(10) })));
    Workflow::new("many-steps", steps)
}

#[tokio::test]
async fn a_failed_later_page_keeps_the_partial_trace_and_live_updates_survive_the_retry() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let workflow = long_workflow();
    let run = service.run(&workflow, "exec-pages");
    let watch = async {
        b.client.goto(&service.url("/index.html")).await?;
        b.block_urls(&["*cursor=*"]).await?;
        // Wait until the quick nodes are stored: the trace then needs a second page.
        let url = service.url("/api/executions/exec-pages/trace?limit=1");
        eventually("the quick nodes stored", WAIT, || async {
            let response = reqwest::get(&url).await?;
            if !response.status().is_success() {
                return Ok(None);
            }
            let page: TraceResponse = response.json().await?;
            Ok((page.page_info.total_spans > QUICK_NODES as u64).then_some(()))
        })
        .await?;
        b.js(EMBED, vec![json!("exec-pages")]).await?;

        // The first page shows with the run still going; the second fails and says so, the rows staying.
        let alert =
            eventually("the failed-page alert", WAIT, || async { text(&b, "[data-testid=partial-error]").await })
                .await?;
        assert!(alert.starts_with("Showing 500 of "), "{alert}");
        let role = b
            .js(
                "return document.querySelector('#under-test').shadowRoot.querySelector('[data-testid=partial-error]')
                   .getAttribute('role')",
                vec![],
            )
            .await?;
        assert_eq!(role, json!("alert"));
        assert_eq!(text(&b, "[data-testid=summary-status]").await?.as_deref(), Some("running"));
        assert_eq!(b.js(ROOT_DURATION, vec![]).await?, json!("running"), "the workflow span is open on page 1");
        assert!(text(&b, "[role=treeitem]").await?.is_some(), "the partial trace stays on screen");
        assert!(text(&b, "[data-testid=trace-error]").await?.is_none(), "no error view replaces it");
        let seen = b.js("return window.seen", vec![]).await?;
        let errors: Vec<&Value> =
            seen.as_array().into_iter().flatten().filter(|e| e["name"] == "trace-error").collect();
        assert_eq!(errors.len(), 1, "the host hears of the failure once: {seen}");
        assert_eq!(errors[0]["detail"]["status"], json!(0), "a network failure has no HTTP status: {seen}");
        for scheme in ["light", "dark"] {
            b.color_scheme(scheme).await?;
            let violations = b.axe_violations().await?;
            assert!(violations.is_empty(), "the failed-page alert, {scheme}: {violations:#?}");
        }

        // The run ends while the later pages are still outstanding: the update ending the workflow span arrives
        // now, merged into the partial trace.
        wait_text(&b, "[data-testid=live-state]", "Complete").await?;
        wait_text(&b, "[data-testid=summary-status]", "completed").await?;
        assert_ne!(b.js(ROOT_DURATION, vec![]).await?, json!("running"));

        // Retry continues from the failed page; the whole trace keeps the update page 1 predates.
        let before = b.js(PAGE_REQUESTS, vec![]).await?;
        b.block_urls(&[]).await?;
        let host = b.client.find(fantoccini::Locator::Css("#under-test")).await?.shadow_root().await?;
        host.find(fantoccini::Locator::Css("[data-testid=resume-load]")).await?.click().await?;
        let loaded = eventually("the whole trace", WAIT, || async {
            let seen = b.js("return window.seen.filter((e) => e.name === 'trace-load')", vec![]).await?;
            Ok(seen.as_array().and_then(|loads| loads.first()).cloned())
        })
        .await?;
        let whole: TraceResponse =
            reqwest::get(service.url("/api/executions/exec-pages/trace?limit=5000")).await?.json().await?;
        assert_eq!(loaded["detail"]["spanCount"], json!(whole.spans.len()), "{loaded}");
        assert!(text(&b, "[data-testid=partial-error]").await?.is_none());
        assert!(text(&b, "[data-testid=load-progress]").await?.is_none());
        let duration = b.js(ROOT_DURATION, vec![]).await?;
        assert!(duration.as_str().is_some_and(|d| d != "running"), "the ended workflow span stays ended: {duration}");
        assert_eq!(text(&b, "[data-testid=summary-status]").await?.as_deref(), Some("completed"));
        assert_eq!(text(&b, "[data-testid=live-state]").await?.as_deref(), Some("Complete"));
        let requests = b.js(PAGE_REQUESTS, vec![]).await?;
        assert_eq!(requests[0], before[0], "Retry does not start over from the first page: {before} → {requests}");
        assert!(
            requests[1].as_u64() > before[1].as_u64(),
            "Retry asked for the failed page again: {before} → {requests}"
        );
        anyhow::Ok(())
    };
    let (ran, watched) = tokio::join!(run, watch);
    b.close().await?;
    ran?;
    watched
}
