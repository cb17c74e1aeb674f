//! Two runs side by side (docs/trace-view.md, "Two runs compared"): the run the host compares with the shown one
//! is loaded whole, and the Compare tab lists their spans aligned by `trace_model::compare`, differences first;
//! opening a row shows both spans' figures, input and output.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use dioxus::core::Task;
use dioxus::prelude::*;
use trace_model::compare::{Comparison, Row, Run, Side, compare, input_text, output_text};
use trace_model::display::{count, duration_ms};
use trace_model::node_io::tab_after_key;
use trace_model::pricing::{PriceTable, SpanCost};

use crate::browser::focus;
use crate::fetch::LoadError;
use crate::host::{Host, Source, try_set};
use crate::node_io::tab_key;
use crate::pages::fetch_whole;
use crate::state::{Load, ViewState};
use crate::trace_data::{SharedTrace, TraceData};

/// Rows beyond this many are left out (the differences come first, so they are kept).
const MAX_ROWS: usize = 1000;

/// Loads the compared run whenever the host changes it (or the token).
pub fn use_compare_loader(host: Host, view: ViewState) {
    let in_flight = use_hook(|| Rc::new(Cell::new(None::<Task>)));
    use_effect(move || {
        let source = host.compare.read().clone();
        let token = host.token.read().clone();
        if let Some(task) = in_flight.take() {
            task.cancel();
        }
        let load = match source {
            Source::None => Load::Idle,
            Source::Pending => Load::Loading,
            Source::Trace(trace) => Load::Ready(Rc::new(TraceData::new(trace))),
            Source::Unreadable(detail) => Load::Failed(LoadError { status: 0, detail }),
            Source::Execution { execution_id, api_base } => {
                let task = spawn(async move {
                    let load = match fetch_whole(&api_base, &execution_id, token.as_deref()).await {
                        Ok(trace) => Load::Ready(Rc::new(TraceData::new(Rc::new(trace)))),
                        Err(error) => Load::Failed(error),
                    };
                    try_set(view.compare, load);
                });
                in_flight.set(Some(task));
                Load::Loading
            }
        };
        try_set(view.compare, load);
    });
}

/// "Trace | Compare" (the WAI-ARIA tabs pattern, activated on focus) over the shown tab's panel. A plain function,
/// not a component: it has no state of its own.
pub fn view_tabs(mut comparing: Signal<bool>, root: &web_sys::Element) -> Element {
    let shown = usize::from(*comparing.read());
    rsx! {
        div { role: "tablist", class: "tabs view-tabs", aria_label: "Views",
            for (index , (label , id)) in [("Trace", "view-tab-0"), ("Compare", "view-tab-1")].into_iter().enumerate() {
                button {
                    key: "{label}",
                    r#type: "button",
                    role: "tab",
                    class: "tab",
                    id,
                    "data-testid": "view-tab-{label}",
                    aria_selected: if index == shown { "true" } else { "false" },
                    aria_controls: "view-panel",
                    tabindex: if index == shown { "0" } else { "-1" },
                    onclick: move |_| comparing.set(index == 1),
                    onkeydown: {
                        let root = root.clone();
                        move |event: KeyboardEvent| {
                            let Some(key) = tab_key(&event.key()) else { return };
                            let Some(next) = tab_after_key(key, index, 2) else { return };
                            event.prevent_default();
                            comparing.set(next == 1);
                            focus(&root, if next == 1 { "#view-tab-1" } else { "#view-tab-0" });
                        }
                    },
                    "{label}"
                }
            }
        }
    }
}

/// The Compare tab: the shown run (A) against the compared one (B).
#[component]
pub fn ComparePanel(trace: SharedTrace) -> Element {
    let host = use_context::<Host>();
    let view = use_context::<ViewState>();
    let prices = host.prices.read().clone();
    let open = use_signal(|| None::<usize>);
    let cache = use_hook(|| Rc::new(RefCell::new(None::<Cached>)));
    let other = match view.compare.read().clone() {
        Load::Ready(other) => other,
        load => {
            let (role, text) = match load {
                Load::Failed(error) => ("alert", format!("Could not load the run to compare: {}", error.detail)),
                _ => ("status", "Loading the run to compare…".to_owned()),
            };
            return rsx! {
                div { class: "notice", role, "data-testid": "compare-notice", "{text}" }
            };
        }
    };
    let comparison = cached(&cache, &trace.0, &other, &prices);
    let (a, b) = (&trace.0.trace.execution.id, &other.trace.execution.id);
    let total = comparison.rows.len();
    let mut head =
        format!("A: {a} · B: {b} · {} of {} spans differ", count(comparison.differing as u64), count(total as u64));
    if total > MAX_ROWS {
        head.push_str(" (the first 1,000 listed)");
    }
    let shown = open.read().and_then(|i| comparison.rows.get(i));
    rsx! {
        div { class: "compare",
            p { class: "compare-head", "data-testid": "compare-head", "{head}" }
            div { class: "compare-rows",
                table { class: "attributes compare-table", "data-testid": "compare-table",
                    caption { class: "muted", "Spans of A and B aligned by node and attempt, differences first" }
                    thead {
                        tr {
                            th { scope: "col", "Span" }
                            th { scope: "col", "Changes" }
                            th { scope: "col", "Status" }
                            th { scope: "col", "Duration" }
                            th { scope: "col", "Tokens" }
                            th { scope: "col", "Cost" }
                        }
                    }
                    tbody {
                        for (index , row) in comparison.rows.iter().take(MAX_ROWS).enumerate() {
                            {row_view(index, row, open)}
                        }
                    }
                }
            }
            if let Some(row) = shown {
                section {
                    class: "compare-sides",
                    id: "compare-sides",
                    "data-testid": "compare-sides",
                    aria_labelledby: "compare-sides-title",
                    tabindex: "0",
                    h3 { id: "compare-sides-title", "{row.name}" }
                    div { class: "sides",
                        {side_view("A", a, row.left.as_ref(), &trace.0)}
                        {side_view("B", b, row.right.as_ref(), &other)}
                    }
                }
            }
        }
    }
}

