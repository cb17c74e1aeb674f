//! A span on its way into a trace store, with the ids it declares: what the instrumentation's exporter and the OTLP
//! receivers hand to the store.

use crate::conventions::{self, EXECUTION_ID, WORKFLOW_ID};
use crate::wire::Span;

/// A span ready to store, with the ids it declares. The store files it under an execution: the one it declares, else
/// its nearest declaring ancestor's, else its trace's own run (docs/architecture.md, "Executions").
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRecord {
    /// `orcheo.execution.id`, when the span (or its resource) carries it.
    pub execution_id: Option<String>,
    pub workflow_id: Option<String>,
    /// `orcheo.workspace.id` (or Orcheo's `orcheo.workspace`), when the span (or its resource) carries it.
    pub workspace_id: Option<String>,
    pub trace_id: String,
    pub span: Span,
}

impl SpanRecord {
    /// `span` of trace `trace_id`, with the execution, workflow and workspace its own attributes declare.
    pub fn from_span(trace_id: String, span: Span) -> Self {
        let attributes = &span.attributes;
        let execution_id = conventions::str_attr(attributes, EXECUTION_ID).map(str::to_owned);
        let workflow_id = conventions::str_attr(attributes, WORKFLOW_ID).map(str::to_owned);
        let workspace_id = conventions::workspace(attributes).map(str::to_owned);
        Self { execution_id, workflow_id, workspace_id, trace_id, span }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ids_come_from_the_span_attributes() {
        let mut span = Span { span_id: "s".to_owned(), ..Span::default() };
        span.attributes.insert(EXECUTION_ID.to_owned(), json!("exec-1"));
        span.attributes.insert(WORKFLOW_ID.to_owned(), json!("wf"));
        span.attributes.insert(conventions::WORKSPACE.to_owned(), json!("team-a"));
        let record = SpanRecord::from_span("t1".to_owned(), span.clone());
        assert_eq!(
            (record.execution_id.as_deref(), record.workflow_id.as_deref(), record.workspace_id.as_deref()),
            (Some("exec-1"), Some("wf"), Some("team-a"))
        );
        assert_eq!((record.trace_id.as_str(), &record.span), ("t1", &span));
        let bare = SpanRecord::from_span("t2".to_owned(), Span::default());
        assert_eq!((bare.execution_id, bare.workflow_id, bare.workspace_id), (None, None, None));
    }
}
