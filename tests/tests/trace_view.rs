//! The `<orcheo-trace-view>` element in headless Chromium, on the story page served by the real API: the APG tree
//! keyboard walk, filters, search, copy, the element API (deep links, independence, unmount) and accessibility in both colour schemes.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

/// The rows in the DOM of the element matching `arguments[0]`, top to bottom, with their ARIA state.
const ROWS: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  const active = root.activeElement;
  return [...root.querySelectorAll('[role=treeitem]')]
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((r) => ({ id: r.dataset.spanId, name: r.querySelector('.name').textContent,
      selected: r.getAttribute('aria-selected'), expanded: r.getAttribute('aria-expanded'),
      level: r.getAttribute('aria-level'), pos: r.getAttribute('aria-posinset'), size: r.getAttribute('aria-setsize'),
      marks: [...r.querySelectorAll('mark')].map((m) => m.textContent), focused: r === active }));";

/// The height of the virtual list's tree (28px per row it holds, rendered or not).
const TREE_HEIGHT: &str =
    "return document.querySelector(arguments[0]).shadowRoot.querySelector('[role=tree]').style.height;";

/// Clicks the element (by CSS, inside the shadow root of `arguments[0]`).
const CLICK: &str = "document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]).click();";

/// The text of an element inside the shadow root, or null.
const TEXT: &str = "const e = document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]);
  return e ? e.textContent : null;";

struct Page {
    browser: Browser,
    _service: TestService,
}

async fn story_page() -> anyhow::Result<Page> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let browser = Browser::start().await?;
    browser.client.goto(&service.url("/index.html")).await?;
    Ok(Page { browser, _service: service })
}

async fn rows(browser: &Browser, element: &str) -> anyhow::Result<Vec<Value>> {
    Ok(browser.js(ROWS, vec![json!(element)]).await?.as_array().cloned().unwrap_or_default())
}

fn names(rows: &[Value]) -> Vec<String> {
    rows.iter().map(|r| r["name"].as_str().unwrap_or_default().to_owned()).collect()
}

/// Waits until the element shows exactly `want` row names.
async fn expect_names(browser: &Browser, element: &str, want: &[&str]) -> anyhow::Result<Vec<Value>> {
    let what = format!("rows {want:?} in {element}");
    eventually(&what, WAIT, || async {
        let rows = rows(browser, element).await?;
        Ok((names(&rows) == want).then_some(rows))
    })
    .await
}

async fn expect_focus(browser: &Browser, element: &str, name: &str) -> anyhow::Result<()> {
    let want = json!(name);
    eventually(&format!("focus on {name}"), WAIT, || async {
        let rows = rows(browser, element).await?;
        let row = rows.iter().find(|r| r["focused"] == json!(true));
        Ok(row.filter(|r| r["name"] == want && r["selected"] == json!("true")).map(|_| ()))
    })
    .await
}

const SMALL: &str = "#story-small";
const ALL_SMALL: [&str; 5] =
    ["workflow summarize-report", "node fetch_report", "node summarize", "chat local-mini", "node publish"];

