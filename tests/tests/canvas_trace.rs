//! The whole path in a real browser: a run through the instrumented engine, stored by the API, shown in the
//! Canvas page's Trace tab by the `<orcheo-trace-view>` element.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use engine_instrumentation::samples;
use fantoccini::Locator;
use fantoccini::elements::Element;
use trace_model::TraceResponse;

const WAIT: Duration = Duration::from_secs(20);

async fn trace_view_root(browser: &Browser) -> anyhow::Result<fantoccini::elements::ShadowRoot> {
    let host = browser.client.find(Locator::Css("#panel-trace orcheo-trace-view")).await?;
    Ok(host.shadow_root().await?)
}

/// The tree rows of the element, as (span id, text).
async fn rows(browser: &Browser) -> anyhow::Result<Vec<(String, String, Element)>> {
    let root = trace_view_root(browser).await?;
    let mut out = Vec::new();
    for row in root.find_all(Locator::Css("[role=treeitem]")).await? {
        let id = row.attr("data-span-id").await?.unwrap_or_default();
        out.push((id, row.text().await?, row));
    }
    Ok(out)
}

#[tokio::test]
async fn canvas_trace_tab_shows_the_run_and_llm_tokens() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    service.run(&samples::failing(), "exec-other").await?;
    service.run(&samples::summarize(), "exec-e2e").await?;
    let trace: TraceResponse = reqwest::get(service.url("/api/executions/exec-e2e/trace")).await?.json().await?;
    let llm = trace.spans.iter().find(|s| s.name == "chat local-mini").ok_or_else(|| anyhow::anyhow!("no LLM span"))?;
    let tokens = llm.token_usage.ok_or_else(|| anyhow::anyhow!("LLM span without tokens"))?;

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        let run = eventually("the execution in the run list", WAIT, || async {
            Ok(browser.client.find(Locator::Css("button[data-execution-id='exec-e2e']")).await.ok())
        })
        .await?;
        run.click().await?;
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;
        assert_eq!(
            browser.client.find(Locator::Id("tab-trace")).await?.attr("aria-selected").await?.as_deref(),
            Some("true")
        );

        let shown = eventually("every span of the run in the tree", WAIT, || async {
            let rows = rows(&browser).await?;
            Ok((rows.len() == trace.spans.len()).then_some(rows))
        })
        .await?;
        for span in &trace.spans {
            let row = shown.iter().find(|(id, _, _)| *id == span.span_id);
            let text = row.map(|(_, text, _)| text.as_str()).unwrap_or_default();
            assert!(text.contains(&span.name), "row of {} shows {text:?}", span.name);
        }

        let (_, _, llm_row) =
            shown.iter().find(|(id, _, _)| *id == llm.span_id).ok_or_else(|| anyhow::anyhow!("no LLM row"))?;
        llm_row.click().await?;
        let root = trace_view_root(&browser).await?;
        let shown_tokens = eventually("the LLM span's token counts in the details", WAIT, || async {
            let details = root.find(Locator::Css("[data-testid=span-details]")).await?;
            if !details.text().await?.contains("chat local-mini") {
                return Ok(None);
            }
            let mut counts = Vec::new();
            for id in ["tokens-input", "tokens-output", "tokens-total"] {
                counts.push(details.find(Locator::Css(&format!("[data-testid={id}]"))).await?.text().await?);
            }
            Ok(Some(counts))
        })
        .await?;
        assert_eq!(shown_tokens, [tokens.input.to_string(), tokens.output.to_string(), tokens.total.to_string()]);
        assert_eq!(llm_row.attr("aria-selected").await?.as_deref(), Some("true"));
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
