//! The Canvas page's run list, as a team uses it: filtered by workflow and by status (kept in the URL), a run found
//! by id, older runs loaded page by page, each run's duration, tokens and errors, and the selection kept while the
//! list refreshes. The page is built from the element's npm package (`cargo xtask dist` installs the tarball).

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(20);
/// Runs of the list's first page (the API's default page).
const PAGE: usize = 50;

/// What a run is made of: its root span, and a model call with tokens when `tokens` is set.
struct Run<'a> {
    id: &'a str,
    workflow: &'a str,
    /// `None`: still running.
    end_ms: Option<u64>,
    failed: bool,
    tokens: Option<(u64, u64)>,
}

impl<'a> Run<'a> {
    fn done(id: &'a str, workflow: &'a str) -> Self {
        Self { id, workflow, end_ms: Some(1_500), failed: false, tokens: None }
    }
}

fn attribute(key: &str, value: Value) -> Value {
    match value {
        Value::Number(n) => json!({"key": key, "value": {"intValue": n.to_string()}}),
        other => json!({"key": key, "value": {"stringValue": other}}),
    }
}

/// The OTLP/JSON spans of `run`, its trace numbered `n`.
fn spans(n: usize, run: &Run<'_>) -> Vec<Value> {
    let trace = format!("{:032x}", n + 1);
    let root = format!("{:016x}", n * 16 + 1);
    let start = 1_700_000_000_000_u64 + n as u64 * 10_000;
    let nanos = |ms: u64| (ms * 1_000_000).to_string();
    let mut root_span = json!({
        "traceId": trace, "spanId": root, "name": format!("workflow {}", run.workflow),
        "startTimeUnixNano": nanos(start),
        "attributes": [attribute("orcheo.execution.id", json!(run.id)), attribute("orcheo.workflow.id", json!(run.workflow)),
                       attribute("orcheo.span.kind", json!("workflow"))],
    });
    if let Some(end) = run.end_ms {
        root_span["endTimeUnixNano"] = json!(nanos(start + end));
        root_span["status"] = if run.failed { json!({"code": 2, "message": "failed"}) } else { json!({"code": 1}) };
    }
    let mut out = vec![root_span];
    if let Some((input, output)) = run.tokens {
        out.push(json!({
            "traceId": trace, "spanId": format!("{:016x}", n * 16 + 2), "parentSpanId": root, "name": "chat local-mini",
            "startTimeUnixNano": nanos(start + 10), "endTimeUnixNano": nanos(start + 400), "status": {"code": 1},
            "attributes": [attribute("orcheo.span.kind", json!("llm")), attribute("gen_ai.operation.name", json!("chat")),
                           attribute("gen_ai.usage.input_tokens", json!(input)),
                           attribute("gen_ai.usage.output_tokens", json!(output))],
        }));
    }
    out
}

/// Sends `runs` over OTLP/HTTP, numbered from `first`, oldest first (one request each, so the API lists them in
/// this order).
async fn send(service: &TestService, first: usize, runs: &[Run<'_>]) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for (i, run) in runs.iter().enumerate() {
        let body = json!({"resourceSpans": [{"scopeSpans": [{"spans": spans(first + i, run)}]}]});
        let response = client.post(service.url("/v1/traces")).json(&body).send().await?;
        anyhow::ensure!(response.status().is_success(), "sending {}: {}", run.id, response.status());
    }
    Ok(())
}

