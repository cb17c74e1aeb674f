//! The summary header: execution status, span, error and token counts.

use dioxus::prelude::*;

use crate::trace_data::SharedTrace;

#[component]
pub fn Summary(trace: SharedTrace) -> Element {
    let data = &trace.0;
    let execution = &data.trace.execution;
    let status = execution.status.as_str();
    let spans = data.span_count();
    let errors = data.error_count;
    let tokens = data.tokens.total;
    rsx! {
        section {
            "part": "summary",
            class: "summary",
            aria_label: "Trace summary",
            "data-testid": "trace-summary",
            dl {
                div {
                    dt { "Status" }
                    dd {
                        span {
                            class: "badge execution-{status}",
                            "data-testid": "summary-status",
                            "{status}"
                        }
                    }
                }
                div {
                    dt { "Spans" }
                    dd { "data-testid": "summary-spans", "{spans}" }
                }
                div {
                    dt { "Errors" }
                    dd {
                        class: if errors > 0 { "has-errors" },
                        "data-testid": "summary-errors",
                        "{errors}"
                    }
                }
                div {
                    dt { "Tokens" }
                    dd { "data-testid": "summary-tokens", "{tokens}" }
                }
            }
            if !execution.id.is_empty() {
                p { class: "execution-id muted",
                    "Execution "
                    code { "{execution.id}" }
                }
            }
        }
    }
}