#[tokio::test]
async fn keyboard_walk_follows_the_apg_tree_pattern() -> anyhow::Result<()> {
    let page = story_page().await?;
    let b = &page.browser;
    let result = async {
        let shown = expect_names(b, SMALL, &ALL_SMALL).await?;
        // ARIA: levels, positions, aria-expanded on parents only.
        let aria: Vec<_> = shown
            .iter()
            .map(|r| (r["level"].clone(), r["pos"].clone(), r["size"].clone(), r["expanded"].clone()))
            .collect();
        assert_eq!(
            aria,
            [
                (json!("1"), json!("1"), json!("1"), json!("true")),
                (json!("2"), json!("1"), json!("3"), Value::Null),
                (json!("2"), json!("2"), json!("3"), json!("true")),
                (json!("3"), json!("1"), json!("1"), Value::Null),
                (json!("2"), json!("3"), json!("3"), Value::Null),
            ]
        );
        // A real click focuses the row (a scripted one would not).
        let host = b.client.find(Locator::Css(SMALL)).await?.shadow_root().await?;
        host.find(Locator::Css("[role=treeitem]")).await?.click().await?;
        expect_focus(b, SMALL, "workflow summarize-report").await?;
        b.press(char::from(Key::Down)).await?;
        expect_focus(b, SMALL, "node fetch_report").await?;
        b.press(char::from(Key::End)).await?;
        expect_focus(b, SMALL, "node publish").await?;
        b.press(char::from(Key::Home)).await?;
        expect_focus(b, SMALL, "workflow summarize-report").await?;
        // Left on an open parent closes it; Right opens it again, then moves to its first child.
        b.press(char::from(Key::Left)).await?;
        expect_names(b, SMALL, &["workflow summarize-report"]).await?;
        b.press(char::from(Key::Right)).await?;
        expect_names(b, SMALL, &ALL_SMALL).await?;
        b.press(char::from(Key::Right)).await?;
        expect_focus(b, SMALL, "node fetch_report").await?;
        // Type-ahead: "node s" (a space included) from fetch_report lands on summarize; after a pause, "c" starts
        // over and finds the chat span.
        b.press('n').await?;
        expect_focus(b, SMALL, "node summarize").await?;
        for c in "ode s".chars() {
            b.press(c).await?;
        }
        expect_focus(b, SMALL, "node summarize").await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        b.press('c').await?;
        expect_focus(b, SMALL, "chat local-mini").await?;
        // Left on a leaf goes to its parent; Left again closes it.
        b.press(char::from(Key::Left)).await?;
        expect_focus(b, SMALL, "node summarize").await?;
        b.press(char::from(Key::Left)).await?;
        expect_names(b, SMALL, &["workflow summarize-report", "node fetch_report", "node summarize", "node publish"])
            .await?;
        // `*` expands every sibling: summarize opens again.
        b.press('*').await?;
        expect_names(b, SMALL, &ALL_SMALL).await?;
        b.press(char::from(Key::Down)).await?;
        expect_focus(b, SMALL, "chat local-mini").await?;
        // Enter selects; the selection is reflected on the element for deep links.
        b.press(char::from(Key::Enter)).await?;
        let reflected =
            b.js("return document.querySelector('#story-small').getAttribute('selected-span-id')", vec![]).await?;
        assert_eq!(reflected, json!("0000000000000004"));
        anyhow::Ok(())
    }
    .await;
    page.browser.close().await?;
    result
}

#[tokio::test]
async fn filters_and_search_narrow_the_tree_and_step_through_matches() -> anyhow::Result<()> {
    let page = story_page().await?;
    let b = &page.browser;
    let failed = "#story-failed";
    let llm = "#story-llm";
    let result = async {
        expect_names(b, failed, &["workflow sync-crm", "node load_contacts", "node push_to_crm", "POST /crm/batch"])
            .await?;
        b.js(CLICK, vec![json!(failed), json!("[data-testid=filter-errors]")]).await?;
        expect_names(b, failed, &["workflow sync-crm", "node push_to_crm", "POST /crm/batch"]).await?;
        b.js(CLICK, vec![json!(failed), json!("[data-testid=filter-ai]")]).await?;
        let notice = eventually("the empty-result notice", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(failed), json!("[data-testid=no-matches]")]).await?.as_str().map(str::to_owned))
        })
        .await?;
        assert!(notice.contains("No spans match"), "{notice}");

        // Search in the LLM run: names and attribute values, highlighted, with a count and next/previous.
        let search = b
            .client
            .find(Locator::Css(llm))
            .await?
            .shadow_root()
            .await?
            .find(Locator::Css("[data-testid=search]"))
            .await?;
        search.send_keys("web_search").await?;
        let count = eventually("the match count", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(llm), json!("[data-testid=match-count]")])
                .await?
                .as_str()
                .map(str::to_owned)
                .filter(|t| t.contains("match")))
        })
        .await?;
        assert_eq!(count, "6 matches");
        let shown = rows(b, llm).await?;
        let tools: Vec<_> = shown.iter().filter(|r| r["marks"] == json!(["web_search"])).collect();
        assert_eq!(tools.len(), 6, "every tool row highlights the match: {shown:?}");
        assert_eq!(shown.len(), 13, "matches with their ancestors only");
        search.send_keys(&Key::Enter.to_string()).await?;
        eventually("1 of 6", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(llm), json!("[data-testid=match-count]")])
                .await?
                .as_str()
                .filter(|t| *t == "1 of 6")
                .map(|_| ()))
        })
        .await?;
        b.js(CLICK, vec![json!(llm), json!("[data-testid=prev-match]")]).await?;
        eventually("6 of 6 selected in the details", WAIT, || async {
            let count = b.js(TEXT, vec![json!(llm), json!("[data-testid=match-count]")]).await?;
            let details = b.js(TEXT, vec![json!(llm), json!("[data-testid=span-details] .span-name")]).await?;
            Ok((count == json!("6 of 6") && details == json!("tool web_search")).then_some(()))
        })
        .await?;
        // Attribute values match too: "topic 3" is only in one tool span's attributes.
        search.clear().await?;
        search.send_keys("topic 3").await?;
        eventually("one attribute match", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(llm), json!("[data-testid=match-count]")])
                .await?
                .as_str()
                .filter(|t| *t == "1 match")
                .map(|_| ()))
        })
        .await?;
        search.clear().await?;
        search.send_keys("no such span").await?;
        eventually("no matches", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(llm), json!("[data-testid=no-matches]")]).await?.as_str().map(|_| ()))
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    page.browser.close().await?;
    result
}

