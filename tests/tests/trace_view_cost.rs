//! The cost of model calls in `<orcheo-trace-view>`, on the story page's "Model calls and their cost" story: the
//! tokens and cost badges of the tree rows (and that they give way before the names at narrow widths), the details'
//! cost with its source, the summary's total and per-model table, price overrides through the `price-table`
//! attribute and the `prices` property, the keyboard path to the table, and axe.

use std::time::Duration;

use e2e_tests::browser::Browser;
use e2e_tests::eventually;
use e2e_tests::service::{TestService, dist_dir};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const STORY: &str = "#story-cost";

/// Sets the element's width and, two frames later, reads every rendered row: span id, whether its name is cut,
/// and its tokens and cost badges (full text, hidden words included, and whether they are on screen: of some size
/// and wholly inside the box that clips them).
const ROWS: &str = "
  const [selector, width, done] = arguments;
  const host = document.querySelector(selector);
  host.style.width = width + 'px';
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const badge = (row, testid) => {
      const e = row.querySelector(`[data-testid=${testid}]`);
      if (!e) return null;
      const [b, box] = [e.getBoundingClientRect(), e.parentElement.getBoundingClientRect()];
      const inside = b.left >= box.left - 0.5 && b.right <= box.right + 0.5 && b.bottom <= box.bottom + 0.5;
      return { text: e.textContent, shown: b.width > 1 && inside };
    };
    done([...host.shadowRoot.querySelectorAll('[role=treeitem]')]
      .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
      .map((r) => { const name = r.querySelector('.name');
        return { id: r.dataset.spanId, cut: name.scrollWidth > name.clientWidth,
          tokens: badge(r, 'row-tokens'), cost: badge(r, 'row-cost') }; }));
  }));";

/// The summary's total, the per-model table (header and cells), whether it is open, and the details' cost.
const SUMMARY: &str = "
  const root = document.querySelector(arguments[0]).shadowRoot;
  const text = (sel) => { const e = root.querySelector(sel); return e ? e.textContent : null; };
  const table = root.querySelector('[data-testid=summary-model-costs]');
  return { total: text('[data-testid=summary-cost]'),
    open: root.querySelector('[data-testid=summary-models-details]').open,
    caption: table.querySelector('caption').textContent,
    head: [...table.querySelectorAll('thead th')].map((c) => [c.textContent, c.getAttribute('scope')]),
    rows: [...table.querySelectorAll('tbody tr')].map((r) => [...r.children].map((c) => c.textContent)),
    rowHeaders: [...table.querySelectorAll('tbody th')].map((c) => c.getAttribute('scope')),
    detailsSpan: root.querySelector('[data-testid=span-details]').dataset.spanId,
    amount: text('[data-testid=cost-amount]'), source: text('[data-testid=cost-source]'),
    focused: root.activeElement ? root.activeElement.textContent : null };";

fn id(n: u64) -> String {
    format!("{n:016x}")
}

async fn rows(b: &Browser, width: u32) -> anyhow::Result<Vec<Value>> {
    let rows = b.client.execute_async(ROWS, vec![json!(STORY), json!(width)]).await?;
    Ok(rows.as_array().cloned().unwrap_or_default())
}

fn row(rows: &[Value], n: u64) -> &Value {
    rows.iter().find(|r| r["id"] == json!(id(n))).unwrap_or(&Value::Null)
}

async fn summary(b: &Browser) -> anyhow::Result<Value> {
    b.js(SUMMARY, vec![json!(STORY)]).await
}

/// Clicks a span's row, then waits for its details.
async fn select(b: &Browser, n: u64) -> anyhow::Result<Value> {
    let root = b.trace_view(STORY).await?;
    root.find(Locator::Css(&format!("[role=treeitem][data-span-id='{}']", id(n)))).await?.click().await?;
    eventually("the span's details", WAIT, || async {
        let s = summary(b).await?;
        Ok((s["detailsSpan"] == json!(id(n))).then_some(s))
    })
    .await
}

/// Waits until the summary's total reads `total`; returns the summary.
async fn total_becomes(b: &Browser, total: &str) -> anyhow::Result<Value> {
    eventually(&format!("the total {total}"), WAIT, || async {
        let s = summary(b).await?;
        Ok((s["total"] == json!(total)).then_some(s))
    })
    .await
}

