//! A node's input and output in `<orcheo-trace-view>`, on the story page's "Node input and output" story: the In,
//! Out and Changes tabs and what they show (JSON trees, the change table, text), the WAI-ARIA tabs keyboard
//! (arrows, Home, End, focus following the selection), the JSON tree's disclosure buttons, copy, and axe.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const STORY: &str = "#story-nodeio";

/// The tabs (label, selected, tabindex, focused), the shown panel and its content: the JSON tree's top-level
/// entries (name, text, expanded state), the change rows (cells), the text block and the notes.
const STATE: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  const io = root.querySelector('[data-testid=node-io]');
  if (!io) return null;
  const panel = io.querySelector('[role=tabpanel]');
  const tree = panel && panel.querySelector(':scope > .json-tree');
  return {
    tabs: [...io.querySelectorAll('[role=tab]')].map((t) => ({ label: t.textContent,
      selected: t.getAttribute('aria-selected'), tabindex: t.getAttribute('tabindex'),
      controls: t.getAttribute('aria-controls'), focused: root.activeElement === t })),
    panel: panel && { id: panel.id, labelledby: panel.getAttribute('aria-labelledby'), testid: panel.dataset.testid },
    entries: tree ? [...tree.children].map((li) => ({ name: li.dataset.pathName,
      text: li.textContent, expanded: li.querySelector(':scope > details')?.open ?? null })) : [],
    changes: [...(panel ? panel.querySelectorAll('[data-testid=node-io-changes] tbody tr') : [])]
      .map((tr) => [...tr.children].map((c) => c.textContent)),
    text: panel && panel.querySelector('[data-testid=node-io-text]')?.textContent,
    prompt: !!root.querySelector('[data-testid=prompt]'),
  };";

/// Clicks a treeitem of the story by span id.
const SELECT: &str = "document.querySelector(arguments[0]).shadowRoot
  .querySelector(`[role=treeitem][data-span-id='${arguments[1]}']`).click();";

async fn state(b: &Browser) -> anyhow::Result<Value> {
    b.js(STATE, vec![json!(STORY)]).await
}

/// Waits until the shown panel is `testid`; returns the state.
async fn panel(b: &Browser, testid: &str) -> anyhow::Result<Value> {
    eventually(&format!("the {testid} panel"), WAIT, || async {
        let s = state(b).await?;
        Ok((s["panel"]["testid"] == json!(testid)).then_some(s))
    })
    .await
}

