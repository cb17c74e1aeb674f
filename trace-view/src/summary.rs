//! The metrics summary: status and live state, duration, tokens in/out/total, cost, spans, errors, models used
//! (with a per-model table of calls, tokens and cost) and the trace's artifacts with downloads.

use dioxus::prelude::*;

use crate::artifacts::ArtifactList;
use crate::host::Host;
use crate::notices::PartialNotice;
use crate::state::{LiveState, ViewState};
use crate::trace_data::SharedTrace;
use trace_model::ExecutionStatus;
use trace_model::display::{count, duration_ms};
use trace_model::metrics::{CostMetrics, ModelUse};

#[component]
pub fn Summary(trace: SharedTrace) -> Element {
    let view = use_context::<ViewState>();
    let prices = use_context::<Host>().prices.read().clone();
    let data = &trace.0;
    let costs = data.costs(&prices);
    let execution = &data.trace.execution;
    let metrics = &data.metrics;
    let status = execution.status.as_str();
    let duration = metrics.duration_ms.map_or_else(|| "—".to_owned(), duration_ms);
    let models = metrics.models.iter().map(|m| format!("{} ×{}", m.model, m.calls)).collect::<Vec<_>>().join(", ");
    let progress = *view.progress.read();
    let stalled = view.stalled.read().clone();
    rsx! {
        div {
            role: "group",
            "part": "summary",
            class: "summary",
            aria_label: "Trace summary",
            "data-testid": "trace-summary",
            dl {
                div {
                    dt { "Status" }
                    dd {
                        span { class: "badge execution-{status}", "data-testid": "summary-status", "{status}" }
                        LiveIndicator { stalled: execution.status == ExecutionStatus::Stalled }
                    }
                }
                div {
                    dt { "Duration" }
                    dd { "data-testid": "summary-duration", "{duration}" }
                }
                div {
                    dt { "Spans" }
                    dd { "data-testid": "summary-spans", "{count(metrics.spans as u64)}" }
                }
                div {
                    dt { "Errors" }
                    dd { class: if metrics.errors > 0 { "has-errors" }, "data-testid": "summary-errors", "{metrics.errors}" }
                }
                div {
                    dt { "Tokens" }
                    dd { "data-testid": "summary-tokens",
                        abbr { title: "input", "in" }
                        " {count(metrics.tokens.input)} · "
                        abbr { title: "output", "out" }
                        " {count(metrics.tokens.output)} · total "
                        span { "data-testid": "summary-tokens-total", "{count(metrics.tokens.total)}" }
                    }
                }
                if !costs.total.is_empty() {
                    div {
                        dt { "Cost" }
                        dd { "data-testid": "summary-cost", "{costs.total.label()}" }
                    }
                }
                if !models.is_empty() {
                    div {
                        dt { "Models" }
                        dd { "data-testid": "summary-models", "{models}" }
                    }
                }
            }
            if let (Some(error), Some(progress)) = (stalled, progress) {
                PartialNotice { error, progress }
            } else if let Some(progress) = progress {
                p { class: "muted", role: "status", "data-testid": "load-progress",
                    "Loading spans: {count(progress.loaded as u64)} of {count(progress.total)}…"
                }
            }
            if !metrics.models.is_empty() {
                {model_table(&metrics.models, &costs)}
            }
            if !metrics.artifacts.is_empty() {
                details { class: "summary-artifacts",
                    summary { "Artifacts ({metrics.artifacts.len()})" }
                    ArtifactList { artifacts: metrics.artifacts.clone(), testid: "summary-artifacts" }
                }
            }
        }
    }
}

/// Calls, tokens and cost per model, in a disclosure so that the summary stays one line.
fn model_table(models: &[ModelUse], costs: &CostMetrics) -> Element {
    let rows: Vec<(&str, usize, String, String, String)> = models
        .iter()
        .map(|m| {
            let cost = costs.model(&m.model).map_or_else(|| "—".to_owned(), |c| c.label());
            (m.model.as_str(), m.calls, count(m.tokens.input), count(m.tokens.output), cost)
        })
        .collect();
    rsx! {
        details { class: "summary-models", "data-testid": "summary-models-details",
            summary { "Models and cost ({models.len()})" }
            table { class: "model-costs", "data-testid": "summary-model-costs",
                caption { class: "visually-hidden", "Calls, tokens and cost per model" }
                thead {
                    tr {
                        th { scope: "col", "Model" }
                        th { scope: "col", "Calls" }
                        th { scope: "col", "Input tokens" }
                        th { scope: "col", "Output tokens" }
                        th { scope: "col", "Cost" }
                    }
                }
                tbody {
                    for (model , calls , input , output , cost) in rows {
                        tr { key: "{model}",
                            th { scope: "row", class: "mono", "{model}" }
                            td { "{calls}" }
                            td { "{input}" }
                            td { "{output}" }
                            td { "{cost}" }
                        }
                    }
                }
            }
        }
    }
}

/// "Live" while updates stream in, "Stalled" while the stream is open but the run's sender has gone quiet (the
/// API's stall period), "Complete" once the run has ended, "Disconnected" when the stream broke.
#[component]
fn LiveIndicator(stalled: bool) -> Element {
    let view = use_context::<ViewState>();
    let (class, text, title) = match &*view.live.read() {
        LiveState::Off => return rsx! {},
        LiveState::Connecting => ("live connecting", "Connecting…", String::new()),
        LiveState::Live if stalled => (
            "live stalled",
            "Stalled",
            "Nothing has arrived for this run for a while: its sender may be gone".to_owned(),
        ),
        LiveState::Live => ("live on", "Live", String::new()),
        LiveState::Complete => ("live complete", "Complete", String::new()),
        LiveState::Disconnected(reason) => ("live off", "Disconnected", reason.clone()),
    };
    rsx! {
        span { class: "badge {class}", role: "status", title, "data-testid": "live-state", "{text}" }
    }
}
