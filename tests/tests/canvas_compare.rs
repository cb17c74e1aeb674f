//! Comparing two runs in the Canvas page: two runs of the summarize sample (the second from another report) through
//! the instrumented engine and the real API; on the first run's Trace tab, the "Compare with…" picker lists the
//! workflow's other run (not other workflows' runs), and picking it sets `compare-execution-id` on the element,
//! which fetches that run and shows the comparison the model computes for the two traces.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use reference_engine::samples;
use serde_json::{Value, json};
use trace_model::TraceResponse;
use trace_model::compare::{Run, compare};
use trace_model::pricing::PriceTable;

const WAIT: Duration = Duration::from_secs(20);
const VIEW: &str = "#panel-trace orcheo-trace-view";

/// The element's comparison: the head line and each row's name and changes.
const COMPARISON: &str = "
  const view = document.querySelector(arguments[0]);
  const root = view && view.shadowRoot;
  const head = root && root.querySelector('[data-testid=compare-head]');
  if (!head) return null;
  return { attribute: view.getAttribute('compare-execution-id'), head: head.textContent,
    rows: [...root.querySelectorAll('[data-testid=compare-row]')].map((tr) =>
      [tr.querySelector('th').textContent, tr.dataset.changes]) };";

async fn trace(service: &TestService, execution: &str) -> anyhow::Result<TraceResponse> {
    Ok(reqwest::get(service.url(&format!("/api/executions/{execution}/trace"))).await?.json().await?)
}

#[tokio::test]
async fn the_picker_compares_the_run_with_another_run_of_its_workflow() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    service.run(&samples::failing(), "exec-other-workflow").await?;
    service.run(&samples::summarize(), "exec-q3").await?;
    let q4 = samples::summarize().with_state(json!({
        "report": "Q4 2026",
        "recipient": "ops@example.com",
        "settings": {"api_key": samples::FAKE_API_KEY, "language": "en", "max_words": 120},
    }));
    service.run(&q4, "exec-q4").await?;

    // What the view must show: the model's comparison of the two stored traces.
    let (a, b) = (trace(&service, "exec-q3").await?, trace(&service, "exec-q4").await?);
    let (tree_a, tree_b) = (trace_model::SpanTree::build(&a.spans), trace_model::SpanTree::build(&b.spans));
    let expected =
        compare(Run { spans: &a.spans, tree: &tree_a }, Run { spans: &b.spans, tree: &tree_b }, &PriceTable::default());
    assert!(expected.differing > 0, "another report changes inputs and outputs");
    let want: Vec<Value> = expected.rows.iter().map(|r| json!([r.name, r.changes.labels(r.kind).join(" ")])).collect();

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        let run = eventually("the run in the list", WAIT, || async {
            Ok(browser.client.find(Locator::Css("[role=option][data-execution-id='exec-q3']")).await.ok())
        })
        .await?;
        run.click().await?;
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;

        // The picker: a labelled select of the workflow's other runs.
        let picker = eventually("the compare picker", WAIT, || async {
            Ok(browser.client.find(Locator::Css("#compare-with")).await.ok())
        })
        .await?;
        let options = browser
            .js(
                "const s = document.getElementById('compare-with');
                 return { label: s.labels[0] && s.labels[0].textContent, values: [...s.options].map((o) => o.value) };",
                vec![],
            )
            .await?;
        assert_eq!(options, json!({ "label": "Compare with…", "values": ["", "exec-q4"] }));
        assert_eq!(
            browser
                .js(
                    "return document.querySelector(arguments[0]).getAttribute('compare-execution-id')",
                    vec![json!(VIEW)]
                )
                .await?,
            Value::Null
        );

        picker.select_by_value("exec-q4").await?;
        let shown = eventually("the comparison", WAIT, || async {
            let shown = browser.js(COMPARISON, vec![json!(VIEW)]).await?;
            Ok((shown["rows"].as_array().is_some_and(|rows| !rows.is_empty())).then_some(shown))
        })
        .await?;
        assert_eq!(shown["attribute"], json!("exec-q4"));
        let head = shown["head"].as_str().unwrap_or_default();
        let total = expected.rows.len();
        assert_eq!(head, format!("A: exec-q3 · B: exec-q4 · {} of {total} spans differ", expected.differing));
        assert_eq!(shown["rows"], json!(want));
        let violations = browser.axe_violations().await?;
        assert!(violations.is_empty(), "the comparison in the Canvas: {violations:#?}");

        // No other run: no comparison, the tree again.
        browser.client.find(Locator::Css("#compare-with")).await?.select_by_value("").await?;
        eventually("the tree without tabs", WAIT, || async {
            let gone = browser.js(COMPARISON, vec![json!(VIEW)]).await? == Value::Null;
            Ok((gone && !browser.tree_rows(VIEW).await?.is_empty()).then_some(()))
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