fn selected(s: &Value) -> Vec<String> {
    let tabs = s["tabs"].as_array().cloned().unwrap_or_default();
    tabs.iter()
        .filter(|t| t["selected"] == json!("true"))
        .map(|t| t["label"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn in_out_and_changes_show_a_nodes_state_and_work_from_the_keyboard() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        // The story selects the retrieve node: In shows first.
        let s = panel(&b, "node-io-panel-in").await?;
        let labels: Vec<&str> = s["tabs"].as_array().map(|t| t.iter().filter_map(|t| t["label"].as_str()).collect()).unwrap_or_default();
        assert_eq!(labels, ["In", "Out", "Changes"]);
        assert_eq!(selected(&s), ["In"]);
        let tabindex: Vec<&Value> = s["tabs"].as_array().map(|t| t.iter().map(|t| &t["tabindex"]).collect()).unwrap_or_default();
        assert_eq!(tabindex, [&json!("0"), &json!("-1"), &json!("-1")], "one tab in the Tab sequence");
        assert_eq!(s["tabs"][0]["controls"], s["panel"]["id"]);
        assert_eq!(s["panel"]["labelledby"], json!("node-io-tab-in"));
        assert_eq!(s["prompt"], json!(false), "the input is not repeated as a prompt");
        let names: Vec<&str> = s["entries"].as_array().map(|e| e.iter().filter_map(|e| e["name"].as_str()).collect()).unwrap_or_default();
        assert_eq!(names, ["question", "results", "settings", "status"]);
        let settings = &s["entries"][2];
        assert_eq!(settings["expanded"], json!(true), "top levels open on first show");
        let text = settings["text"].as_str().unwrap_or_default();
        assert!(text.contains("api_key") && text.contains("[REDACTED:secret_key]") && text.contains("top_k"), "{text}");

        // The tree's disclosures fold an entry (a real click on its summary).
        let root = b.trace_view(STORY).await?;
        root.find(Locator::Css("[data-testid=node-io-panel-in] [data-path-name=settings] > details > summary"))
            .await?
            .click()
            .await?;
        eventually("settings folded", WAIT, || async {
            let s = state(&b).await?;
            Ok((s["entries"][2]["expanded"] == json!(false)).then_some(()))
        })
        .await?;

        // Keyboard: focus the selected tab, then ArrowRight selects and focuses Out.
        root.find(Locator::Css("[data-testid=node-io-tab-in]")).await?.click().await?;
        b.press(char::from(Key::Right)).await?;
        let s = panel(&b, "node-io-panel-out").await?;
        assert_eq!(selected(&s), ["Out"]);
        assert_eq!(s["tabs"][1]["focused"], json!(true), "focus follows the selection: {s}");
        let names: Vec<&str> = s["entries"].as_array().map(|e| e.iter().filter_map(|e| e["name"].as_str()).collect()).unwrap_or_default();
        assert_eq!(names, ["question", "results", "scores", "settings", "status"]);

        b.press(char::from(Key::Right)).await?;
        let s = panel(&b, "node-io-panel-changes").await?;
        assert_eq!(s["tabs"][2]["focused"], json!(true));
        let rows: Vec<Vec<String>> = serde_json::from_value(s["changes"].clone())?;
        // Values as In and Out show them: JSON pretty-printed, text as is.
        let want = [
            ["results.retrieve", "added", "", "[\n  \"q3-report.pdf#p4\",\n  \"q3-report.pdf#p9\"\n]"],
            ["settings.top_k", "changed", "3", "5"],
            ["status", "changed", "planned", "retrieved"],
            ["scores", "added", "", "[\n  0.91,\n  0.84\n]"],
        ];
        assert_eq!(rows, want.map(|r| r.map(str::to_owned).to_vec()).to_vec());

        // Arrows wrap; Home and End jump.
        b.press(char::from(Key::Right)).await?;
        assert_eq!(selected(&panel(&b, "node-io-panel-in").await?), ["In"]);
        b.press(char::from(Key::End)).await?;
        assert_eq!(selected(&panel(&b, "node-io-panel-changes").await?), ["Changes"]);
        b.press(char::from(Key::Home)).await?;
        let s = panel(&b, "node-io-panel-in").await?;
        assert_eq!(s["tabs"][0]["focused"], json!(true));
        b.press(char::from(Key::Left)).await?;
        panel(&b, "node-io-panel-changes").await?;
        // Tab leaves the tab list for the panel (one stop per tab list).
        b.press(char::from(Key::Tab)).await?;
        let focused_panel = b
            .js("const r = document.querySelector(arguments[0]).shadowRoot; return r.activeElement && r.activeElement.getAttribute('role');", vec![json!(STORY)])
            .await?;
        assert_eq!(focused_panel, json!("tabpanel"));

        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "with the changes shown: {violations:#?}");

        // Copy the output with a real click, and paste it back: the whole state, as JSON.
        root.find(Locator::Css("[data-testid=node-io-tab-out]")).await?.click().await?;
        panel(&b, "node-io-panel-out").await?;
        root.find(Locator::Css("[data-testid=node-io-panel-out] [data-testid=node-io-copy]")).await?.click().await?;
        eventually("copied", WAIT, || async {
            let status = b
                .js("const e = document.querySelector(arguments[0]).shadowRoot.querySelector('[data-testid=node-io-copy-status]'); return e && e.textContent;", vec![json!(STORY)])
                .await?;
            Ok((status == json!("Copied")).then_some(()))
        })
        .await?;
        b.js(
            "const t = document.createElement('textarea'); t.id = 'paste-io'; t.setAttribute('aria-label', 'paste');
              document.body.append(t); t.focus();",
            vec![],
        )
        .await?;
        let paste = b.client.find(Locator::Id("paste-io")).await?;
        paste.send_keys(&(Key::Control + "v")).await?;
        let pasted: Value = serde_json::from_str(&paste.prop("value").await?.unwrap_or_default())?;
        b.js("document.getElementById('paste-io').remove();", vec![]).await?;
        assert_eq!(
            pasted,
            json!({
                "question": "Why did Q3 revenue grow?",
                "settings": { "api_key": "[REDACTED:secret_key]", "top_k": 5 },
                "results": { "plan": "search the Q3 report", "retrieve": ["q3-report.pdf#p4", "q3-report.pdf#p9"] },
                "status": "retrieved",
                "scores": [0.91, 0.84],
            })
        );

        // A node that records text: In and Out show it as text; Changes says the whole value changed.
        b.js(SELECT, vec![json!(STORY), json!(format!("{:016x}", 4))]).await?;
        let s = eventually("the answer node's input", WAIT, || async {
            let s = state(&b).await?;
            Ok((s["text"] == json!("Why did Q3 revenue grow?")).then_some(s))
        })
        .await?;
        assert_eq!(selected(&s), ["In"], "a new span starts on In");
        root.find(Locator::Css("[data-testid=node-io-tab-changes]")).await?.click().await?;
        let s = panel(&b, "node-io-panel-changes").await?;
        let rows: Vec<Vec<String>> = serde_json::from_value(s["changes"].clone())?;
        assert_eq!(
            rows,
            [[
                "(whole value)",
                "changed",
                "Why did Q3 revenue grow?",
                "Revenue grew in every region while costs stayed flat."
            ]
            .map(str::to_owned)
            .to_vec()]
        );
        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "text input and output: {violations:#?}");

        // A model call keeps its prompt and response, without the tabs.
        b.js(SELECT, vec![json!(STORY), json!(format!("{:016x}", 5))]).await?;
        eventually("the model call's details", WAIT, || async {
            let s = state(&b).await?;
            let prompt = b
                .js("return !!document.querySelector(arguments[0]).shadowRoot.querySelector('[data-testid=prompt]');", vec![json!(STORY)])
                .await?;
            Ok((s.is_null() && prompt == json!(true)).then_some(()))
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}
