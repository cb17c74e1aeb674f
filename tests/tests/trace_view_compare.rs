//! Two runs compared in `<orcheo-trace-view>`, on the story page's "Two runs compared" story (two inline traces set
//! as `trace` and `compareTrace`): the Trace and Compare tabs (WAI-ARIA tabs keyboard), the aligned rows with the
//! differences first, opening a row from the keyboard to see both runs side by side, going back to the tree, and
//! axe.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const STORY: &str = "#story-compare";

/// The tabs, the panel, the rows (name, changes, cells) and the opened sides.
const STATE: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  const text = (e) => e ? e.textContent : null;
  const panel = root.querySelector('[role=tabpanel]');
  const sides = root.querySelector('[data-testid=compare-sides]');
  return {
    tabs: [...root.querySelectorAll('.view-tabs [role=tab]')].map((t) => ({ label: t.textContent,
      selected: t.getAttribute('aria-selected'), tabindex: t.getAttribute('tabindex'), focused: root.activeElement === t })),
    panel: panel && { labelledby: panel.getAttribute('aria-labelledby') },
    head: text(root.querySelector('[data-testid=compare-head]')),
    headers: [...root.querySelectorAll('[data-testid=compare-table] thead th')].map((th) => th.textContent),
    rows: [...root.querySelectorAll('[data-testid=compare-row]')].map((tr) => ({
      name: tr.querySelector('th').textContent, changes: tr.dataset.changes,
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
      expanded: tr.querySelector('button').getAttribute('aria-expanded') })),
    focused: root.activeElement && root.activeElement.id,
    sides: sides && [...sides.querySelectorAll('.side')].map((s) => ({ text: s.textContent,
      input: text(s.querySelector('[data-testid=compare-Input]')),
      output: text(s.querySelector('[data-testid=compare-Output]')) })),
    sidesTitle: sides && text(sides.querySelector('h3')),
    treeRows: root.querySelectorAll('[role=treeitem]').length,
  };";

async fn state(b: &Browser) -> anyhow::Result<Value> {
    b.js(STATE, vec![json!(STORY)]).await
}