struct Cached {
    keys: (*const TraceData, *const TraceData, *const PriceTable),
    comparison: Rc<Comparison>,
}

/// The comparison of `a` and `b`, computed again only when one of them or the prices change.
fn cached(
    cache: &RefCell<Option<Cached>>,
    a: &Rc<TraceData>,
    b: &Rc<TraceData>,
    prices: &Rc<PriceTable>,
) -> Rc<Comparison> {
    let keys = (Rc::as_ptr(a), Rc::as_ptr(b), Rc::as_ptr(prices));
    let mut cache = cache.borrow_mut();
    if let Some(hit) = cache.as_ref().filter(|c| c.keys == keys) {
        return hit.comparison.clone();
    }
    let comparison = Rc::new(compare(
        Run { spans: &a.trace.spans, tree: &a.tree },
        Run { spans: &b.trace.spans, tree: &b.tree },
        prices,
    ));
    *cache = Some(Cached { keys, comparison: comparison.clone() });
    comparison
}

fn row_view(index: usize, row: &Row, mut open: Signal<Option<usize>>) -> Element {
    let labels = row.changes.labels(row.kind);
    let mut joined = String::new();
    for label in &labels {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(label);
    }
    // Ids as u32: the formatting the wasm has already.
    let id = index as u32;
    let expanded = *open.read() == Some(index);
    let (left, right) = (cells(row.left.as_ref()), cells(row.right.as_ref()));
    // A's value, and B's when it differs: "120.0 ms → 310.5 ms".
    let texts = left.into_iter().zip(right).map(|(a, b)| if a == b { a } else { format!("{a} → {b}") });
    rsx! {
        tr { "data-testid": "compare-row", "data-changes": joined,
            th { scope: "row",
                button {
                    r#type: "button",
                    class: "compare-open",
                    id: "compare-open-{id}",
                    aria_expanded: if expanded { "true" } else { "false" },
                    aria_controls: "compare-sides",
                    // The span's depth as an indent: a style property, never a `style` attribute (see `tree_pane`).
                    margin_left: "{row.depth}rem",
                    onclick: move |_| open.set(if expanded { None } else { Some(index) }),
                    "{row.name}"
                }
            }
            td {
                for label in labels {
                    span { class: "badge change", "{label}" }
                }
            }
            for text in texts {
                td { class: "mono", "{text}" }
            }
        }
    }
}

/// A side's status, duration, tokens and cost as the table shows them ("—" for what it lacks).
fn cells(side: Option<&Side>) -> [String; 4] {
    let none = || "—".to_owned();
    let Some(side) = side else { return [none(), none(), none(), none()] };
    [
        side.status.as_str().to_owned(),
        duration_text(side),
        side.tokens.map_or_else(none, |t| count(t.total)),
        side.cost.as_ref().map_or_else(none, SpanCost::label),
    ]
}

fn duration_text(side: &Side) -> String {
    side.duration_ms.map_or_else(|| "running".to_owned(), duration_ms)
}

/// One side of an opened row: its figures, then its input and output.
fn side_view(label: &str, execution: &str, side: Option<&Side>, data: &TraceData) -> Element {
    let (facts, texts) = match side {
        None => (format!("Not in run {execution}."), [None, None]),
        Some(side) => {
            let span = data.span(side.node);
            let [status, duration, tokens, cost] = cells(Some(side));
            let mut facts = format!("{status} · {duration}");
            for (value, unit) in [(tokens, " tokens"), (cost, "")] {
                if value != "—" {
                    facts.push_str(" · ");
                    facts.push_str(&value);
                    facts.push_str(unit);
                }
            }
            (facts, [input_text(span), output_text(span)])
        }
    };
    rsx! {
        div { class: "side", "data-testid": "compare-side-{label}",
            h4 { "{label}: {execution}" }
            p { "{facts}" }
            for (title , text) in ["Input", "Output"].into_iter().zip(texts) {
                if let Some(text) = text {
                    h5 { "{title}" }
                    pre { class: "text-block", "data-testid": "compare-{title}", "{text}" }
                }
            }
        }
    }
}