#[tokio::test]
async fn copy_puts_the_full_prompt_on_the_clipboard() -> anyhow::Result<()> {
    let page = story_page().await?;
    let b = &page.browser;
    let llm = "#story-llm";
    let result = async {
        // All 19 spans are in the tree (its height is one row each), though the virtual list renders only those in
        // and near view; the first chat span is near the top.
        let shown = eventually("the LLM story's rows", WAIT, || async {
            let height = b.js(TREE_HEIGHT, vec![json!(llm)]).await?;
            let rows = rows(b, llm).await?;
            let chat = rows.iter().any(|r| r["name"] == json!("chat claude-sonnet"));
            Ok((height == json!("532px") && chat).then_some(rows))
        })
        .await?;
        let chat = shown.iter().position(|r| r["name"] == json!("chat claude-sonnet")).unwrap_or_default();
        b.js(
            CLICK,
            vec![
                json!(llm),
                json!(format!("[role=treeitem][data-span-id='{}']", shown[chat]["id"].as_str().unwrap_or_default())),
            ],
        )
        .await?;
        let preview = eventually("the prompt preview", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(llm), json!("[data-testid=prompt-text]")]).await?.as_str().map(str::to_owned))
        })
        .await?;
        assert!(preview.ends_with('…') && preview.chars().count() == 401, "a 400-character preview: {preview:?}");
        b.js(CLICK, vec![json!(llm), json!("[data-testid=prompt] [data-testid=expand]")]).await?;
        let full = eventually("the full prompt", WAIT, || async {
            let text = b.js(TEXT, vec![json!(llm), json!("[data-testid=prompt-text]")]).await?;
            Ok(text.as_str().filter(|t| t.ends_with("Answer with sources.")).map(str::to_owned))
        })
        .await?;
        // Copy with a real click (user activation), then paste into a scratch field of the page.
        let host = b.client.find(Locator::Css(llm)).await?.shadow_root().await?;
        host.find(Locator::Css("[data-testid=prompt] [data-testid=copy]")).await?.click().await?;
        let status = eventually("the copy status", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(llm), json!("[data-testid=copy-status]")]).await?.as_str().map(str::to_owned))
        })
        .await?;
        assert_eq!(status, "Copied");
        b.js(
            "const t = document.createElement('textarea'); t.id = 'paste-here'; t.setAttribute('aria-label', 'paste');
              document.body.append(t); t.focus();",
            vec![],
        )
        .await?;
        let paste = b.client.find(Locator::Id("paste-here")).await?;
        paste.send_keys(&(Key::Control + "v")).await?;
        let pasted = paste.prop("value").await?.unwrap_or_default();
        assert_eq!(pasted, full);
        anyhow::Ok(())
    }
    .await;
    page.browser.close().await?;
    result
}

