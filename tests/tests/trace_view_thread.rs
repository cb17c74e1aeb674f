//! The "Stitched" switch of `<orcheo-trace-view>` against the real API: three runs of the instrumented reference
//! engine in one conversation thread (and one run outside it); the switch appears for a run of the thread only,
//! turns on from the keyboard (WAI-ARIA APG switch), shows the thread's runs as group rows in start order on one
//! time axis, a collapsed group expands from the keyboard to its spans, axe finds nothing, and off shows the run
//! alone again. The story page's "Thread, stitched" does the same with a run of the API's thread.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use engine_instrumentation::RunRequest;
use fantoccini::Locator;
use fantoccini::key::Key;
use reference_engine::samples;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const THREAD: &str = "e2e-support-thread";

/// Adds a viewer of execution `arguments[0]` to the page, as a host page would.
const EMBED: &str = "
  const el = document.createElement('orcheo-trace-view');
  el.id = 'under-test';
  el.setAttribute('api-base', '/api');
  el.style.height = '700px';
  el.setAttribute('execution-id', arguments[0]);
  document.querySelector('main').prepend(el);";

/// The switch (role, checked, name, focused) or null, and the rows in screen order (name, level, expanded).
const STATE: &str = "
  const root = document.querySelector('#under-test').shadowRoot;
  const sw = root.querySelector('[data-testid=stitched]');
  const rows = [...root.querySelectorAll('[role=treeitem]')]
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((r) => [r.querySelector('.name').textContent, r.getAttribute('aria-level'), r.getAttribute('aria-expanded')]);
  return {
    switch: sw && { role: sw.getAttribute('role'), checked: sw.getAttribute('aria-checked'),
      name: sw.textContent, focused: root.activeElement === sw },
    rows,
  };";

async fn state(b: &Browser) -> anyhow::Result<Value> {
    b.js(STATE, vec![]).await
}

/// Waits until `test` holds of the state; returns it.
async fn until(b: &Browser, what: &str, test: impl Fn(&Value) -> bool) -> anyhow::Result<Value> {
    eventually(what, WAIT, || async {
        let s = state(b).await?;
        Ok(test(&s).then_some(s))
    })
    .await
}

fn names(s: &Value) -> Vec<String> {
    s["rows"].as_array().into_iter().flatten().filter_map(|r| r[0].as_str().map(str::to_owned)).collect()
}

fn row<'a>(s: &'a Value, name: &str) -> Option<&'a Value> {
    s["rows"].as_array().into_iter().flatten().find(|r| r[0] == json!(name))
}

/// The API with the three turns of the sample chat in one thread (`turn-1` … `turn-3`) and a run in none.
async fn service_with_a_thread() -> anyhow::Result<TestService> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    for (n, workflow) in samples::chat_turns().iter().enumerate() {
        let request = RunRequest::new(format!("turn-{}", n + 1)).with_thread(THREAD);
        service.run_request(workflow, &request).await?;
    }
    service.run(&samples::summarize(), "alone").await?;
    Ok(service)
}

