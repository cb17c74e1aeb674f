//! The pages under the service's strict Content-Security-Policy (docs/api.md, "Response headers": no inline styles,
//! no `data:`): the story page and the Canvas page, each with a trace of a real run open, raise no violation, and
//! everything the policy could have blocked is in effect: the element's stylesheets (the host rules and the view's
//! own), the rows' positions and indents in the virtualized tree, and the timeline bars.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use reference_engine::samples;
use serde_json::{Value, json};
use trace_model::TraceResponse;
use trace_model::timeline::TimeAxis;

const WAIT: Duration = Duration::from_secs(30);

/// A tree row's height (trace_view.css, and the virtualization's step).
const ROW_HEIGHT: f64 = 28.0;

/// How the element matching `arguments[0]` is laid out: the height inside the host and that of the view's root,
/// the tree's height, and per row its offset in the tree, height, position, indent (where its toggle starts), and its
/// bar in the timeline cell.
const LAYOUT: &str = "
  const host = document.querySelector(arguments[0]);
  const root = host && host.shadowRoot;
  const tree = root && root.querySelector('[role=tree]');
  if (!tree) return null;
  const treeBox = tree.getBoundingClientRect();
  const rows = [...root.querySelectorAll('[role=treeitem]')].map((row) => {
    const box = row.getBoundingClientRect();
    const style = getComputedStyle(row);
    const timeline = row.querySelector('.timeline').getBoundingClientRect();
    const bar = row.querySelector('.bar').getBoundingClientRect();
    const toggle = row.querySelector('.toggle').getBoundingClientRect();
    return { id: row.dataset.spanId, level: Number(row.getAttribute('aria-level')), top: box.top - treeBox.top,
      height: box.height, position: style.position, indent: toggle.left - box.left,
      timeline: timeline.width, barLeft: bar.left - timeline.left, barWidth: bar.width };
  });
  return { hostHeight: host.clientHeight,
    rootHeight: root.querySelector('.root').getBoundingClientRect().height, treeHeight: treeBox.height,
    rem: parseFloat(getComputedStyle(document.documentElement).fontSize), rows };";

/// Takes the element matching `arguments[0]` out of the page until its view is unmounted, then puts it back;
/// returns whether the view was gone.
const REMOUNT: &str = "
  const el = document.querySelector(arguments[0]);
  const parent = el.parentNode;
  el.remove();
  return new Promise((resolve) => setTimeout(resolve, 100)).then(() => {
    const unmounted = el.shadowRoot.querySelector('.root') === null;
    parent.append(el);
    return unmounted;
  });";

/// The stylesheets adopted by the shadow roots of the mounted views: how many views, how many sheets each, and
/// whether they are the same sheet objects.
const ADOPTED_SHEETS: &str = "
  const sheets = [...document.querySelectorAll('orcheo-trace-view')]
    .filter((el) => el.shadowRoot.querySelector('.trace-view'))
    .map((el) => el.shadowRoot.adoptedStyleSheets);
  return { views: sheets.length, counts: sheets.map((s) => s.length),
    shared: sheets.every((s) => s.length === sheets[0].length && s.every((sheet, i) => sheet === sheets[0][i])) };";

/// Waits until the element matching `element` shows one row per span of `trace`, then checks its layout.
async fn expect_laid_out(browser: &Browser, element: &str, trace: &TraceResponse) -> anyhow::Result<()> {
    let layout = eventually(&format!("every span of the trace in {element}"), WAIT, || async {
        let layout = browser.js(LAYOUT, vec![json!(element)]).await?;
        let count = layout["rows"].as_array().map_or(0, Vec::len);
        Ok((count == trace.spans.len()).then_some(layout))
    })
    .await?;
    let num = |value: &Value| value.as_f64().unwrap_or(f64::NAN);
    let close = |got: f64, want: f64| (got - want).abs() <= 1.0;

    // The element's own rules: the shim's (`.root` fills the host) and the view's stylesheet (`.row`, below).
    assert!(num(&layout["hostHeight"]) > 0.0, "{element}: {layout}");
    assert!(close(num(&layout["rootHeight"]), num(&layout["hostHeight"])), "{element}: .root fills the host: {layout}");
    let rows = layout["rows"].as_array().cloned().unwrap_or_default();
    let n = rows.len() as f64;
    assert!(close(num(&layout["treeHeight"]), n * ROW_HEIGHT), "{element}: the tree's height: {layout}");

    let axis = TimeAxis::of(&trace.spans).ok_or_else(|| anyhow::anyhow!("a trace without spans"))?;
    let rem = num(&layout["rem"]);
    let mut tops = Vec::new();
    for row in &rows {
        let id = row["id"].as_str().unwrap_or_default();
        let span = trace.spans.iter().find(|s| s.span_id == id).ok_or_else(|| anyhow::anyhow!("no span {id}"))?;
        assert_eq!(row["position"], "absolute", "{element}: {row}");
        assert!(close(num(&row["height"]), ROW_HEIGHT), "{element}: {row}");
        // 0.5rem, and 1.1rem per level below the root.
        let depth = num(&row["level"]) - 1.0;
        assert!(close(num(&row["indent"]), (0.5 + 1.1 * depth) * rem), "{element}: indent of {}: {row}", span.name);
        let (timeline, bar) = (num(&row["timeline"]), axis.bar(span));
        assert!(timeline > 0.0, "{element}: {row}");
        assert!(close(num(&row["barLeft"]), bar.offset * timeline), "{element}: bar of {}: {row}", span.name);
        // The stylesheet gives every bar at least 2px, so that the shortest spans still show.
        let width = (bar.width * timeline).max(2.0);
        assert!(close(num(&row["barWidth"]), width), "{element}: bar width of {}: {row}", span.name);
        tops.push(num(&row["top"]));
    }
    // One row per step of the tree, the first at the top.
    tops.sort_by(f64::total_cmp);
    for (index, top) in tops.iter().enumerate() {
        assert!(close(*top, index as f64 * ROW_HEIGHT), "{element}: row tops {tops:?}");
    }
    let root_row = rows.iter().find(|r| r["level"] == 1).ok_or_else(|| anyhow::anyhow!("{element}: no root row"))?;
    assert!(close(num(&root_row["top"]), 0.0), "{element}: the root row first: {root_row}");
    Ok(())
}

