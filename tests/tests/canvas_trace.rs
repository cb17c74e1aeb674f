//! The whole path in a real browser: a run through the instrumented engine, stored by the API, shown in the
//! Canvas page (the React host built from `www/canvas`) by the `<orcheo-trace-view>` element in its Trace tab;
//! and what the host does around it: deep links to spans, switching runs, errors, the token, the feature flag.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::elements::Element;
use reference_engine::samples;
use sha2::{Digest, Sha256};
use trace_api::auth::{AuthConfig, Authenticator, ServiceToken};
use trace_api::links::LinkTemplate;
use trace_model::TraceResponse;

const WAIT: Duration = Duration::from_secs(20);

/// The Canvas' Trace tab element.
const TRACE_TAB_VIEW: &str = "#panel-trace orcheo-trace-view";

async fn trace_view_root(browser: &Browser) -> anyhow::Result<fantoccini::elements::ShadowRoot> {
    browser.trace_view(TRACE_TAB_VIEW).await
}

/// The tree rows of the element, as (span id, text).
async fn rows(browser: &Browser) -> anyhow::Result<Vec<(String, String, Element)>> {
    browser.tree_rows(TRACE_TAB_VIEW).await
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
            Ok(browser.client.find(Locator::Css("[role=option][data-execution-id='exec-e2e']")).await.ok())
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

/// The spans of `execution` as the API serves them.
async fn spans_of(service: &TestService, execution: &str) -> anyhow::Result<Vec<trace_model::Span>> {
    let url = service.url(&format!("/api/executions/{execution}/trace"));
    Ok(reqwest::get(url).await?.json::<TraceResponse>().await?.spans)
}

/// Waits until the element's rows are exactly the spans of `spans`, in any order.
async fn expect_rows(browser: &Browser, spans: &[trace_model::Span]) -> anyhow::Result<()> {
    let mut want: Vec<&str> = spans.iter().map(|s| s.span_id.as_str()).collect();
    want.sort_unstable();
    eventually("the rows of the execution", WAIT, || async {
        let mut ids: Vec<String> = rows(browser).await?.into_iter().map(|(id, _, _)| id).collect();
        ids.sort_unstable();
        Ok((ids == want).then_some(()))
    })
    .await
}

/// Picks `execution` in the run list and waits for it to be the current one.
async fn pick_run(browser: &Browser, execution: &str) -> anyhow::Result<()> {
    let selector = format!("[role=option][data-execution-id='{execution}']");
    let run = eventually("the execution in the run list", WAIT, || async {
        Ok(browser.client.find(Locator::Css(&selector)).await.ok())
    })
    .await?;
    run.click().await?;
    Ok(())
}

/// The page URL's query as (key, value) pairs.
async fn query(browser: &Browser) -> anyhow::Result<Vec<(String, String)>> {
    let url = browser.client.current_url().await?;
    Ok(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[tokio::test]
async fn a_selected_span_goes_into_the_url_and_the_link_opens_it_again() -> anyhow::Result<()> {
    let jaeger = LinkTemplate::parse("Jaeger", "http://jaeger.example:16686/trace/{trace_id}")
        .map_err(|e| anyhow::anyhow!("link template: {e}"))?;
    let service = TestService::start_with(Some(dist_dir()?), |state| state.with_links(vec![jaeger])).await?;
    service.run(&samples::summarize(), "exec-link").await?;
    let trace: TraceResponse = reqwest::get(service.url("/api/executions/exec-link/trace")).await?.json().await?;
    let trace_id = trace.execution.trace_id.clone().ok_or_else(|| anyhow::anyhow!("no trace id"))?;
    let spans = trace.spans;
    let llm = spans.iter().find(|s| s.name == "chat local-mini").ok_or_else(|| anyhow::anyhow!("no LLM span"))?;

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        pick_run(&browser, "exec-link").await?;
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;
        expect_rows(&browser, &spans).await?;
        let (_, _, row) = rows(&browser)
            .await?
            .into_iter()
            .find(|(id, _, _)| *id == llm.span_id)
            .ok_or_else(|| anyhow::anyhow!("no LLM row"))?;
        row.click().await?;
        let want = pairs(&[("execution", "exec-link"), ("tab", "trace"), ("span", &llm.span_id)]);
        eventually("the span in the page URL", WAIT, || async { Ok((query(&browser).await? == want).then_some(())) })
            .await?;

        // The link, opened afresh, shows the same run, tab and span.
        let link = browser.client.current_url().await?;
        browser.client.goto("about:blank").await?;
        browser.client.goto(link.as_str()).await?;
        eventually("the linked span selected in the Trace tab", WAIT, || async {
            let rows = rows(&browser).await?;
            let Some((_, _, row)) = rows.iter().find(|(id, _, _)| *id == llm.span_id) else { return Ok(None) };
            Ok((row.attr("aria-selected").await?.as_deref() == Some("true")).then_some(()))
        })
        .await?;
        let tab = browser.client.find(Locator::Id("tab-trace")).await?;
        assert_eq!(tab.attr("aria-selected").await?.as_deref(), Some("true"));
        let details = trace_view_root(&browser).await?.find(Locator::Css("[data-testid=span-details]")).await?;
        assert!(details.text().await?.contains("chat local-mini"));
        // The run's trace in the dashboards the deployment configured.
        let link = eventually("the dashboard link", WAIT, || async {
            Ok(browser.client.find(Locator::Css("#panel-trace [data-testid=dashboard-link]")).await.ok())
        })
        .await?;
        assert_eq!(link.text().await?, "Jaeger");
        let href = format!("http://jaeger.example:16686/trace/{trace_id}");
        assert_eq!(link.attr("href").await?.as_deref(), Some(href.as_str()));
        // The host page with a trace and a selected span on screen: no accessibility violation.
        let violations = browser.axe_violations().await?;
        assert!(violations.is_empty(), "Canvas page: {violations:#?}");
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test]
async fn switching_runs_reuses_one_element_and_history_goes_back() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    service.run(&samples::summarize(), "exec-a").await?;
    service.run(&samples::failing(), "exec-b").await?;
    let (spans_a, spans_b) = (spans_of(&service, "exec-a").await?, spans_of(&service, "exec-b").await?);

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        pick_run(&browser, "exec-a").await?;
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;
        expect_rows(&browser, &spans_a).await?;
        for _ in 0..3 {
            pick_run(&browser, "exec-b").await?;
            expect_rows(&browser, &spans_b).await?;
            pick_run(&browser, "exec-a").await?;
            expect_rows(&browser, &spans_a).await?;
        }
        // One element, one mounted view inside it, however often the run changed.
        let count = "return [document.querySelectorAll('orcheo-trace-view').length,
                             document.querySelector('orcheo-trace-view').shadowRoot.querySelectorAll('.root').length]";
        assert_eq!(browser.js(count, vec![]).await?, serde_json::json!([1, 1]));

        // Back goes to the previous run, as in any web app.
        browser.client.back().await?;
        expect_rows(&browser, &spans_b).await?;
        let current = browser.client.find(Locator::Css("[role=option][aria-selected='true']")).await?;
        assert_eq!(current.attr("data-execution-id").await?.as_deref(), Some("exec-b"));
        assert_eq!(browser.js(count, vec![]).await?, serde_json::json!([1, 1]));
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test]
async fn a_trace_that_fails_to_load_is_reported_by_the_host() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html?execution=exec-missing&tab=trace")).await?;
        let alert = eventually("the host's error notice", WAIT, || async {
            Ok(browser.client.find(Locator::Css("[data-testid=trace-failure]")).await.ok())
        })
        .await?;
        assert_eq!(alert.attr("role").await?.as_deref(), Some("alert"));
        let text = alert.text().await?;
        assert!(text.contains("HTTP 404"), "{text}");
        let title = browser.client.find(Locator::Id("run-title")).await?.text().await?;
        assert_eq!(title, "Execution exec-missing");
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test]
async fn the_trace_tab_can_be_turned_off_per_deployment() -> anyhow::Result<()> {
    let off = trace_api::features::Features { trace_tab: false };
    let service = TestService::start_with(Some(dist_dir()?), |state| state.with_features(off)).await?;
    service.run(&samples::summarize(), "exec-flag").await?;
    let features: serde_json::Value = reqwest::get(service.url("/api/features")).await?.json().await?;
    assert_eq!(features, serde_json::json!({ "trace_tab": false }));

    let browser = Browser::start().await?;
    let result = async {
        // Even a link to the Trace tab lands on the Workflow tab.
        browser.client.goto(&service.url("/canvas.html?execution=exec-flag&tab=trace")).await?;
        let workflow = eventually("the Workflow tab", WAIT, || async {
            Ok(browser.client.find(Locator::Id("tab-workflow")).await.ok())
        })
        .await?;
        assert_eq!(workflow.attr("aria-selected").await?.as_deref(), Some("true"));
        assert!(browser.client.find_all(Locator::Id("tab-trace")).await?.is_empty());
        assert!(browser.client.find_all(Locator::Css("orcheo-trace-view")).await?.is_empty());
        eventually("the run's facts", WAIT, || async {
            let facts = browser.client.find(Locator::Id("run-facts")).await;
            Ok(match facts {
                Ok(facts) => facts.text().await?.contains("exec-flag").then_some(()),
                Err(_) => None,
            })
        })
        .await?;
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}

#[tokio::test]
async fn under_auth_the_host_passes_its_token_as_a_property() -> anyhow::Result<()> {
    const TOKEN: &str = "canvas-service-token-42";
    let auth = Authenticator::new(&AuthConfig {
        required: true,
        service_tokens: vec![ServiceToken {
            name: "canvas".to_owned(),
            sha256: const_hex::encode(Sha256::digest(TOKEN.as_bytes())),
            scopes: vec!["workflows:read".to_owned()],
            workspaces: vec!["*".to_owned()],
        }],
        ..AuthConfig::default()
    })?;
    let service = TestService::start_with(Some(dist_dir()?), |state| state.with_auth(auth)).await?;
    service.run(&samples::summarize(), "exec-auth").await?;
    let spans = {
        let response = reqwest::Client::new()
            .get(service.url("/api/executions/exec-auth/trace"))
            .bearer_auth(TOKEN)
            .send()
            .await?;
        response.error_for_status()?.json::<TraceResponse>().await?.spans
    };

    let browser = Browser::start().await?;
    let result = async {
        browser.client.goto(&service.url("/canvas.html")).await?;
        let refused = eventually("the refused run list", WAIT, || async {
            let status = browser.client.find(Locator::Id("runs-status")).await?.text().await?;
            Ok(status.starts_with("Could not load executions").then_some(status))
        })
        .await?;
        assert!(!refused.contains(TOKEN));
        browser.client.find(Locator::Id("api-token")).await?.send_keys(TOKEN).await?;
        browser.client.find(Locator::Css(".token-form button[type=submit]")).await?.click().await?;
        pick_run(&browser, "exec-auth").await?;
        browser.client.find(Locator::Id("tab-trace")).await?.click().await?;
        expect_rows(&browser, &spans).await?;
        // The token is a property of the element, never an attribute a page could read from the DOM.
        let seen = browser
            .js(
                "const el = document.querySelector('orcheo-trace-view'); return [el.getAttribute('token'), el.token]",
                vec![],
            )
            .await?;
        assert_eq!(seen, serde_json::json!([null, TOKEN]));
        anyhow::Ok(())
    }
    .await;
    browser.close().await?;
    result
}
