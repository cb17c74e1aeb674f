//! A loaded trace: the response, its span tree, and the lookups and totals the panes need.

use std::collections::HashMap;
use std::rc::Rc;

use trace_model::{Span, SpanKind, SpanTree, TokenUsage, TraceResponse, conventions};

#[derive(Debug)]
pub struct TraceData {
    pub trace: Rc<TraceResponse>,
    pub tree: SpanTree,
    /// Span id → node, for spans kept in the tree (later duplicates are left out).
    index: HashMap<String, usize>,
    pub error_count: usize,
    pub tokens: TokenUsage,
}

impl TraceData {
    pub fn new(trace: Rc<TraceResponse>) -> Self {
        let tree = SpanTree::build(&trace.spans);
        let included = || trace.spans.iter().enumerate().filter(|(node, _)| tree.nodes[*node].included);
        let index = included().map(|(node, span)| (span.span_id.clone(), node)).collect();
        let error_count = included().filter(|(_, span)| span.is_error()).count();
        // The execution's own total when the API sent one; else the sum over spans that report tokens.
        let mut tokens = trace.execution.token_usage;
        if tokens.is_empty() {
            for (_, span) in included() {
                if let Some(usage) = span_tokens(span) {
                    tokens.add(&usage);
                }
            }
        }
        Self { trace, tree, index, error_count, tokens }
    }

    pub fn span(&self, node: usize) -> &Span {
        &self.trace.spans[node]
    }

    pub fn node_of(&self, span_id: &str) -> Option<usize> {
        self.index.get(span_id).copied()
    }

    pub fn span_count(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The span to select after a load: the execution's root span when it is present, else the first root.
    pub fn default_selection(&self) -> Option<&str> {
        let root = self.trace.execution.root_span_id.as_deref().and_then(|id| self.node_of(id));
        let node = root.or_else(|| self.tree.roots.first().copied())?;
        Some(self.span(node).span_id.as_str())
    }

    pub fn kind(&self, node: usize) -> SpanKind {
        span_kind(self.span(node))
    }
}

/// The kind the producer sent; spans sent as "other" (or without a kind) are classified from their attributes.
pub fn span_kind(span: &Span) -> SpanKind {
    match span.kind {
        SpanKind::Other => conventions::classify(&span.name, &span.attributes),
        kind => kind,
    }
}

/// The span's token usage as sent, else as read from its attributes.
pub fn span_tokens(span: &Span) -> Option<TokenUsage> {
    span.token_usage.or_else(|| conventions::token_usage(&span.attributes))
}

/// A loaded trace as a component prop: equal when it is the same load, so panes re-render only when it changes
/// (comparing the contents of a large trace on every render would be slow).
#[derive(Clone, Debug)]
pub struct SharedTrace(pub Rc<TraceData>);

impl PartialEq for SharedTrace {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}
