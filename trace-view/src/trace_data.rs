//! A loaded trace: the response, its span tree, and the lookups and totals the panes need.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use trace_model::critical_path::CriticalPath;
use trace_model::facts::span_kind;
use trace_model::metrics::{CostMetrics, TraceMetrics, cost_metrics, trace_metrics};
use trace_model::pricing::PriceTable;
use trace_model::search::SearchIndex;
use trace_model::timeline::TimeAxis;
use trace_model::{Span, SpanKind, SpanTree, TraceResponse};

#[derive(Debug)]
pub struct TraceData {
    pub trace: Rc<TraceResponse>,
    pub tree: SpanTree,
    /// Span id → node, for spans kept in the tree (later duplicates are left out). Built after the first paint
    /// (see [`TraceData::warm_up`]): until then lookups scan, which is fast enough for the few a render makes.
    index: OnceCell<HashMap<String, usize>>,
    /// Each span's effective kind, classified once.
    kinds: Vec<SpanKind>,
    pub axis: Option<TimeAxis>,
    pub metrics: TraceMetrics,
    /// Built on the first search: most views of a trace never search.
    search: OnceCell<SearchIndex>,
    /// Computed when first shown.
    critical_path: OnceCell<Rc<CriticalPath>>,
    /// The cost totals for the last price table asked for (the host may replace it while the trace stays).
    costs: RefCell<Option<(Rc<PriceTable>, Rc<CostMetrics>)>>,
}

impl TraceData {
    pub fn new(trace: Rc<TraceResponse>) -> Self {
        let tree = SpanTree::build(&trace.spans);
        let kinds = trace.spans.iter().map(span_kind).collect();
        let axis = TimeAxis::of(&trace.spans);
        let metrics = trace_metrics(&trace.execution, &trace.spans, &tree);
        Self {
            trace,
            tree,
            index: OnceCell::new(),
            kinds,
            axis,
            metrics,
            search: OnceCell::new(),
            critical_path: OnceCell::new(),
            costs: RefCell::new(None),
        }
    }

    pub fn span(&self, node: usize) -> &Span {
        &self.trace.spans[node]
    }

    pub fn node_of(&self, span_id: &str) -> Option<usize> {
        match self.index.get() {
            Some(index) => index.get(span_id).copied(),
            None => (0..self.trace.spans.len())
                .find(|&node| self.tree.nodes[node].included && self.trace.spans[node].span_id == span_id),
        }
    }

    /// Builds the lookups a large trace needs only after its first rows are on screen.
    pub fn warm_up(&self) {
        self.index.get_or_init(|| {
            (0..self.trace.spans.len())
                .filter(|&node| self.tree.nodes[node].included)
                .map(|node| (self.trace.spans[node].span_id.clone(), node))
                .collect()
        });
        self.search_index();
    }

    pub fn span_count(&self) -> usize {
        self.metrics.spans
    }

    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    pub fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| SearchIndex::build(&self.trace.spans))
    }

    /// The span to select after a load: the execution's root span when it is present, else the first root.
    pub fn default_selection(&self) -> Option<&str> {
        let root = self.trace.execution.root_span_id.as_deref().and_then(|id| self.node_of(id));
        let node = root.or_else(|| self.tree.roots.first().copied())?;
        Some(self.span(node).span_id.as_str())
    }

    pub fn critical_path(&self) -> Rc<CriticalPath> {
        self.critical_path.get_or_init(|| Rc::new(CriticalPath::compute(&self.trace.spans, &self.tree))).clone()
    }

    pub fn costs(&self, prices: &Rc<PriceTable>) -> Rc<CostMetrics> {
        let mut cached = self.costs.borrow_mut();
        match &*cached {
            Some((table, costs)) if Rc::ptr_eq(table, prices) => costs.clone(),
            _ => {
                let costs = Rc::new(cost_metrics(&self.trace.spans, &self.tree, prices));
                *cached = Some((prices.clone(), costs.clone()));
                costs
            }
        }
    }

    pub fn kind(&self, node: usize) -> SpanKind {
        self.kinds.get(node).copied().unwrap_or_default()
    }
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
