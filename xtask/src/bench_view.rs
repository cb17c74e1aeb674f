//! `cargo xtask bench-view`: the trace view in headless Chromium on synthetic traces of 1k, 10k and 100k spans.
//! Measures, with `performance.now()` in the page: data to first rows, the "errors only" filter and a search (each
//! from the input to the patched DOM), frame times while scrolling with the view's share of each (scroll event to
//! patched DOM) and the frames dropped (counted from the frames' own timestamps), Chromium's main-thread time per
//! scroll frame (script, style, layout: `Performance.getMetrics`) and the elements each scroll frame adds, and
//! memory. Prints a Markdown table for docs/benchmarks.md; nothing here passes or fails on a number.

use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

use crate::prereq::{CHROMEDRIVER, CHROMIUM};

const SIZES: [u64; 3] = [1_000, 10_000, 100_000];

/// Frames missed between `requestAnimationFrame` timestamps: a gap of k vsync intervals is k - 1 dropped frames.
/// A macro, so that both page scripts can `concat!` it.
macro_rules! dropped_frames {
    () => {
        r#"
const droppedFrames = (stamps, vsync) =>
  stamps.slice(1).reduce((sum, t, i) => sum + Math.max(0, Math.round((t - stamps[i]) / vsync) - 1), 0);
"#
    };
}

