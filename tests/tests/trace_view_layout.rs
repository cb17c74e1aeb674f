//! The layout of `<orcheo-trace-view>` on the story page's "Parallel drafts and a retry" story: names are not cut at
//! 1,400, 1,024 and 800 px element widths (the badges and bars give way first), the bars show at the default split
//! of a 1,400 and a 1,024 px element, lined up with each other and the time axis, the details go under the tree
//! below 800 px, the time axis has round ticks, and the splitter follows the APG window splitter pattern by keyboard
//! and keeps its position across loads.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const STORY: &str = "#story-fanout";
const ROOT_SPAN: &str = "0000000000000001";

/// Sets the element's width (through the CSSOM, which the page policy allows) and, after two frames, measures the
/// root span's name cell and what else is shown.
const MEASURE: &str = "
  const [selector, width, spanId, done] = arguments;
  const host = document.querySelector(selector);
  host.style.width = width + 'px';
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const root = host.shadowRoot;
    const row = root.querySelector(`[role=treeitem][data-span-id='${spanId}']`);
    const name = row && row.querySelector('.name');
    const shown = (sel) => { const e = row && row.querySelector(sel); return !!e && e.getClientRects().length > 0
      && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 1; };
    // Every rendered row's bar column and the axis track: left edge and width.
    const column = (e) => { const b = e.getBoundingClientRect(); return [Math.round(b.left), Math.round(b.width)]; };
    const columns = [...root.querySelectorAll('[role=treeitem] .timeline')].filter((e) => e.getClientRects().length)
      .map(column);
    const track = root.querySelector('.axis-track');
    const tree = root.querySelector('.tree-pane').getBoundingClientRect();
    const details = root.querySelector('.details').getBoundingClientRect();
    const axis = root.querySelector('[data-testid=time-axis]');
    done({ host: host.getBoundingClientRect().width, name: name && name.textContent,
      scrollWidth: name && name.scrollWidth, clientWidth: name && name.clientWidth,
      timeline: shown('.timeline'), bar: shown('.timeline .bar'), badge: shown('.badge.kind'), columns,
      track: track && track.getClientRects().length ? column(track) : null,
      detailsBelow: details.top >= tree.bottom - 1, splitter: root.querySelector('[role=separator]')
        .getClientRects().length > 0,
      ticks: axis && axis.getClientRects().length > 0 ? [...axis.querySelectorAll('.tick')].map((t) => t.textContent) : null });
  }));";

/// The splitter's ARIA state, whether it has focus, and the tree pane's width share.
const SPLITTER: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  const s = root.querySelector('[role=separator]');
  const pane = root.getElementById(s.getAttribute('aria-controls'));
  const panes = root.querySelector('.panes').getBoundingClientRect();
  return { now: s.getAttribute('aria-valuenow'), min: s.getAttribute('aria-valuemin'),
    max: s.getAttribute('aria-valuemax'), label: s.getAttribute('aria-label'), tabindex: s.getAttribute('tabindex'),
    orientation: s.getAttribute('aria-orientation'), controls: pane ? pane.className : null,
    focused: root.activeElement === s,
    share: Math.round(pane.getBoundingClientRect().width / panes.width * 100),
    hidden: getComputedStyle(pane).visibility === 'hidden' };";

async fn measure(b: &Browser, width: u32) -> anyhow::Result<Value> {
    Ok(b.client.execute_async(MEASURE, vec![json!(STORY), json!(width), json!(ROOT_SPAN)]).await?)
}

async fn splitter(b: &Browser) -> anyhow::Result<Value> {
    b.js(SPLITTER, vec![json!(STORY)]).await
}

async fn expect_split(b: &Browser, now: &str) -> anyhow::Result<Value> {
    eventually(&format!("the splitter at {now}"), WAIT, || async {
        let state = splitter(b).await?;
        Ok((state["now"] == json!(now)).then_some(state))
    })
    .await
}

async fn wait_for_story(b: &Browser) -> anyhow::Result<()> {
    eventually("the fan-out story's root row", WAIT, || async {
        let found = b
            .js(
                "const r = document.querySelector(arguments[0]).shadowRoot;
                 return !!r.querySelector(`[role=treeitem][data-span-id='${arguments[1]}']`);",
                vec![json!(STORY), json!(ROOT_SPAN)],
            )
            .await?;
        Ok((found == json!(true)).then_some(()))
    })
    .await
}