#[tokio::test]
async fn stitched_shows_the_threads_runs_as_groups_on_one_timeline() -> anyhow::Result<()> {
    let service = service_with_a_thread().await?;

    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        // A run outside any thread has no switch.
        b.js(EMBED, vec![json!("alone")]).await?;
        let s = until(&b, "the lone run", |s| !names(s).is_empty()).await?;
        assert_eq!(s["switch"], Value::Null, "no thread, no switch: {s}");

        // The thread's second run: the switch, off, labelled by its text.
        b.js("document.querySelector('#under-test').setAttribute('execution-id', 'turn-2')", vec![]).await?;
        let s = until(&b, "the switch", |s| !s["switch"].is_null()).await?;
        assert_eq!(s["switch"]["role"], "switch");
        assert_eq!(s["switch"]["checked"], "false");
        assert_eq!(s["switch"]["name"], "Stitched");
        let alone = names(&s);
        assert_eq!(alone.first().map(String::as_str), Some("workflow support-chat"), "{s}");

        // On from the keyboard: Space on the focused switch.
        b.js(
            "document.querySelector('#under-test').shadowRoot.querySelector('[data-testid=stitched]').focus()",
            vec![],
        )
        .await?;
        b.press(' ').await?;
        let s = until(&b, "the stitched thread", |s| names(s).iter().any(|n| n.starts_with("run "))).await?;
        assert_eq!(s["switch"]["checked"], "true", "{s}");
        let groups: Vec<String> = names(&s).into_iter().filter(|n| n.starts_with("run ")).collect();
        assert_eq!(groups, ["run turn-1", "run turn-2", "run turn-3"], "a group per run, in start order");
        // The run that was shown stays open under its group; the others start collapsed.
        assert_eq!(row(&s, "run turn-1"), Some(&json!(["run turn-1", "1", "false"])));
        assert_eq!(row(&s, "run turn-2"), Some(&json!(["run turn-2", "1", "true"])));
        assert_eq!(row(&s, "run turn-3"), Some(&json!(["run turn-3", "1", "false"])));
        let under_second: Vec<String> = names(&s).into_iter().skip(2).take(4).collect();
        assert_eq!(under_second, ["workflow support-chat", "node load_history", "node answer", "chat local-mini"]);
        assert_eq!(s["rows"][2][1], "2", "the run's root is under its group: {s}");
        assert_eq!(names(&s).len(), 3 + alone.len(), "the shown run's spans and three groups: {s}");

        // The first group expands from the keyboard (Right on the focused row) to its spans.
        // A real click focuses the row (a scripted one would not).
        let root = b.trace_view("#under-test").await?;
        root.find(Locator::Css("[role=treeitem][data-span-id='run:turn-1']")).await?.click().await?;
        b.press(char::from(Key::Right)).await?;
        let s = until(&b, "the first run expanded", |s| row(s, "run turn-1").is_some_and(|r| r[2] == "true")).await?;
        let first: Vec<String> = names(&s).into_iter().take(5).collect();
        assert_eq!(
            first,
            ["run turn-1", "workflow support-chat", "node load_history", "node answer", "chat local-mini"]
        );
        assert_eq!(s["rows"][1][1], "2");

        // One time axis: the groups' bars follow each other left to right.
        let lefts = b
            .js(
                "const root = document.querySelector('#under-test').shadowRoot;
                 return ['run:turn-1', 'run:turn-2', 'run:turn-3'].map((id) => parseFloat(getComputedStyle(
                   root.querySelector(`[data-span-id='${id}'] .bar`)).left));",
                vec![],
            )
            .await?;
        let lefts: Vec<f64> = serde_json::from_value(lefts)?;
        assert!(lefts[0] < lefts[1] && lefts[1] < lefts[2], "bars in start order on one axis: {lefts:?}");

        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "stitched: {violations:#?}");

        // Off: the run alone again.
        b.js(
            "document.querySelector('#under-test').shadowRoot.querySelector('[data-testid=stitched]').focus()",
            vec![],
        )
        .await?;
        b.press(' ').await?;
        let s = until(&b, "the run alone", |s| s["switch"]["checked"] == "false" && names(s) == alone).await?;
        assert!(names(&s).iter().all(|n| !n.starts_with("run ")), "{s}");
        Ok::<_, anyhow::Error>(())
    }
    .await;
    b.close().await?;
    result
}

#[tokio::test]
async fn the_thread_story_stitches_a_run_of_the_apis_thread() -> anyhow::Result<()> {
    let service = service_with_a_thread().await?;
    let b = Browser::start().await?;
    let result = async {
        b.client.goto(&service.url("/index.html")).await?;
        let probe = "const root = document.querySelector('#story-thread').shadowRoot;
          const sw = root.querySelector('[data-testid=stitched]');
          return { checked: sw && sw.getAttribute('aria-checked'),
            groups: [...root.querySelectorAll('[role=treeitem]')].filter((r) => r.dataset.spanId.startsWith('run:'))
              .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top)).map((r) => r.dataset.spanId) };";
        eventually("the story's switch", WAIT, || async {
            Ok((b.js(probe, vec![]).await?["checked"] == json!("false")).then_some(()))
        })
        .await?;
        b.js(
            "document.querySelector('#story-thread').shadowRoot.querySelector('[data-testid=stitched]').click()",
            vec![],
        )
        .await?;
        let s = eventually("the story stitched", WAIT, || async {
            let s = b.js(probe, vec![]).await?;
            Ok((s["checked"] == json!("true") && s["groups"].as_array().is_some_and(|g| !g.is_empty())).then_some(s))
        })
        .await?;
        assert_eq!(s["groups"], json!(["run:turn-1", "run:turn-2", "run:turn-3"]));
        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "the story stitched: {violations:#?}");
        Ok::<_, anyhow::Error>(())
    }
    .await;
    b.close().await?;
    result
}