/// The measurement, run in the page for one trace size (`arguments[0]`). It awaits DOM mutations rather than
/// polling, so that each time ends when the view has patched the DOM.
const MEASURE: &str = concat!(
    dropped_frames!(),
    r#"
const done = arguments[arguments.length - 1];
const n = arguments[0];
(async () => {
  const { syntheticTrace } = await import('/stories.js');
  const glue = await import('/pkg/trace_view.js');
  const json = JSON.stringify(syntheticTrace(n));
  const frame = document.createElement('div');
  frame.style.cssText = 'position:fixed;inset:0;z-index:10;height:800px;background:Canvas';
  document.body.append(frame);
  const el = document.createElement('orcheo-trace-view');
  frame.append(el);
  const root = () => el.shadowRoot;
  const until = (test) => new Promise((resolve) => {
    if (test()) return resolve(performance.now());
    const observer = new MutationObserver(() => {
      if (test()) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(root(), { subtree: true, childList: true, attributes: true, characterData: true });
  });
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  await until(() => root().querySelector('.root .trace-view'));
  await nextFrame();

  const t0 = performance.now();
  el.trace = json;
  const firstRows = (await until(() => root().querySelector('[role=treeitem]'))) - t0;
  const rowsInDom = root().querySelectorAll('[role=treeitem]').length;
  await new Promise((r) => setTimeout(r, 1000)); // let the search index warm up after the first paint

  const rowKey = () => [...root().querySelectorAll('[role=treeitem]')].map((r) => r.dataset.spanId).join();
  let before = rowKey();
  let t = performance.now();
  root().querySelector('[data-testid=filter-errors]').click();
  const filter = (await until(() => rowKey() !== before)) - t;
  root().querySelector('[data-testid=filter-errors]').click();
  await until(() => root().querySelectorAll('[role=treeitem]').length >= rowsInDom);
  await nextFrame();

  const search = root().querySelector('[data-testid=search]');
  t = performance.now();
  search.value = 'step_42';
  search.dispatchEvent(new Event('input', { bubbles: true }));
  const searchMs = (await until(() => root().querySelector('[data-testid=match-count]'))) - t;
  search.value = '';
  search.dispatchEvent(new Event('input', { bubbles: true }));
  await until(() => !root().querySelector('[data-testid=match-count]'));
  await nextFrame();

  // The frame time of this browser with nothing to do: the floor the scroll frames are compared with. Also the
  // frames' own timestamps (their vsync-aligned start), from which a frame is counted as dropped.
  const idle = [];
  const idleStamps = [];
  const stamped = () => new Promise((r) => requestAnimationFrame((stamp) => { idleStamps.push(stamp); r(performance.now()); }));
  let previous = await stamped();
  for (let i = 0; i < 60; i++) {
    const now = await stamped();
    idle.push(now - previous);
    previous = now;
  }
  idle.sort((a, b) => a - b);
  const intervals = idleStamps.slice(1).map((t, i) => t - idleStamps[i]).sort((a, b) => a - b);
  const vsync = intervals[intervals.length >> 1];
  const idleDropped = droppedFrames(idleStamps, vsync);
  window.benchView = { n, firstRows, rowsInDom, filter, search: searchMs, idleP50: idle[30], vsync, idleDropped, frame, el,
                       glue, json };
  return { ready: true };
})().then(done, (e) => done({ error: String(e && e.stack || e) }));
"#
);

/// The scroll part of the measurement, on the view [`MEASURE`] left in `window.benchView`: 120 frames, each
/// scrolling the list by 280 px, with the view's share of each frame and the elements each frame adds.
const SCROLL: &str = concat!(
    dropped_frames!(),
    r#"
const done = arguments[arguments.length - 1];
(async () => {
  const { n, firstRows, rowsInDom, filter, search: searchMs, idleP50, vsync, idleDropped, frame, el, glue } =
    window.benchView;
  const root = () => el.shadowRoot;
  // The time between callbacks includes when each callback ran (jitter on a busy machine); the frames' own
  // timestamps tell whether a frame was actually missed.
  const stamps = [];
  const nextFrame = () => new Promise((r) => requestAnimationFrame((stamp) => { stamps.push(stamp); r(performance.now()); }));
  const scroller = root().querySelector('.tree-scroll');
  // Where a scroll frame goes: the view's share is from the scroll event (seen first, capturing on the shadow
  // root) to its DOM patch (the mutation observer's callback); the rest is the browser's style, layout and paint.
  let scrolledAt = null;
  const patch = [];
  const onScroll = () => { scrolledAt = performance.now(); };
  root().addEventListener('scroll', onScroll, { capture: true });
  let added = 0;
  const patched = new MutationObserver((records) => {
    if (scrolledAt !== null) { patch.push(performance.now() - scrolledAt); scrolledAt = null; }
    for (const record of records) {
      for (const node of record.addedNodes) if (node.nodeType === 1) added += 1 + node.querySelectorAll('*').length;
    }
  });
  patched.observe(root(), { subtree: true, childList: true, attributes: true, characterData: true });
  const frames = [];
  let last = await nextFrame();
  for (let i = 0; i < 120; i++) {
    scroller.scrollTop += 280;
    const now = await nextFrame();
    frames.push(now - last);
    last = now;
  }
  patched.disconnect();
  root().removeEventListener('scroll', onScroll, { capture: true });
  frames.sort((a, b) => a - b);
  patch.sort((a, b) => a - b);
  const quantile = (list, q) => list.length ? list[Math.min(list.length - 1, Math.floor(q * list.length))] : null;
  const pick = (q) => quantile(frames, q);
  // After a full collection: what the view keeps, not how much garbage happens to be waiting.
  if (typeof gc === 'function') gc();
  const memory = { js: performance.memory ? performance.memory.usedJSHeapSize : null, wasm: glue.wasm_memory_bytes() };
  frame.remove();
  delete window.benchView;
  return { n, firstRows, rowsInDom, filter, search: searchMs, frameP50: pick(0.5), frameP95: pick(0.95),
           frameMax: frames[frames.length - 1], patchP50: quantile(patch, 0.5), patchP95: quantile(patch, 0.95),
           patches: patch.length, idleP50, addedPerFrame: added / frames.length, memory,
           dropped: droppedFrames(stamps, vsync), idleDropped };
})().then(done, (e) => done({ error: String(e && e.stack || e) }));
"#
);

pub fn bench_view(root: &Path) -> anyhow::Result<()> {
    crate::prereq::browser()?;
    let dist = crate::dist::dist(root)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let port = free_port()?;
    let data = std::env::temp_dir().join(format!("trace-view-bench-{port}"));
    std::fs::create_dir_all(&data)?;
    let server = Guard(
        crate::run::cargo()
            .args(["run", "--quiet", "--package", "trace-api", "--", "--bind", &format!("127.0.0.1:{port}")])
            .arg("--www")
            .arg(&dist)
            .env("TRACE_API_DATABASE_URL", format!("sqlite://{}", data.join("bench.db").display()))
            .current_dir(root)
            .spawn()
            .context("starting trace-api")?,
    );
    wait_for_port(port, Duration::from_secs(600))?;
    let results = runtime.block_on(measure(&format!("http://127.0.0.1:{port}/index.html")));
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
    let results = results?;
    println!(
        "\n| spans | data → first rows | rows in DOM | filter (errors only) | search | scroll frame p50 / p95 / max | \
         scroll event → DOM patched p50 / p95 | per scroll frame: script / style / layout / all tasks | \
         elements added per scroll frame | frames dropped: scrolling (of 120) / idle (of 60) | idle frame p50 | \
         JS heap | wasm memory |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in &results {
        let ms = |key: &str| r[key].as_f64().map_or("—".to_owned(), |v| format!("{v:.1} ms"));
        let main = |key: &str| r["mainThread"][key].as_f64().map_or("—".to_owned(), |v| format!("{v:.1} ms"));
        let mb = |v: &Value| v.as_f64().map_or("—".to_owned(), |v| format!("{:.1} MB", v / 1_048_576.0));
        println!(
            "| {} | {} | {} | {} | {} | {} / {} / {} | {} / {} | {} / {} / {} / {} | {} | {} / {} | {} | {} | {} |",
            r["n"],
            ms("firstRows"),
            r["rowsInDom"],
            ms("filter"),
            ms("search"),
            ms("frameP50"),
            ms("frameP95"),
            ms("frameMax"),
            ms("patchP50"),
            ms("patchP95"),
            main("script"),
            main("style"),
            main("layout"),
            main("task"),
            r["addedPerFrame"].as_f64().map_or("—".to_owned(), |v| format!("{v:.0}")),
            r["dropped"],
            r["idleDropped"],
            ms("idleP50"),
            mb(&r["memory"]["js"]),
            mb(&r["memory"]["wasm"]),
        );
    }
    Ok(())
}

async fn measure(url: &str) -> anyhow::Result<Vec<Value>> {
    let port = free_port()?;
    let driver = Guard(
        Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?,
    );
    let profile = std::env::temp_dir().join(format!("trace-view-bench-profile-{port}"));
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-precise-memory-info",
        // `gc()` for the page, so that the JS heap is read after a full collection.
        "--js-flags=--expose-gc",
        "--window-size=1400,900",
    ]
    .map(str::to_owned)
    .into_iter()
    .chain([format!("--user-data-dir={}", profile.display())])
    .collect::<Vec<_>>();
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".to_owned(), json!({ "binary": CHROMIUM, "args": args }));
    let client = connect(caps, &format!("http://127.0.0.1:{port}")).await?;
    let outcome = async {
        client.goto(url).await?;
        // The story page renders its own stories first; let it settle.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let mut results = Vec::new();
        let session = client.session_id().await?.context("no WebDriver session")?;
        let cdp = |command: &str, params: Value| cdp(port, &session, command, &params);
        cdp("Performance.enable", json!({}))?;
        for n in SIZES {
            let ready = client.execute_async(MEASURE, vec![json!(n)]).await?;
            if let Some(error) = ready.get("error") {
                bail!("measuring {n} spans: {error}");
            }
            // Chromium's own counters around the scroll frames: where their main-thread time goes.
            let before = cdp("Performance.getMetrics", json!({}))?;
            let mut result = client.execute_async(SCROLL, vec![]).await?;
            let after = cdp("Performance.getMetrics", json!({}))?;
            if let Some(error) = result.get("error") {
                bail!("scrolling {n} spans: {error}");
            }
            let per_frame = |name: &str| (metric(&after, name) - metric(&before, name)) * 1000.0 / 120.0;
            result["mainThread"] = json!({
                "task": per_frame("TaskDuration"),
                "script": per_frame("ScriptDuration"),
                "style": per_frame("RecalcStyleDuration"),
                "layout": per_frame("LayoutDuration"),
            });
            println!("{n} spans: {result}");
            results.push(result);
        }
        Ok(results)
    }
    .await;
    let _ = client.close().await;
    drop(driver);
    let _ = std::fs::remove_dir_all(&profile);
    outcome
}

/// A Chrome DevTools Protocol command through ChromeDriver's `goog/cdp/execute` (fantoccini has no call for it):
/// one HTTP/1.1 request on loopback.
fn cdp(port: u16, session: &str, command: &str, params: &Value) -> anyhow::Result<Value> {
    use std::io::{Read, Write};
    let body = json!({ "cmd": command, "params": params }).to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    write!(
        stream,
        "POST /session/{session}/goog/cdp/execute HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // Read the head, then exactly Content-Length bytes: ChromeDriver may keep the connection open.
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            bail!("{command}: ChromeDriver closed the connection");
        }
        answer.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&answer).into_owned();
    let length = head
        .lines()
        .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>()))
        .context("ChromeDriver's answer has no Content-Length")??;
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    let body = String::from_utf8_lossy(&body);
    if !head.starts_with("HTTP/1.1 200") {
        bail!("{command}: {head}: {body}");
    }
    let value: Value = serde_json::from_str(&body).with_context(|| format!("{command}: {body}"))?;
    Ok(value["value"].clone())
}

/// A counter of `Performance.getMetrics` (seconds for the durations).
fn metric(metrics: &Value, name: &str) -> f64 {
    let all = metrics["metrics"].as_array().map(Vec::as_slice).unwrap_or_default();
    all.iter().find(|m| m["name"] == name).and_then(|m| m["value"].as_f64()).unwrap_or(0.0)
}

async fn connect(caps: serde_json::Map<String, Value>, url: &str) -> anyhow::Result<Client> {
    let started = Instant::now();
    loop {
        match ClientBuilder::new(HttpConnector::new()).capabilities(caps.clone()).connect(url).await {
            Ok(client) => {
                let timeouts = fantoccini::wd::TimeoutConfiguration::new(
                    Some(Duration::from_secs(300)),
                    Some(Duration::from_secs(60)),
                    Some(Duration::ZERO),
                );
                client.update_timeouts(timeouts).await?;
                return Ok(client);
            }
            Err(error) if started.elapsed() > Duration::from_secs(30) => bail!("chromedriver: {error}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn wait_for_port(port: u16, limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > limit {
            bail!("trace-api did not listen on {port} within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child process that ends with this value.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