async fn shift_tab(b: &Browser) -> anyhow::Result<()> {
    let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
    let actions = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value: tab })
        .then(KeyAction::Up { value: tab })
        .then(KeyAction::Up { value: shift });
    b.client.perform_actions(actions).await?;
    Ok(())
}

#[tokio::test]
async fn model_calls_show_their_cost_its_source_and_the_totals_per_model() -> anyhow::Result<()> {
    let service = TestService::start(Some(dist_dir()?)).await?;
    let b = Browser::start().await?;
    let result = async {
        b.client.set_window_size(1600, 1000).await?;
        b.client.goto(&service.url("/index.html")).await?;
        // Wide enough for every badge.
        let wide = eventually("the cost story's rows", WAIT, || async {
            let rows = rows(&b, 2000).await?;
            Ok((rows.len() == 10).then_some(rows))
        })
        .await?;

        // Badges on the model calls only: the sender's cost, two estimates, and a model the table lacks.
        let badges = |n: u64| (row(&wide, n)["tokens"].clone(), row(&wide, n)["cost"].clone());
        let shown = |text: &str| json!({ "text": text, "shown": true });
        assert_eq!(badges(3), (shown("1.3k tokens tok"), shown("≈ $0.00015 estimated cost")));
        assert_eq!(badges(5), (shown("2.4k tokens tok"), shown("$0.0123 cost")));
        assert_eq!(badges(7), (shown("3.5k tokens tok"), shown("≈ $0.0100 estimated cost")));
        assert_eq!(badges(9), (shown("1.1k tokens tok"), shown("no price")));
        for n in [1, 2, 4, 6, 8, 10] {
            assert_eq!(badges(n), (Value::Null, Value::Null), "no badges on span {n}");
        }
        assert!(wide.iter().all(|r| r["cut"] == json!(false)), "no name is cut at 2,000 px: {wide:#?}");
        // Narrower, the badges leave the screen, whole (still read with the row), before any name is cut.
        let mut hidden = Vec::new();
        for width in [1400, 1024, 800] {
            let narrow = rows(&b, width).await?;
            assert!(narrow.iter().all(|r| r["cut"] == json!(false)), "a name is cut at {width} px: {narrow:#?}");
            for n in [3, 5, 7, 9] {
                let r = row(&narrow, n);
                assert!(r["cost"]["text"].as_str().is_some_and(|t| !t.is_empty()), "still in the row's text: {r}");
                hidden.extend(
                    ["tokens", "cost"].into_iter().filter(|b| r[b]["shown"] == json!(false)).map(|b| (width, n, b)),
                );
            }
            if width == 800 {
                for n in [3, 5, 7, 9] {
                    let r = row(&narrow, n);
                    assert_eq!(
                        (r["tokens"]["shown"].clone(), r["cost"]["shown"].clone()),
                        (json!(false), json!(false))
                    );
                }
            }
        }
        assert!(hidden.iter().any(|(width, ..)| *width == 1024), "some badges gave way at 1,024 px: {hidden:?}");
        rows(&b, 2000).await?;

        // The details say where each figure comes from.
        let s = select(&b, 7).await?;
        assert_eq!(s["amount"], json!("≈ $0.0100"));
        assert_eq!(
            s["source"],
            json!("estimated at the price of gpt-4.1: $2.00 in / $8.00 out / $0.50 cached per 1M tokens")
        );
        let s = select(&b, 3).await?;
        assert_eq!(s["amount"], json!("≈ $0.00015"), "1,024 of 1,200 input tokens at the cached price");
        assert_eq!(
            s["source"],
            json!("estimated at the price of gpt-4o-mini: $0.15 in / $0.60 out / $0.075 cached per 1M tokens")
        );
        let s = select(&b, 5).await?;
        assert_eq!(s["amount"], json!("$0.0123"));
        assert_eq!(s["source"], json!("reported by the sender (prompt $0.0060, completion $0.0063)"));
        let s = select(&b, 9).await?;
        assert_eq!(s["amount"], json!("no price"));
        assert_eq!(s["source"], json!("llama-3.1-70b-instruct is not in the price table"));

        // The summary: the total with its estimated part apart, and the table per model.
        let s = summary(&b).await?;
        assert_eq!(s["total"], json!("$0.0123 + ≈ $0.0102 (estimated) · 1 call with no price"));
        assert_eq!(s["caption"], json!("Calls, tokens and cost per model"));
        let head: Vec<Value> = ["Model", "Calls", "Input tokens", "Output tokens", "Cost"]
            .into_iter()
            .map(|h| json!([h, "col"]))
            .collect();
        assert_eq!(s["head"], json!(head));
        assert_eq!(s["rowHeaders"], json!(["row", "row", "row", "row"]));
        assert_eq!(
            s["rows"],
            json!([
                ["claude-sonnet-4-20250514", "1", "2,000", "420", "$0.0123"],
                ["gpt-4.1", "1", "3,000", "500", "≈ $0.0100 (estimated)"],
                ["gpt-4o-mini", "1", "1,200", "80", "≈ $0.00015 (estimated)"],
                ["llama-3.1-70b-instruct", "1", "800", "300", "no price"],
            ])
        );

        // Keyboard: from the search box, Shift+Tab reaches the table's disclosure, and Enter opens it.
        assert_eq!(s["open"], json!(false));
        let root = b.trace_view(STORY).await?;
        root.find(Locator::Css("[data-testid=search]")).await?.click().await?;
        shift_tab(&b).await?;
        assert_eq!(summary(&b).await?["focused"], json!("Models and cost (4)"));
        b.press(char::from(Key::Enter)).await?;
        eventually("the table open", WAIT, || async { Ok((summary(&b).await?["open"] == json!(true)).then_some(())) })
            .await?;
        let violations = b.axe_violations().await?;
        assert!(violations.is_empty(), "with the cost badges and the table open: {violations:#?}");

        // The attribute extends the table: Llama gets a price.
        select(&b, 9).await?;
        b.js(
            "document.querySelector(arguments[0]).setAttribute('price-table', arguments[1])",
            vec![json!(STORY), json!(r#"{"llama-3.1-70b": {"input": 0.5, "output": 0.5}}"#)],
        )
        .await?;
        let s = total_becomes(&b, "$0.0123 + ≈ $0.0107 (estimated)").await?;
        assert_eq!(s["amount"], json!("≈ $0.00055"));
        assert_eq!(s["source"], json!("estimated at the price of llama-3.1-70b: $0.50 in / $0.50 out per 1M tokens"));
        assert_eq!(s["rows"][3], json!(["llama-3.1-70b-instruct", "1", "800", "300", "≈ $0.00055 (estimated)"]));

        // The property wins over the attribute: GPT-4.1 at half price, Llama back to no price.
        b.js(
            "document.querySelector(arguments[0]).prices = { 'gpt-4.1': { input: 1, output: 4 } }",
            vec![json!(STORY)],
        )
        .await?;
        let s = total_becomes(&b, "$0.0123 + ≈ $0.0052 (estimated) · 1 call with no price").await?;
        assert_eq!(s["rows"][1], json!(["gpt-4.1", "1", "3,000", "500", "≈ $0.0050 (estimated)"]));
        let changed = rows(&b, 2000).await?;
        assert_eq!(row(&changed, 7)["cost"], shown("≈ $0.0050 estimated cost"));
        assert_eq!(row(&changed, 9)["cost"], shown("no price"));
        let s = select(&b, 7).await?;
        assert_eq!(s["source"], json!("estimated at the price of gpt-4.1: $1.00 in / $4.00 out per 1M tokens"));

        // Invalid overrides change nothing (and say why in the console); null goes back to the attribute.
        let kept = b
            .js(
                "const el = document.querySelector(arguments[0]);
                 el.prices = { 'gpt-4.1': { input: -1, output: 4 } };
                 return el.prices !== null;",
                vec![json!(STORY)],
            )
            .await?;
        assert_eq!(kept, json!(true));
        let s = summary(&b).await?;
        assert_eq!(s["total"], json!("$0.0123 + ≈ $0.0052 (estimated) · 1 call with no price"));
        let logged = b.console_log().await?;
        assert!(
            logged.iter().any(|m| m["message"]
                .as_str()
                .is_some_and(|t| t.contains("input must be a number, finite and not negative"))),
            "the console says why: {logged:#?}"
        );
        b.js("document.querySelector(arguments[0]).prices = null", vec![json!(STORY)]).await?;
        total_becomes(&b, "$0.0123 + ≈ $0.0107 (estimated)").await?;
        anyhow::Ok(())
    }
    .await;
    b.close().await?;
    result
}
