//! The toolbar over the tree: search with match count and stepping, the filters, the critical path, expand/collapse
//! all, export.

use dioxus::prelude::*;
use trace_model::search::step;

use crate::browser::save_file;
use crate::host::Host;
use crate::state::ViewState;
use crate::thread::StitchedSwitch;
use crate::trace_data::SharedTrace;
use crate::visible::SharedVisible;
use trace_model::display::{count, duration_ms};

#[component]
pub fn Toolbar(trace: SharedTrace, visible: Memo<SharedVisible>) -> Element {
    let host = use_context::<Host>();
    let view = use_context::<ViewState>();
    let (mut query, mut match_at, mut filter, mut collapsed) = (view.query, view.match_at, view.filter, view.collapsed);
    let shown = visible.read().0.clone();
    let searching = !query.read().trim().is_empty();
    let total = shown.matches.len();
    let status = match (*match_at.read(), total) {
        (_, 0) => "No matches".to_owned(),
        (Some(at), _) if at < total => format!("{} of {}", at + 1, count(total as u64)),
        (_, 1) => "1 match".to_owned(),
        _ => format!("{} matches", count(total as u64)),
    };
    let (errors_only, ai_only) = (filter.read().errors_only, filter.read().ai_only);
    let mut critical = view.critical_path;
    let critical_on = *critical.read();
    let critical_status = critical_on.then(|| path_summary(&trace.0.critical_path()));
    let data = trace.0.clone();
    let go = {
        let (shown, host, data) = (shown.clone(), host.clone(), data.clone());
        move |forward: bool| {
            let Some(at) = step(shown.matches.len(), *match_at.peek(), forward) else { return };
            match_at.set(Some(at));
            let mut selected = host.selected;
            let span_id = data.span(shown.matches[at]).span_id.clone();
            selected.set(Some(span_id.clone()));
            crate::events::span_select(&host.root, &span_id);
        }
    };
    let (mut go_prev, mut go_next, mut go_key) = (go.clone(), go.clone(), go);
    let (for_collapse, for_export) = (data.clone(), data);
    rsx! {
        div { class: "toolbar", role: "toolbar", aria_label: "Span tree tools", "data-testid": "toolbar",
            div { class: "search",
                label { r#for: "trace-search", class: "visually-hidden", "Search spans" }
                input {
                    id: "trace-search",
                    r#type: "search",
                    placeholder: "Search names and attributes",
                    "data-testid": "search",
                    value: "{query}",
                    oninput: move |event| {
                        query.set(event.value());
                        match_at.set(None);
                    },
                    onkeydown: move |event| {
                        if event.key() == Key::Enter {
                            event.prevent_default();
                            go_key(!event.modifiers().contains(Modifiers::SHIFT));
                        }
                    },
                }
                if searching {
                    span { class: "match-count", role: "status", "data-testid": "match-count", "{status}" }
                    button {
                        r#type: "button",
                        class: "icon",
                        aria_label: "Previous match",
                        "data-testid": "prev-match",
                        disabled: total == 0,
                        onclick: move |_| go_prev(false),
                        "↑"
                    }
                    button {
                        r#type: "button",
                        class: "icon",
                        aria_label: "Next match",
                        "data-testid": "next-match",
                        disabled: total == 0,
                        onclick: move |_| go_next(true),
                        "↓"
                    }
                }
            }
            label { class: "check",
                input {
                    r#type: "checkbox",
                    "data-testid": "filter-errors",
                    checked: errors_only,
                    onchange: move |event| filter.with_mut(|f| f.errors_only = event.checked()),
                }
                "Errors only"
            }
            label { class: "check",
                input {
                    r#type: "checkbox",
                    "data-testid": "filter-ai",
                    checked: ai_only,
                    onchange: move |event| filter.with_mut(|f| f.ai_only = event.checked()),
                }
                "AI spans only"
            }
            div { class: "critical-path-tools",
                button {
                    r#type: "button",
                    class: "secondary toggle-button",
                    "data-testid": "critical-path",
                    aria_pressed: if critical_on { "true" } else { "false" },
                    onclick: move |_| critical.toggle(),
                    "Critical path"
                }
                // Present while off too, so that assistive technology announces the summary when it appears.
                span { class: "path-summary", role: "status", "data-testid": "critical-path-summary",
                    if let Some(text) = critical_status {
                        "{text}"
                    }
                }
            }
            StitchedSwitch {}
            div { class: "tool-buttons",
                button {
                    r#type: "button",
                    class: "secondary",
                    "data-testid": "expand-all",
                    onclick: move |_| collapsed.with_mut(|set| set.clear()),
                    "Expand all"
                }
                button {
                    r#type: "button",
                    class: "secondary",
                    "data-testid": "collapse-all",
                    onclick: move |_| {
                        let data = &for_collapse;
                        let parents = data.tree.parents().map(|n| data.span(n).span_id.clone());
                        collapsed.with_mut(|set| set.extend(parents));
                    },
                    "Collapse all"
                }
                button {
                    r#type: "button",
                    class: "secondary",
                    "data-testid": "export-json",
                    onclick: move |_| {
                        let trace = &for_export.trace;
                        if let Ok(json) = serde_json::to_string_pretty(&**trace) {
                            let name = format!("trace-{}.json", file_safe(&trace.execution.id));
                            let _ = save_file(json.as_bytes(), "application/json", &name);
                        }
                    },
                    "Export JSON"
                }
            }
        }
    }
}

/// "Critical path: 5 spans, 1.24 s of 1.30 s".
fn path_summary(path: &trace_model::critical_path::CriticalPath) -> String {
    let spans = path.span_count();
    let noun = if spans == 1 { "span" } else { "spans" };
    format!(
        "Critical path: {} {noun}, {} of {}",
        count(spans as u64),
        duration_ms(path.covered_ms),
        duration_ms(path.run_ms)
    )
}

/// An id made safe for a file name.
fn file_safe(id: &str) -> String {
    let safe: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if safe.is_empty() { "export".to_owned() } else { safe }
}
