//! Case-insensitive search, highlighting and type-ahead on names that are not ASCII, in headless Chromium: in the
//! browser the page lowercases such text (`trace_model::case`), so this is where that path runs.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const ELEMENT: &str = "#case";

/// The rows in the DOM, top to bottom: name, highlighted parts, focus.
const ROWS: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  return [...root.querySelectorAll('[role=treeitem]')]
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((r) => ({ name: r.querySelector('.name').textContent,
      marks: [...r.querySelectorAll('mark')].map((m) => m.textContent), focused: r === root.activeElement }));";

const TEXT: &str = "const e = document.querySelector(arguments[0]).shadowRoot.querySelector(arguments[1]);
  return e ? e.textContent : null;";

fn trace() -> Value {
    let span = |id: &str, parent: Option<&str>, name: &str, at: u32, attributes: Value| {
        json!({
            "span_id": id, "parent_span_id": parent, "name": name, "kind": "node",
            "start_time": format!("2026-12-01T10:00:0{at}.000000Z"), "end_time": format!("2026-12-01T10:00:0{}.000000Z", at + 1),
            "status": {"code": "OK"}, "attributes": attributes,
        })
    };
    json!({
        "execution": {"id": "case-run", "workflow_id": "wf", "status": "completed", "root_span_id": "r"},
        "spans": [
            span("r", None, "workflow Übersicht", 0, json!({})),
            span("a", Some("r"), "node ÉTAPE_un", 1, json!({})),
            span("b", Some("r"), "node straße", 2, json!({"note": "ΣΟΦΊΑ im Büro"})),
            span("c", Some("r"), "Émission finale", 3, json!({})),
        ],
    })
}

async fn rows(b: &Browser) -> anyhow::Result<Vec<Value>> {
    Ok(b.js(ROWS, vec![json!(ELEMENT)]).await?.as_array().cloned().unwrap_or_default())
}

/// Types `query` into the search box (after clearing it) and waits for the match count to read `count`.
async fn search(b: &Browser, query: &str, count: &str) -> anyhow::Result<Vec<Value>> {
    let root = b.client.find(Locator::Css(ELEMENT)).await?.shadow_root().await?;
    let field = root.find(Locator::Css("[data-testid=search]")).await?;
    field.clear().await?;
    field.send_keys(query).await?;
    eventually(&format!("{count:?} for {query:?}"), WAIT, || async {
        let shown = b.js(TEXT, vec![json!(ELEMENT), json!("[data-testid=match-count]")]).await?;
        Ok((shown == json!(count)).then_some(()))
    })
    .await?;
    rows(b).await
}

fn marked(rows: &[Value]) -> Vec<(String, Vec<String>)> {
    rows.iter()
        .filter(|r| r["marks"].as_array().is_some_and(|m| !m.is_empty()))
        .map(|r| {
            let marks = r["marks"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned);
            (r["name"].as_str().unwrap_or_default().to_owned(), marks.collect())
        })
        .collect()
}

#[tokio::test]
async fn search_and_type_ahead_ignore_case_beyond_ascii() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    b.client.goto(&service.url("/index.html")).await?;
    let result = async {
        b.js(
            "const el = document.createElement('orcheo-trace-view');
             el.id = 'case';
             el.style.height = '500px';
             el.trace = arguments[0];
             document.querySelector('main').prepend(el);",
            vec![trace()],
        )
        .await?;
        eventually("the four rows", WAIT, || async { Ok((rows(&b).await?.len() == 4).then_some(())) }).await?;

        // Lowercase query, uppercase accented name: the original letters are highlighted.
        let shown = search(&b, "étape", "1 match").await?;
        assert_eq!(marked(&shown), [("node ÉTAPE_un".to_owned(), vec!["ÉTAPE".to_owned()])]);
        // Uppercase query, mixed-case name.
        let shown = search(&b, "ÜBER", "1 match").await?;
        assert_eq!(marked(&shown), [("workflow Übersicht".to_owned(), vec!["Über".to_owned()])]);
        // Greek and ß in an attribute value: matched, not highlighted in the name.
        search(&b, "σοφία im büro", "1 match").await?;
        search(&b, "STRASSE", "No matches").await?;
        search(&b, "STRAẞE", "1 match").await?;
        // Type-ahead: a lowercase "é" goes to the row whose name starts with "É".
        let root = b.client.find(Locator::Css(ELEMENT)).await?.shadow_root().await?;
        let field = root.find(Locator::Css("[data-testid=search]")).await?;
        // WebDriver's clear fires no input event; a lone space is no search (the query is trimmed).
        field.clear().await?;
        field.send_keys(" ").await?;
        eventually("all rows again", WAIT, || async { Ok((rows(&b).await?.len() == 4).then_some(())) }).await?;
        root.find(Locator::Css("[role=treeitem]")).await?.click().await?;
        b.press('é').await?;
        let focused = eventually("focus moved by type-ahead", WAIT, || async {
            let rows = rows(&b).await?;
            let focused = rows.into_iter().find(|r| r["focused"] == json!(true)).map(|r| r["name"].clone());
            Ok(focused.filter(|name| name != "workflow Übersicht"))
        })
        .await?;
        assert_eq!(focused, json!("Émission finale"));
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}