/// What the browser reported about the page: the recorded violations and the console's messages about the policy.
async fn expect_no_violation(browser: &Browser, page: &str) -> anyhow::Result<()> {
    let violations = browser.csp_violations().await?;
    assert!(violations.is_empty(), "{page}: Content-Security-Policy violations: {violations:#?}");
    let refused: Vec<Value> = browser
        .console_log()
        .await?
        .into_iter()
        .filter(|entry| entry["message"].as_str().is_some_and(|m| m.contains("Content Security Policy")))
        .collect();
    assert!(refused.is_empty(), "{page}: the console reports the policy: {refused:#?}");
    Ok(())
}

/// The page's icon is a file of the service (an image the policy allows), not a `data:` URL.
async fn expect_icon(browser: &Browser, service: &TestService, page: &str) -> anyhow::Result<()> {
    let href = browser.js("return document.querySelector('link[rel=icon]').href", vec![]).await?;
    let href = href.as_str().unwrap_or_default().to_owned();
    assert!(href.starts_with(&service.url("/")), "{page}: icon {href}");
    let icon = reqwest::get(&href).await?;
    assert_eq!(icon.status().as_u16(), 200, "{page}: icon {href}");
    let kind = icon.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(kind.starts_with("image/svg+xml"), "{page}: icon {href} is {kind}");
    Ok(())
}

async fn trace_of(service: &TestService, execution: &str) -> anyhow::Result<TraceResponse> {
    let url = service.url(&format!("/api/executions/{execution}/trace"));
    Ok(reqwest::get(url).await?.error_for_status()?.json().await?)
}

#[tokio::test]
async fn the_pages_render_in_full_under_the_strict_policy() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    service.run(&samples::summarize(), "exec-policy").await?;
    let trace = trace_of(&service, "exec-policy").await?;
    // The policy the pages are served with: no inline styles, no `data:` images.
    let page = reqwest::get(service.url("/canvas.html")).await?;
    let policy = page.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(policy.contains("style-src 'self';") && policy.contains("img-src 'self';"), "{policy}");
    assert!(!policy.contains("unsafe-inline") && !policy.contains("data:"), "{policy}");

    let browser = Browser::start().await?;
    let result = async {
        browser.record_csp_violations().await?;

        // The Canvas page with the run's Trace tab open.
        browser.client.goto(&service.url("/canvas.html?execution=exec-policy&tab=trace")).await?;
        expect_laid_out(&browser, "#panel-trace orcheo-trace-view", &trace).await?;
        expect_icon(&browser, &service, "/canvas.html").await?;
        expect_no_violation(&browser, "/canvas.html").await?;

        // The story page: its live story follows the newest execution of the API, the others show traces set
        // directly.
        browser.client.goto(&service.url("/")).await?;
        expect_laid_out(&browser, "#story-live", &trace).await?;
        let small: TraceResponse = serde_json::from_value(
            browser.js("return import('./stories.js').then((stories) => stories.smallRun())", vec![]).await?,
        )?;
        expect_laid_out(&browser, "#story-small", &small).await?;
        // Every view on the page adopts the same two sheets, the shim's and the view's, also after a remount.
        assert_eq!(browser.js(REMOUNT, vec![json!("#story-small")]).await?, true, "#story-small unmounted");
        expect_laid_out(&browser, "#story-small", &small).await?;
        let sheets = browser.js(ADOPTED_SHEETS, vec![]).await?;
        assert!(sheets["views"].as_u64().is_some_and(|n| n >= 3), "{sheets}");
        assert!(sheets["counts"].as_array().is_some_and(|c| c.iter().all(|n| n == 2)), "{sheets}");
        assert_eq!(sheets["shared"], true, "{sheets}");
        expect_icon(&browser, &service, "/").await?;
        expect_no_violation(&browser, "/").await?;
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
