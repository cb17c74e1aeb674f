//! The critical path in `<orcheo-trace-view>`, on the story page's "Parallel drafts and a retry" story: the toolbar
//! toggle (pressed state, keyboard), the highlighted rows and their accessible marker, the path's bar segments, the
//! summary of how much of the run it explains, and axe with the path shown.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const STORY: &str = "#story-fanout";

/// The rendered rows of the story, top to bottom: span id, whether the row is marked as on the path (class and
/// hidden text), its accessible text and how many path segments its bar carries.
const PATH_ROWS: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  return [...root.querySelectorAll('[role=treeitem]')]
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((r) => ({ id: r.dataset.spanId, critical: r.classList.contains('critical'),
      text: r.textContent, segments: r.querySelectorAll('.timeline .path-segment').length }));";

/// The toggle's pressed state, the summary's text and whether the toggle has focus.
const TOOLBAR: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  const button = root.querySelector('[data-testid=critical-path]');
  return { pressed: button.getAttribute('aria-pressed'), label: button.textContent,
    summary: root.querySelector('[data-testid=critical-path-summary]').textContent,
    summaryRole: root.querySelector('[data-testid=critical-path-summary]').getAttribute('role'),
    focused: root.activeElement === button };";

fn id(n: u64) -> String {
    format!("{n:016x}")
}

async fn path_rows(b: &Browser) -> anyhow::Result<Vec<Value>> {
    Ok(b.js(PATH_ROWS, vec![json!(STORY)]).await?.as_array().cloned().unwrap_or_default())
}

async fn toolbar(b: &Browser) -> anyhow::Result<Value> {
    b.js(TOOLBAR, vec![json!(STORY)]).await
}

#[tokio::test]
async fn the_critical_path_toggle_highlights_the_spans_that_set_the_run_duration() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        let rows = eventually("the fan-out story's rows", WAIT, || async {
            let rows = path_rows(&b).await?;
            Ok((rows.len() == 11).then_some(rows))
        })
        .await?;
        assert!(rows.iter().all(|r| r["critical"] == json!(false) && r["segments"] == json!(0)), "off at first");
        let state = toolbar(&b).await?;
        assert_eq!(state["pressed"], json!("false"));
        assert_eq!(state["label"], json!("Critical path"));
        assert_eq!(state["summaryRole"], json!("status"));
        assert_eq!(state["summary"], json!(""));

        // A real click turns it on.
        let root = b.trace_view(STORY).await?;
        root.find(Locator::Css("[data-testid=critical-path]")).await?.click().await?;
        let rows = eventually("rows on the critical path", WAIT, || async {
            let rows = path_rows(&b).await?;
            Ok(rows.iter().any(|r| r["critical"] == json!(true)).then_some(rows))
        })
        .await?;
        // Through the outline, the failed draft and its retry, and the publish step; not the parallel intro
        // draft (spans 4 and 5), which finished before the retry did.
        let on_path: Vec<String> = rows
            .iter()
            .filter(|r| r["critical"] == json!(true))
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .collect();
        let want: Vec<String> = [1, 2, 3, 6, 7, 8, 9, 10, 11].into_iter().map(id).collect();
        assert_eq!(on_path, want);
        for row in &rows {
            let marked = row["text"].as_str().unwrap_or_default().contains("on the critical path");
            assert_eq!(marked, row["critical"] == json!(true), "accessible marker of {}", row["id"]);
        }
        // The root's own time lies between its children: five stretches (before the outline, between outline and
        // drafts, before the retry, before publish, after publish); a leaf on the path is one stretch.
        let segments = |n: u64| rows.iter().find(|r| r["id"] == json!(id(n))).map(|r| r["segments"].clone());
        assert_eq!(segments(1), Some(json!(5)));
        assert_eq!(segments(11), Some(json!(1)));
        assert_eq!(segments(8), Some(json!(2)));
        assert_eq!(segments(4), Some(json!(0)));
        let state = toolbar(&b).await?;
        assert_eq!(state["pressed"], json!("true"));
        assert_eq!(state["summary"], json!("Critical path: 9 spans, 1.30 s of 1.30 s"));

        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "with the critical path shown: {violations:#?}");

        // Keyboard: from the search box, Tab passes the two filters and reaches the toggle; Space turns it off.
        root.find(Locator::Css("[data-testid=search]")).await?.click().await?;
        for _ in 0..3 {
            b.press(char::from(Key::Tab)).await?;
        }
        let state = toolbar(&b).await?;
        assert_eq!(state["focused"], json!(true), "the toggle is reachable with Tab: {state}");
        b.press(' ').await?;
        eventually("the path cleared", WAIT, || async {
            let rows = path_rows(&b).await?;
            let state = toolbar(&b).await?;
            let cleared = rows.iter().all(|r| r["critical"] == json!(false) && r["segments"] == json!(0));
            Ok((cleared && state["pressed"] == json!("false") && state["summary"] == json!("")).then_some(()))
        })
        .await?;
        // Enter turns it on again.
        b.press(char::from(Key::Enter)).await?;
        eventually("the path back", WAIT, || async {
            Ok((toolbar(&b).await?["pressed"] == json!("true")).then_some(()))
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}
