//! A run of the real Orcheo Python engine (OTLP bodies captured from orcheo 0.46.1 / orcheo-backend 0.39.0, see
//! `tests/senders/capture_orcheo.py`) received over OTLP and opened in the Canvas' Trace tab: one run with its
//! whole tree, the request that started it above it, the model step shown as an AI span, and the prompt and
//! response readable.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use serde_json::Value;
use trace_model::TraceResponse;

const WAIT: Duration = Duration::from_secs(20);
const VIEW: &str = "#panel-trace orcheo-trace-view";

fn fixture(scenario: &str) -> anyhow::Result<(Vec<u8>, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../trace-api/tests/fixtures/orcheo").join(scenario);
    let body = std::fs::read(dir.join("001.pb")).with_context(|| format!("{scenario}/001.pb"))?;
    let meta = serde_json::from_slice(&std::fs::read(dir.join("meta.json"))?)?;
    Ok((body, meta))
}

/// Sends a captured body as the Orcheo back end sent it.
async fn replay(service: &TestService, body: Vec<u8>) -> anyhow::Result<()> {
    let response = reqwest::Client::new()
        .post(service.url("/v1/traces"))
        .header("content-type", "application/x-protobuf")
        .body(body)
        .send()
        .await?;
    anyhow::ensure!(response.status().is_success(), "replay answered {}", response.status());
    Ok(())
}

/// The text of `testid` in the details pane once it shows `span`.
async fn detail(browser: &Browser, span: &str, testid: &str) -> anyhow::Result<String> {
    eventually(&format!("{testid} of {span}"), WAIT, || async {
        let root = browser.trace_view(VIEW).await?;
        let details = root.find(Locator::Css("[data-testid=span-details]")).await?;
        if !details.find(Locator::Css(".span-name")).await?.text().await?.contains(span) {
            return Ok(None);
        }
        Ok(match details.find(Locator::Css(&format!("[data-testid={testid}]"))).await {
            Ok(found) => Some(found.text().await?),
            Err(_) => None,
        })
    })
    .await
}

async fn open_run(browser: &Browser, service: &TestService, execution: &str) -> anyhow::Result<()> {
    browser.client.goto(&service.url(&format!("/canvas.html?execution={execution}&tab=trace"))).await?;
    Ok(())
}

#[tokio::test]
async fn an_orcheo_engine_run_in_the_trace_tab() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let (llm_body, llm) = fixture("llm")?;
    let (error_body, failed) = fixture("error")?;
    replay(&service, llm_body).await?;
    replay(&service, error_body).await?;
    let execution = llm["execution_id"].as_str().context("execution_id")?;
    let trace: TraceResponse =
        reqwest::get(service.url(&format!("/api/executions/{execution}/trace"))).await?.json().await?;
    let names: Vec<&str> = trace.spans.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names[..3], ["WS /ws/workflow/{workflow_ref}", "fastapi.endpoint", "workflow.execution"], "{names:?}");

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        let listed = eventually("the Orcheo run in the run list", WAIT, || async {
            Ok(browser.client.find(Locator::Css(&format!("[role=option][data-execution-id='{execution}']"))).await.ok())
        })
        .await?;
        listed.click().await?;
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;
        let rows = eventually("every span of the run in the tree", WAIT, || async {
            let rows = browser.tree_rows(VIEW).await?;
            Ok((rows.len() == trace.spans.len()).then_some(rows))
        })
        .await?;
        for span in &trace.spans {
            assert!(rows.iter().any(|(id, text, _)| *id == span.span_id && text.contains(&span.name)), "{}", span.name);
        }
        let status = browser.trace_view(VIEW).await?.find(Locator::Css("[data-testid=summary-status]")).await?;
        assert_eq!(status.text().await?, "completed");

        let row = |name: &str| {
            let id = trace.spans.iter().find(|s| s.name == name).map(|s| s.span_id.clone()).unwrap_or_default();
            rows.iter().find(|(row_id, _, _)| *row_id == id).map(|(_, _, row)| row.clone())
        };
        row("summarize").context("no summarize row")?.click().await?;
        let prompt = detail(&browser, "summarize", "prompt-text").await?;
        let response = detail(&browser, "summarize", "response-text").await?;
        assert_eq!(prompt, llm["llm"]["prompt"].as_str().unwrap_or_default());
        assert_eq!(response, llm["llm"]["response"].as_str().unwrap_or_default());
        assert_eq!(detail(&browser, "summarize", "span-service").await?, "orcheo-backend");

        row("model").context("no model row")?.click().await?;
        assert_eq!(detail(&browser, "model", "span-kind").await?, "AI", "the model step is the model call");
        assert_eq!(
            detail(&browser, "model", "response-text").await?,
            llm["llm"]["response"].as_str().unwrap_or_default()
        );

        // The failed run: its status and its exception.
        let failed_id = failed["execution_id"].as_str().context("execution_id")?;
        open_run(&browser, &service, failed_id).await?;
        let status = eventually("the failed run's status", WAIT, || async {
            let root = browser.trace_view(VIEW).await?;
            Ok(match root.find(Locator::Css("[data-testid=summary-status]")).await {
                Ok(found) => Some(found.text().await?).filter(|s| s == "error"),
                Err(_) => None,
            })
        })
        .await?;
        assert_eq!(status, "error");
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