/// The run list's options as (execution id, aria-selected).
async fn options(browser: &Browser) -> anyhow::Result<Vec<(String, bool)>> {
    let listed = browser
        .js(
            "return [...document.querySelectorAll('#runs [role=option]')]
               .map((o) => [o.dataset.executionId, o.getAttribute('aria-selected') === 'true'])",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(listed)?)
}

/// Waits until the listed execution ids are exactly `want`, in order.
async fn expect_listed(browser: &Browser, what: &str, want: &[&str]) -> anyhow::Result<()> {
    eventually(what, WAIT, || async {
        let ids: Vec<String> = options(browser).await?.into_iter().map(|(id, _)| id).collect();
        Ok((ids == want).then_some(()))
    })
    .await
}

/// The text of the option of `execution`, by `data-testid` inside it.
async fn fact(browser: &Browser, execution: &str, testid: &str) -> anyhow::Result<String> {
    let css = format!("#runs [data-execution-id='{execution}'] [data-testid={testid}]");
    Ok(browser.client.find(Locator::Css(&css)).await?.text().await?)
}

/// The page's URL and its query as (key, value) pairs.
async fn location(browser: &Browser) -> anyhow::Result<(String, Vec<(String, String)>)> {
    let url = browser.client.current_url().await?;
    Ok((url.to_string(), url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect()))
}

/// Replaces the text of the input `id` as a user does: erases it key by key, then types `text`.
async fn retype(browser: &Browser, id: &str, text: &str) -> anyhow::Result<()> {
    let input = browser.client.find(Locator::Id(id)).await?;
    let length = input.prop("value").await?.map_or(0, |v| v.chars().count());
    input.click().await?;
    input.send_keys(&Key::End.to_string()).await?;
    input.send_keys(&Key::Backspace.to_string().repeat(length)).await?;
    input.send_keys(text).await?;
    Ok(())
}

fn pair(key: &str, value: &str) -> (String, String) {
    (key.to_owned(), value.to_owned())
}

#[tokio::test]
async fn the_run_list_filters_by_workflow_and_status_and_shows_each_runs_facts() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    send(
        &service,
        0,
        &[
            Run { tokens: Some((40, 15)), ..Run::done("sum-1", "summarize-report") },
            Run { failed: true, ..Run::done("crm-failed", "sync-crm") },
            Run::done("crm-ok", "sync-crm"),
            Run { end_ms: None, ..Run::done("digest-open", "nightly-digest") },
        ],
    )
    .await?;

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        expect_listed(&browser, "every run, newest first", &["digest-open", "crm-ok", "crm-failed", "sum-1"]).await?;
        // What the list endpoint says of each run: duration, tokens, errors.
        assert_eq!(fact(&browser, "sum-1", "run-duration").await?, "1.5 s");
        assert_eq!(fact(&browser, "sum-1", "run-tokens").await?, "55 tokens");
        assert_eq!(fact(&browser, "sum-1", "run-errors").await?, "0 errors");
        assert_eq!(fact(&browser, "crm-failed", "run-errors").await?, "1 error");
        assert!(fact(&browser, "digest-open", "run-duration").await?.ends_with("so far"));

        retype(&browser, "filter-workflow", "sync-crm").await?;
        expect_listed(&browser, "the runs of sync-crm", &["crm-ok", "crm-failed"]).await?;
        let status = browser.client.find(Locator::Id("filter-status")).await?;
        status.select_by_value("error").await?;
        expect_listed(&browser, "the failed runs of sync-crm", &["crm-failed"]).await?;
        let (url, query) = location(&browser).await?;
        assert_eq!(query, [pair("workflow", "sync-crm"), pair("status", "error")]);

        // The filters are in the URL: opened afresh, the page shows the same list.
        browser.client.goto("about:blank").await?;
        browser.client.goto(&url).await?;
        expect_listed(&browser, "the filtered list again", &["crm-failed"]).await?;
        let shown = browser
            .js("return ['filter-workflow', 'filter-status'].map((id) => document.getElementById(id).value)", vec![])
            .await?;
        assert_eq!(shown, json!(["sync-crm", "error"]));

        // One filter at a time: all running runs, of any workflow.
        retype(&browser, "filter-workflow", "").await?;
        browser.client.find(Locator::Id("filter-status")).await?.select_by_value("running").await?;
        expect_listed(&browser, "the running runs", &["digest-open"]).await?;
        browser.client.find(Locator::Id("filter-status")).await?.select_by_value("cancelled").await?;
        eventually("the empty list", WAIT, || async {
            let status = browser.client.find(Locator::Id("runs-status")).await?.text().await?;
            Ok((status == "No executions match the filters").then_some(()))
        })
        .await?;
        assert!(options(&browser).await?.is_empty());
        let violations = browser.axe_violations().await?;
        assert!(violations.is_empty(), "filtered run list: {violations:#?}");
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test]
async fn older_runs_load_page_by_page() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let ids: Vec<String> = (0..PAGE + 7).map(|i| format!("run-{i:03}")).collect();
    let runs: Vec<Run<'_>> = ids.iter().map(|id| Run::done(id, "bulk-import")).collect();
    send(&service, 0, &runs).await?;
    let newest_first: Vec<&str> = ids.iter().rev().map(String::as_str).collect();

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        expect_listed(&browser, "the first page", &newest_first[..PAGE]).await?;
        let status = browser.client.find(Locator::Id("runs-status")).await?.text().await?;
        assert_eq!(status, "50 executions, older ones not loaded");
        browser.client.find(Locator::Id("load-older")).await?.click().await?;
        expect_listed(&browser, "both pages", &newest_first).await?;
        // The keyboard user goes on from the first run the button brought.
        let focused = "return document.activeElement.dataset.executionId ?? null";
        eventually("the focus on the first older run", WAIT, || async {
            Ok((browser.js(focused, vec![]).await? == json!(newest_first[PAGE])).then_some(()))
        })
        .await?;
        // Nothing older: no button.
        eventually("the button gone", WAIT, || async {
            Ok(browser.client.find_all(Locator::Id("load-older")).await?.is_empty().then_some(()))
        })
        .await?;
        // A refresh keeps the older page and puts a new run on top.
        send(&service, PAGE + 7, &[Run::done("run-new", "bulk-import")]).await?;
        let mut refreshed = vec!["run-new"];
        refreshed.extend(&newest_first);
        expect_listed(&browser, "the new run above both pages", &refreshed).await?;
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test]
async fn a_run_is_found_by_id_also_outside_the_filtered_list() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    send(&service, 0, &[Run::done("sum-1", "summarize-report"), Run::done("crm-1", "sync-crm")]).await?;

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html?workflow=sync-crm")).await?;
        expect_listed(&browser, "the runs of sync-crm", &["crm-1"]).await?;
        retype(&browser, "find-run", &format!("sum-1{}", Key::Enter)).await?;
        eventually("the found run selected", WAIT, || async {
            let title = browser.client.find(Locator::Id("run-title")).await?.text().await?;
            Ok((title == "summarize-report — completed").then_some(()))
        })
        .await?;
        let (url, query) = location(&browser).await?;
        assert!(query.contains(&pair("execution", "sum-1")), "{url}");
        let elsewhere = browser.client.find(Locator::Css("[data-testid=selected-elsewhere]")).await?.text().await?;
        assert!(elsewhere.contains("summarize-report"), "{elsewhere}");
        // Its facts in the Workflow tab, its trace in the Trace tab.
        let facts = browser.client.find(Locator::Id("run-facts")).await?.text().await?;
        assert!(facts.contains("sum-1") && facts.contains("1.5 s"), "{facts}");
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;
        eventually("the found run's trace", WAIT, || async {
            let rows = browser.tree_rows("#panel-trace orcheo-trace-view").await?;
            Ok(rows.iter().any(|(_, text, _)| text.contains("workflow summarize-report")).then_some(()))
        })
        .await?;

        // A run in the list is selected there; an unknown id is said to be unknown.
        retype(&browser, "find-run", &format!("crm-1{}", Key::Enter)).await?;
        eventually("the listed run selected", WAIT, || async {
            Ok((options(&browser).await? == [("crm-1".to_owned(), true)]).then_some(()))
        })
        .await?;
        retype(&browser, "find-run", &format!("no-such-run{}", Key::Enter)).await?;
        eventually("the unknown id reported", WAIT, || async {
            let status = browser.client.find(Locator::Id("find-status")).await?.text().await?;
            Ok((status == "No execution no-such-run").then_some(()))
        })
        .await?;
        assert_eq!(options(&browser).await?, [("crm-1".to_owned(), true)], "the selection stays");
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test]
async fn the_selected_run_stays_selected_while_the_list_refreshes() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    send(&service, 0, &[Run::done("run-a", "wf-a"), Run::done("run-b", "wf-b"), Run::done("run-c", "wf-c")]).await?;

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        expect_listed(&browser, "the runs", &["run-c", "run-b", "run-a"]).await?;
        // Keyboard only: from the find field, Tab, Tab reaches the list (one tab stop, on its first run), Down
        // moves to the second run, Enter selects it.
        browser.client.find(Locator::Id("find-run")).await?.click().await?;
        browser.press(Key::Tab.into()).await?;
        browser.press(Key::Tab.into()).await?;
        let focused = "return document.activeElement.dataset.executionId ?? null";
        assert_eq!(browser.js(focused, vec![]).await?, json!("run-c"));
        assert!(options(&browser).await?.iter().all(|(_, selected)| !selected), "focus alone selects nothing");
        browser.press(Key::Down.into()).await?;
        browser.press(Key::Enter.into()).await?;
        eventually("run-b selected", WAIT, || async {
            let selected: Vec<String> =
                options(&browser).await?.into_iter().filter(|(_, s)| *s).map(|(id, _)| id).collect();
            Ok((selected == ["run-b"]).then_some(()))
        })
        .await?;
        assert_eq!(browser.js(focused, vec![]).await?, json!("run-b"));
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;
        browser.client.find(Locator::Css("#runs [aria-selected='true']")).await?.click().await?;

        // New runs arrive; the list refreshes around the selection.
        send(&service, 3, &[Run::done("run-d", "wf-d"), Run::done("run-e", "wf-e")]).await?;
        expect_listed(&browser, "the refreshed list", &["run-e", "run-d", "run-c", "run-b", "run-a"]).await?;
        let selected: Vec<String> =
            options(&browser).await?.into_iter().filter(|(_, s)| *s).map(|(id, _)| id).collect();
        assert_eq!(selected, ["run-b"]);
        assert_eq!(browser.js(focused, vec![]).await?, json!("run-b"), "focus stays on the selected run");
        let title = browser.client.find(Locator::Id("run-title")).await?.text().await?;
        assert_eq!(title, "wf-b — completed");
        // Type-ahead: typing a workflow's name moves the focus to its run; selecting stays with Enter.
        for key in "wf-a".chars() {
            browser.press(key).await?;
        }
        assert_eq!(browser.js(focused, vec![]).await?, json!("run-a"));
        browser.press(Key::Home.into()).await?;
        assert_eq!(browser.js(focused, vec![]).await?, json!("run-e"));
        let selected: Vec<String> =
            options(&browser).await?.into_iter().filter(|(_, s)| *s).map(|(id, _)| id).collect();
        assert_eq!(selected, ["run-b"], "moving the focus selects nothing");
        let (url, query) = location(&browser).await?;
        assert!(query.contains(&pair("execution", "run-b")), "{url}");

        // The Trace tab runs the element from the package the page was built with: its wasm is the asset Vite
        // emitted beside the page's code, not the served pkg/ of the script-tag pages.
        eventually("the trace of run-b", WAIT, || async {
            let rows = browser.tree_rows("#panel-trace orcheo-trace-view").await?;
            Ok(rows.iter().any(|(_, text, _)| text.contains("workflow wf-b")).then_some(()))
        })
        .await?;
        let wasm = browser
            .js(
                "return performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)
                   .filter((p) => p.endsWith('.wasm') || p.endsWith('trace-view.js'))",
                vec![],
            )
            .await?;
        let loaded: Vec<String> = serde_json::from_value(wasm)?;
        assert_eq!(loaded.len(), 1, "{loaded:?}");
        assert!(loaded[0].starts_with("/canvas-assets/trace_view_bg-"), "{loaded:?}");
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
