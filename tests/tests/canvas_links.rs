//! Span links in the Trace tab: a link to a span of the same trace selects it; a link to another trace opens the
//! run that holds it (the element asks, the Canvas finds the run by trace id), with the linked span selected.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);
const VIEW: &str = "#panel-trace orcheo-trace-view";
const TRACE_A: &str = "0af7651916cd43dd8448eb211c80319c";
const TRACE_B: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn span(
    trace: &str,
    id: &str,
    parent: Option<&str>,
    name: &str,
    execution: &str,
    links: serde_json::Value,
) -> serde_json::Value {
    let mut span = json!({"traceId": trace, "spanId": id, "name": name,
        "startTimeUnixNano": "1700000000000000000", "endTimeUnixNano": "1700000000200000000",
        "attributes": [{"key": "orcheo.execution.id", "value": {"stringValue": execution}},
                       {"key": "orcheo.span.kind", "value": {"stringValue": if parent.is_none() { "workflow" } else { "node" }}}],
        "links": links});
    if let Some(parent) = parent {
        span["parentSpanId"] = json!(parent);
    }
    span
}

/// Waits for `css` inside the element (which itself appears once the Canvas has loaded the run).
async fn in_view(browser: &Browser, what: &str, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    eventually(what, WAIT, || async {
        let Ok(root) = browser.trace_view(VIEW).await else { return Ok(None) };
        Ok(root.find(Locator::Css(css)).await.ok())
    })
    .await
}

#[tokio::test]
async fn links_select_their_span_or_open_the_run_that_holds_it() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let body = json!({"resourceSpans": [{"scopeSpans": [{"spans": [
        span(TRACE_B, "b000000000000001", None, "workflow producer", "link-b", json!([])),
        span(TRACE_B, "b000000000000002", Some("b000000000000001"), "node publish", "link-b", json!([])),
        span(TRACE_A, "a000000000000001", None, "workflow consumer", "link-a", json!([])),
        span(TRACE_A, "a000000000000002", Some("a000000000000001"), "node consume", "link-a", json!([
            {"traceId": TRACE_B, "spanId": "b000000000000002"},
            {"traceId": TRACE_A, "spanId": "a000000000000001"}
        ])),
    ]}]}]});
    let response = reqwest::Client::new().post(service.url("/v1/traces")).json(&body).send().await?;
    anyhow::ensure!(response.status().is_success(), "{}", response.status());

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html?execution=link-a&tab=trace&span=a000000000000002")).await?;
        let within =
            in_view(&browser, "the in-trace link", "[data-testid=span-links] [data-testid=link-select]").await?;
        assert_eq!(within.text().await?, "Go to workflow consumer");
        within.click().await?;
        eventually("the linked span of the same trace selected", WAIT, || async {
            let rows = browser.tree_rows(VIEW).await?;
            let Some((_, _, row)) = rows.iter().find(|(id, _, _)| id == "a000000000000001") else { return Ok(None) };
            Ok((row.attr("aria-selected").await?.as_deref() == Some("true")).then_some(()))
        })
        .await?;

        browser.client.goto(&service.url("/canvas.html?execution=link-a&tab=trace&span=a000000000000002")).await?;
        let outside =
            in_view(&browser, "the link to another trace", "[data-testid=span-links] [data-testid=link-open]").await?;
        outside.click().await?;
        eventually("the run holding the linked span, with it selected", WAIT, || async {
            let url = browser.client.current_url().await?;
            let query: Vec<(String, String)> =
                url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
            if !query.contains(&("execution".to_owned(), "link-b".to_owned())) {
                return Ok(None);
            }
            let rows = browser.tree_rows(VIEW).await?;
            let Some((_, _, row)) = rows.iter().find(|(id, _, _)| id == "b000000000000002") else { return Ok(None) };
            Ok((row.attr("aria-selected").await?.as_deref() == Some("true")).then_some(()))
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
