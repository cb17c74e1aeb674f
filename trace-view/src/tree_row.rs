//! One row of the span tree: toggle, name (with search highlights), kind and status badges, a model call's tokens
//! and cost, duration and the span's bar on the trace's time axis.

use std::rc::Rc;

use dioxus::prelude::*;
use trace_model::pricing::{SpanCost, span_cost};
use trace_model::search::highlight;
use trace_model::{SpanKind, StatusCode};

use crate::tree_pane::{ROW_HEIGHT, RowContext};
use trace_model::display::{compact_count, kind_label, span_duration};
use trace_model::facts::span_tokens;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowFlags {
    pub selected: bool,
    pub tab_stop: bool,
    pub current_match: bool,
}

#[component]
pub fn TreeRow(ctx: RowContext, index: usize, flags: RowFlags, query: Rc<str>) -> Element {
    let row = ctx.shown.rows[index];
    let span = ctx.data.span(row.node);
    let kind = ctx.data.kind(row.node);
    let status = span.status.code;
    let mut class = String::from("row");
    if flags.selected {
        class.push_str(" selected");
    }
    if flags.current_match {
        class.push_str(" current-match");
    }
    if status == StatusCode::Error {
        class.push_str(" error");
    }
    let on_path = ctx.path.as_ref().is_some_and(|path| path.contains(row.node));
    if on_path {
        class.push_str(" critical");
    }
    // The path's stretches within this span, drawn over its bar.
    let path_bars: Vec<(String, String)> = match (&ctx.path, ctx.data.axis) {
        (Some(path), Some(axis)) if on_path => path
            .segments_of(row.node)
            .map(|segment| {
                let bar = axis.stretch(segment.start, segment.end);
                (format!("{:.3}%", bar.offset * 100.0), format!("{:.3}%", bar.width * 100.0))
            })
            .collect(),
        _ => Vec::new(),
    };
    let toggle = match (row.has_children, row.expanded) {
        (false, _) => "",
        (true, true) => "▾",
        (true, false) => "▸",
    };
    let bar = ctx.data.axis.map(|axis| axis.bar(span));
    let bar_left = bar.map(|bar| format!("{:.3}%", bar.offset * 100.0));
    let bar_width = bar.map(|bar| format!("{:.3}%", bar.width * 100.0));
    let status_text = status.as_str();
    let status_class = format!("badge status status-{}", status_text.to_ascii_lowercase());
    // A model call's tokens and cost; the other spans' tokens are their children's.
    let tokens = (kind == SpanKind::Llm).then(|| span_tokens(span)).flatten();
    let cost = (kind == SpanKind::Llm).then(|| span_cost(span, &ctx.prices)).flatten();
    let top = index as f64 * ROW_HEIGHT;
    let (on_click, on_toggle, on_key) = (ctx.clone(), ctx.clone(), ctx.clone());
    rsx! {
        div {
            class,
            role: "treeitem",
            "data-span-id": "{span.span_id}",
            aria_level: "{row.depth + 1}",
            aria_setsize: "{row.set_size}",
            aria_posinset: "{row.pos_in_set}",
            aria_expanded: row.has_children.then_some(if row.expanded { "true" } else { "false" }),
            aria_selected: if flags.selected { "true" } else { "false" },
            tabindex: if flags.tab_stop { "0" } else { "-1" },
            // A style property, never a `style` attribute (see `tree_pane`).
            top: "{top}px",
            onclick: move |_| on_click.select(row.node, false),
            onkeydown: move |event| on_key.on_key(index, &event),
            // The indent's custom property has no attribute of its own: spread in (spreads go last).
            ..depth_property(row.depth),
            span {
                class: "toggle",
                aria_hidden: "true",
                onclick: move |event| {
                    if row.has_children {
                        event.stop_propagation();
                        on_toggle.set_collapsed(&[row.node], row.expanded);
                    }
                },
                "{toggle}"
            }
            span { class: "name", {name_with_marks(&span.name, &query)} }
            if on_path {
                span { class: "visually-hidden", ", on the critical path" }
            }
            span { class: "badge kind kind-{kind.as_str()}", "{kind_label(kind)}" }
            span { class: status_class, "{status_text}" }
            if tokens.is_some() || cost.is_some() {
                // Gives way first when the row is short of room, a whole badge at a time (trace_view.css).
                span { class: "usage",
                    span { class: "usage-start" }
                    if let Some(cost) = cost {
                        {cost_badge(&cost)}
                    }
                    if let Some(tokens) = tokens {
                        span { class: "badge tokens", "data-testid": "row-tokens",
                            "{compact_count(tokens.total)}"
                            span { class: "visually-hidden", " tokens" }
                            span { aria_hidden: "true", " tok" }
                        }
                    }
                }
            }
            span { class: "duration", "{span_duration(span)}" }
            span { class: "timeline", aria_hidden: "true",
                span { class: "bar", left: bar_left, width: bar_width }
                for (left , width) in path_bars {
                    span { class: "path-segment", left, width }
                }
            }
        }
    }
}

fn cost_badge(cost: &SpanCost) -> Element {
    let (class, hidden) = match cost {
        SpanCost::Sent(_) => ("badge cost", " cost"),
        SpanCost::Estimated(_) => ("badge cost estimated", " estimated cost"),
        SpanCost::NoPrice { .. } => ("badge cost unpriced", ""),
    };
    rsx! {
        span { class, "data-testid": "row-cost",
            "{cost.label()}"
            span { class: "visually-hidden", "{hidden}" }
        }
    }
}

/// `--depth` (the row's indent level in trace_view.css) as a style property, which Dioxus sets through the CSSOM.
fn depth_property(depth: u32) -> Vec<Attribute> {
    vec![Attribute::new("--depth", depth.to_string(), Some("style"), false)]
}

/// The name with every occurrence of the query in a `<mark>`.
fn name_with_marks(name: &str, query: &str) -> Element {
    let ranges = highlight(name, query);
    if ranges.is_empty() {
        return rsx! { "{name}" };
    }
    let mut parts: Vec<(bool, &str)> = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut at = 0;
    for range in ranges {
        if range.start > at {
            parts.push((false, &name[at..range.start]));
        }
        parts.push((true, &name[range.clone()]));
        at = range.end;
    }
    if at < name.len() {
        parts.push((false, &name[at..]));
    }
    rsx! {
        for (hit , text) in parts {
            if hit {
                mark { "{text}" }
            } else {
                "{text}"
            }
        }
    }
}