#[tokio::test]
async fn names_stay_whole_down_to_800_px_and_the_splitter_works_by_keyboard() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let result = async {
        b.client.set_window_size(1600, 1000).await?;
        b.client.goto(&service.url("/index.html")).await?;
        wait_for_story(&b).await?;

        for width in [1400, 1024, 800] {
            let m = measure(&b, width).await?;
            assert_eq!(m["host"], json!(width), "element width: {m}");
            assert_eq!(m["name"], json!("workflow blog-post-chain"));
            let (scroll, client) =
                (m["scrollWidth"].as_f64().unwrap_or(f64::MAX), m["clientWidth"].as_f64().unwrap_or(0.0));
            assert!(scroll <= client, "the name is cut at {width} px: {m}");
            assert_eq!(m["detailsBelow"], json!(false), "side by side at {width} px: {m}");
            assert_eq!(m["splitter"], json!(true));
            if width == 1400 || width == 1024 {
                // The timeline shows at the default split of common widths, next to the whole name.
                assert_eq!((m["timeline"].clone(), m["bar"].clone()), (json!(true), json!(true)), "bars: {m}");
                let columns = m["columns"].as_array().cloned().unwrap_or_default();
                assert!(columns.len() > 1, "rows with bars at {width} px: {m}");
                let track = &m["track"];
                assert!(track[1].as_f64().is_some_and(|w| w >= 64.0), "a bar column at least 4rem wide: {m}");
                // Rows at every depth share one column, under the axis.
                assert!(columns.iter().all(|c| c == track), "bar columns under the axis at {width} px: {m}");
                // The run takes 1.30 s: round half-second ticks.
                assert_eq!(m["ticks"], json!(["0.0 s", "0.5 s", "1.0 s"]));
            }
            if width == 1400 {
                assert_eq!(m["badge"], json!(true), "all shown: {m}");
            }
            if width == 800 {
                assert_eq!(m["timeline"], json!(false), "the bars give way first: {m}");
                assert_eq!(m["ticks"], Value::Null, "the axis goes with the bars");
            }
        }
        // Below 800 px the details go under the tree.
        let m = measure(&b, 700).await?;
        assert_eq!((m["detailsBelow"].clone(), m["splitter"].clone()), (json!(true), json!(false)), "{m}");
        let _ = measure(&b, 1400).await?;

        // The splitter: APG window splitter attributes, then the keys.
        let state = splitter(&b).await?;
        assert_eq!(
            (&state["now"], &state["min"], &state["max"], &state["tabindex"], &state["orientation"]),
            (&json!("45"), &json!("0"), &json!("80"), &json!("0"), &json!("vertical"))
        );
        assert_eq!(state["label"], json!("Resize the span tree"));
        assert_eq!(state["controls"], json!("tree-pane"));
        assert_eq!(state["share"], json!(45));
        b.js(
            "document.querySelector(arguments[0]).shadowRoot.querySelector('[role=separator]').focus()",
            vec![json!(STORY)],
        )
        .await?;
        assert_eq!(splitter(&b).await?["focused"], json!(true));
        b.press(char::from(Key::Left)).await?;
        let state = expect_split(&b, "40").await?;
        assert_eq!(state["share"], json!(40));
        b.press(char::from(Key::Home)).await?;
        expect_split(&b, "20").await?;
        b.press(char::from(Key::End)).await?;
        let state = expect_split(&b, "80").await?;
        assert_eq!(state["share"], json!(80));
        b.press(char::from(Key::Enter)).await?;
        let state = expect_split(&b, "0").await?;
        assert_eq!(state["hidden"], json!(true), "Enter collapses the tree");
        b.press(char::from(Key::Enter)).await?;
        let state = expect_split(&b, "80").await?;
        assert_eq!(state["hidden"], json!(false), "Enter restores it");
        b.press(char::from(Key::Left)).await?;
        expect_split(&b, "75").await?;

        // Kept for the page: a reload starts where it was left.
        let stored = b.js("return localStorage.getItem('orcheo-trace-view:split:story-fanout')", vec![]).await?;
        assert_eq!(stored, json!("75"));
        b.client.refresh().await?;
        wait_for_story(&b).await?;
        expect_split(&b, "75").await?;

        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "{violations:#?}");
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}