#[tokio::test]
async fn elements_are_independent_deep_linkable_and_unmount() -> anyhow::Result<()> {
    let page = story_page().await?;
    let b = &page.browser;
    let result = async {
        expect_names(b, SMALL, &ALL_SMALL).await?;
        let before = rows(b, "#story-failed").await?;
        // A deep link: the host sets the selected span id; the tree selects it and the details show it.
        b.js("document.querySelector('#story-small').setAttribute('selected-span-id', '0000000000000005')", vec![])
            .await?;
        eventually("the deep-linked span in the details", WAIT, || async {
            let name = b.js(TEXT, vec![json!(SMALL), json!("[data-testid=span-details] .span-name")]).await?;
            Ok((name == json!("node publish")).then_some(()))
        })
        .await?;
        let selected = b.js("return document.querySelector('#story-small').selectedSpanId", vec![]).await?;
        assert_eq!(selected, json!("0000000000000005"));
        // The other element on the page did not change.
        assert_eq!(rows(b, "#story-failed").await?, before);
        // Filters are per element: errors-only on one leaves the other whole.
        b.js(CLICK, vec![json!(SMALL), json!("[data-testid=filter-errors]")]).await?;
        eventually("no matches in the small run", WAIT, || async {
            Ok(b.js(TEXT, vec![json!(SMALL), json!("[data-testid=no-matches]")]).await?.as_str().map(|_| ()))
        })
        .await?;
        assert_eq!(rows(b, "#story-failed").await?.len(), 4);
        // Removing the element unmounts the app: its render root goes away, the selection is remembered.
        let gone = b
            .js(
                "const el = document.querySelector('#story-small'); el.remove();
                 await new Promise((r) => setTimeout(r, 0));
                 return [el.shadowRoot.querySelector('.root'), el.selectedSpanId];",
                vec![],
            )
            .await?;
        assert_eq!(gone, json!([null, "0000000000000005"]));
        anyhow::Ok(())
    }
    .await;
    page.browser.close().await?;
    result
}

#[tokio::test]
async fn axe_finds_no_violations_on_the_story_and_canvas_pages_light_and_dark() -> anyhow::Result<()> {
    let page = story_page().await?;
    let b = &page.browser;
    let result = async {
        let story_url = b.client.current_url().await?;
        let canvas_url = story_url.join("/canvas.html")?;
        // Both colour schemes: the dark one has its own colours, so its own contrast.
        let mut backgrounds = Vec::new();
        for scheme in ["light", "dark"] {
            b.client.goto(story_url.as_str()).await?;
            b.color_scheme(scheme).await?;
            expect_names(b, SMALL, &ALL_SMALL).await?;
            // Wait for the API-backed stories too: the error story settles on its error.
            eventually("the error story", WAIT, || async {
                Ok(b.js(TEXT, vec![json!("#story-error"), json!("[data-testid=trace-error]")])
                    .await?
                    .as_str()
                    .map(|_| ()))
            })
            .await?;
            // Open a prompt so that the details' buttons and text blocks are checked too.
            b.js(CLICK, vec![json!(SMALL), json!("[role=treeitem][data-span-id='0000000000000004']")]).await?;
            let violations = b.axe_violations().await?;
            assert!(violations.is_empty(), "story page, {scheme}: {violations:#?}");
            let background = "return getComputedStyle(document.querySelector(arguments[0]).shadowRoot
                .querySelector('.trace-view')).backgroundColor";
            backgrounds.push(b.js(background, vec![json!(SMALL)]).await?);

            b.client.goto(canvas_url.as_str()).await?;
            b.color_scheme(scheme).await?;
            // The tabs render once the page has asked the API which ones the deployment shows.
            b.client.wait().for_element(Locator::Id("tab-trace")).await?.click().await?;
            let violations = b.axe_violations().await?;
            assert!(violations.is_empty(), "canvas page, {scheme}: {violations:#?}");
        }
        assert_ne!(backgrounds[0], backgrounds[1], "the element follows the colour scheme");
        anyhow::Ok(())
    }
    .await;
    page.browser.close().await?;
    result
}