fn names(s: &Value) -> Vec<String> {
    s["rows"]
        .as_array()
        .map(|r| r.iter().map(|r| r["name"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

async fn focused(b: &Browser) -> anyhow::Result<Value> {
    Ok(state(b).await?["focused"].clone())
}

#[tokio::test]
async fn two_runs_are_aligned_differences_first_and_open_side_by_side() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        // A compare run set: the tabs show, Compare selected.
        let s = eventually("the comparison", WAIT, || async {
            let s = state(&b).await?;
            Ok((s["rows"].as_array().is_some_and(|r| !r.is_empty())).then_some(s))
        })
        .await?;
        let tabs: Vec<(&str, &str)> = s["tabs"]
            .as_array()
            .map(|t| {
                t.iter().map(|t| (t["label"].as_str().unwrap_or(""), t["selected"].as_str().unwrap_or(""))).collect()
            })
            .unwrap_or_default();
        assert_eq!(tabs, [("Trace", "false"), ("Compare", "true")]);
        assert_eq!(s["panel"]["labelledby"], json!("view-tab-1"));
        assert_eq!(s["head"], json!("A: story-compare-a · B: story-compare-b · 7 of 9 spans differ"));
        assert_eq!(s["headers"], json!(["Span", "Changes", "Status", "Duration", "Tokens", "Cost"]));

        // Differences first, in A's order (B's new spans after their predecessor in B); then the unchanged ones.
        assert_eq!(
            names(&s),
            [
                "workflow answer-question",
                "node cache_lookup",
                "node retrieve",
                "node retrieve",
                "node answer",
                "chat gpt-4o-mini",
                "node cite",
                "node plan",
                "node format",
            ]
        );
        let changes: Vec<&str> = s["rows"]
            .as_array()
            .map(|r| r.iter().map(|r| r["changes"].as_str().unwrap_or("")).collect())
            .unwrap_or_default();
        assert_eq!(
            changes,
            [
                "duration",
                "only in A",
                "status duration output",
                "only in B",
                "output",
                "tokens prompt response",
                "only in B",
                "",
                ""
            ]
        );
        // Status, duration, tokens and cost: A → B where they differ, once where they agree.
        assert_eq!(s["rows"][2]["cells"][1], json!("OK → ERROR"));
        assert_eq!(s["rows"][2]["cells"][2], json!("300.0 ms → 500.0 ms"));
        assert_eq!(s["rows"][5]["cells"][3], json!("480 → 605"));
        // gpt-4o-mini: (420 × 0.15 + 60 × 0.60) / 1M = $0.000099; (510 × 0.15 + 95 × 0.60) / 1M = $0.0001335.
        assert_eq!(s["rows"][5]["cells"][4], json!("≈ $0.000099 → ≈ $0.00013"));
        assert_eq!(s["rows"][3]["cells"][1], json!("— → OK"), "only in B: nothing on A's side");
        assert_eq!(s["rows"][7]["cells"][2], json!("10.0 ms"));

        // Keyboard: Tab from the tabs reaches the first row's button, then the next ones; Enter opens one.
        let root = b.trace_view(STORY).await?;
        root.find(Locator::Css("[data-testid=view-tab-Compare]")).await?.click().await?;
        b.press(char::from(Key::Tab)).await?;
        eventually("the first row focused", WAIT, || async {
            Ok((focused(&b).await? == json!("compare-open-0")).then_some(()))
        })
        .await?;
        b.press(char::from(Key::Tab)).await?;
        b.press(char::from(Key::Tab)).await?;
        eventually("the third row focused", WAIT, || async {
            Ok((focused(&b).await? == json!("compare-open-2")).then_some(()))
        })
        .await?;
        b.press(char::from(Key::Enter)).await?;
        let s = eventually("both sides of the retried node", WAIT, || async {
            let s = state(&b).await?;
            Ok(s["sides"].as_array().is_some_and(|sides| sides.len() == 2).then_some(s))
        })
        .await?;
        assert_eq!(s["rows"][2]["expanded"], json!("true"));
        assert_eq!(s["sidesTitle"], json!("node retrieve"));
        assert_eq!(s["sides"][0]["output"], json!("q3-report.pdf#p4"));
        assert_eq!(s["sides"][1]["output"], json!(""));
        assert_eq!(s["sides"][0]["input"], s["sides"][1]["input"]);
        let (a, b_side) = (s["sides"][0]["text"].as_str().unwrap_or(""), s["sides"][1]["text"].as_str().unwrap_or(""));
        assert!(a.contains("story-compare-a") && a.contains("OK") && a.contains("300.0 ms"), "{a}");
        assert!(
            b_side.contains("story-compare-b") && b_side.contains("ERROR") && b_side.contains("500.0 ms"),
            "{b_side}"
        );
        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "with both sides open: {violations:#?}");

        // A span only in A says B has none; the model call shows its prompt and response side by side.
        b.client
            .execute(
                "document.querySelector(arguments[0]).shadowRoot.getElementById('compare-open-1').focus();",
                vec![json!(STORY)],
            )
            .await?;
        b.press(char::from(Key::Space)).await?;
        let s = eventually("the cache lookup's sides", WAIT, || async {
            let s = state(&b).await?;
            Ok((s["sidesTitle"] == json!("node cache_lookup")).then_some(s))
        })
        .await?;
        assert_eq!(s["sides"][0]["output"], json!("miss"));
        assert!(s["sides"][1]["text"].as_str().unwrap_or("").contains("Not in run story-compare-b"), "{s}");
        root.find(Locator::Css("#compare-open-5")).await?.click().await?;
        let s = eventually("the model call's sides", WAIT, || async {
            let s = state(&b).await?;
            Ok((s["sidesTitle"] == json!("chat gpt-4o-mini")).then_some(s))
        })
        .await?;
        assert_eq!(s["sides"][0]["input"], json!("Answer from the sources: q3-report.pdf#p4"));
        assert_eq!(s["sides"][1]["output"], json!("Revenue grew in every region, led by Europe."));

        // Back to the tree: Left on the Compare tab selects and focuses Trace; the rows of A are there.
        root.find(Locator::Css("[data-testid=view-tab-Compare]")).await?.click().await?;
        b.press(char::from(Key::Left)).await?;
        let s = eventually("the trace tab", WAIT, || async {
            let s = state(&b).await?;
            Ok((s["treeRows"].as_u64().unwrap_or(0) > 0).then_some(s))
        })
        .await?;
        assert_eq!(s["tabs"][0]["selected"], json!("true"));
        assert_eq!(s["tabs"][0]["focused"], json!(true), "focus follows the selection");
        assert_eq!(s["tabs"][0]["tabindex"], json!("0"));
        assert_eq!(s["tabs"][1]["tabindex"], json!("-1"));
        assert_eq!(s["panel"]["labelledby"], json!("view-tab-0"));
        assert_eq!(s["treeRows"], json!(7), "run A's spans");
        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "the trace tab: {violations:#?}");

        // A compare trace that does not parse: the Compare tab shows why, the trace stays.
        b.js("document.querySelector(arguments[0]).compareTrace = '{';", vec![json!(STORY)]).await?;
        let notice = eventually("the compare error", WAIT, || async {
            let notice = b
                .js("const n = document.querySelector(arguments[0]).shadowRoot.querySelector('[data-testid=compare-notice]');
                     return n && [n.getAttribute('role'), n.textContent];", vec![json!(STORY)])
                .await?;
            Ok((!notice.is_null()).then_some(notice))
        })
        .await?;
        assert_eq!(notice[0], json!("alert"));
        assert!(notice[1].as_str().is_some_and(|t| t.starts_with("Could not load the run to compare: invalid trace")), "{notice}");
        assert_eq!(state(&b).await?["tabs"][1]["selected"], json!("true"), "a new compare run shows Compare");

        // Without a compare run the tabs go away.
        b.js("document.querySelector(arguments[0]).compareTrace = null;", vec![json!(STORY)]).await?;
        eventually("no tabs", WAIT, || async {
            let s = state(&b).await?;
            Ok((s["tabs"].as_array().is_some_and(Vec::is_empty) && s["treeRows"] == json!(7)).then_some(()))
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}
