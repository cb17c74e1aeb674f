//! Which execution each span of a batch belongs to (docs/architecture.md, "Executions").
//!
//! An execution is the span that carries its id plus every descendant of that span in the trace; most senders put
//! the id on that one span only, and spans arrive in any order. A span is filed under the execution it declares,
//! else under its parent's, else (its parent not known yet, or none) under its trace's own run. A span that waits
//! in the trace's run moves once an ancestor of it is filed elsewhere; ancestors of an execution's span are copied
//! into the execution as context. This module decides from what the batch and the store know; `ingest` applies it.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

/// A span of the batch, as filing sees it.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub span_id: &'a str,
    pub parent: Option<&'a str>,
    pub declared: Option<&'a str>,
}

/// Where the store has filed a span of the trace (its member row, not a context copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub execution_id: String,
    pub parent: Option<String>,
}

/// A span the batch cannot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub index: usize,
    pub reason: String,
}

/// What to do with a batch of one trace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The execution of each span of the batch, by index (`None` for a conflict).
    pub filings: Vec<Option<String>>,
    pub conflicts: Vec<Conflict>,
    /// Spans of the trace's run whose descendants there move to the execution (the span ids are the parents).
    pub move_under: BTreeSet<(String, String)>,
    /// Member rows in the trace's run to drop because the span is now filed under an execution.
    pub refiled: BTreeSet<(String, String)>,
    /// `(execution, span)`: copy the span and its ancestors outside the execution into it as context.
    pub context_from: BTreeSet<(String, String)>,
}

/// Files `batch` (one trace; `trace_run` is that trace's own run). `stored` holds the member rows of the batch's
/// spans, their parents, and their children (`children`, by parent id).
pub fn plan(
    batch: &[Incoming<'_>],
    stored: &FxHashMap<String, Filed>,
    children: &FxHashMap<String, Vec<String>>,
    trace_run: &str,
) -> Plan {
    let index: FxHashMap<&str, usize> = batch.iter().enumerate().map(|(i, s)| (s.span_id, i)).collect();
    let mut filings: Vec<Option<Result<String, String>>> = vec![None; batch.len()];
    for i in 0..batch.len() {
        resolve(i, batch, &index, stored, trace_run, &mut filings);
    }
    let mut plan = Plan::default();
    for (i, filing) in filings.into_iter().enumerate() {
        match filing {
            Some(Ok(execution)) => plan.filings.push(Some(execution)),
            Some(Err(reason)) => {
                plan.conflicts.push(Conflict { index: i, reason });
                plan.filings.push(None);
            }
            None => plan.filings.push(None),
        }
    }
    let filing_of = |span: &str| -> Option<&str> {
        match index.get(span) {
            Some(&i) => plan.filings[i].as_deref(),
            None => stored.get(span).map(|f| f.execution_id.as_str()),
        }
    };
    let mut move_under = BTreeSet::new();
    let mut refiled = BTreeSet::new();
    let mut context_from = BTreeSet::new();
    for (i, span) in batch.iter().enumerate() {
        let Some(execution) = plan.filings[i].as_deref() else { continue };
        if execution != trace_run {
            // Whatever waited in the trace's run below this span belongs here now.
            move_under.insert((execution.to_owned(), span.span_id.to_owned()));
            if stored.get(span.span_id).is_some_and(|f| f.execution_id == trace_run) {
                refiled.insert((trace_run.to_owned(), span.span_id.to_owned()));
            }
        }
        // The parent is outside this execution: it and its ancestors are the execution's context.
        if let Some(parent) = span.parent
            && filing_of(parent).is_some_and(|p| p != execution)
        {
            context_from.insert((execution.to_owned(), parent.to_owned()));
        }
        // A stored child filed under another execution (not the trace's run, whose spans move instead) has this
        // span above it as context.
        for child in children.get(span.span_id).into_iter().flatten() {
            if let Some(filed) = stored.get(child)
                && filed.execution_id != execution
                && filed.execution_id != trace_run
            {
                context_from.insert((filed.execution_id.clone(), span.span_id.to_owned()));
            }
        }
    }
    plan.move_under = move_under;
    plan.refiled = refiled;
    plan.context_from = context_from;
    plan
}

/// The filing of batch span `i` and of the batch ancestors it inherits from, walked iteratively (a batch may hold
/// a chain thousands deep): `Err` when a span contradicts where the store has it.
fn resolve(
    i: usize,
    batch: &[Incoming<'_>],
    index: &FxHashMap<&str, usize>,
    stored: &FxHashMap<String, Filed>,
    trace_run: &str,
    filings: &mut [Option<Result<String, String>>],
) {
    // The spans walked so far, each inheriting from the next; a span seen twice is a cycle.
    let mut path: Vec<usize> = Vec::new();
    let mut on_path = BTreeSet::new();
    let mut at = i;
    let inherited = loop {
        if let Some(done) = &filings[at] {
            break done.clone().unwrap_or_else(|_| trace_run.to_owned());
        }
        let span = batch[at];
        let already = stored.get(span.span_id).map(|f| f.execution_id.as_str()).filter(|e| *e != trace_run);
        let own = match (span.declared, already) {
            (Some(declared), Some(other)) if declared != other => {
                Some(Err(format!("span {} already belongs to execution {other}, not {declared}", span.span_id)))
            }
            (Some(declared), _) => Some(Ok(declared.to_owned())),
            // Filed under an execution before: a copy without the id does not take it out again.
            (None, Some(execution)) => Some(Ok(execution.to_owned())),
            (None, None) => None,
        };
        if let Some(own) = own {
            let inherited = own.clone().unwrap_or_else(|_| trace_run.to_owned());
            filings[at] = Some(own);
            break inherited;
        }
        path.push(at);
        on_path.insert(at);
        match span.parent.and_then(|p| index.get(p).copied()) {
            // A cycle of parents cannot be resolved: the trace's run holds it.
            Some(parent) if on_path.contains(&parent) => break trace_run.to_owned(),
            Some(parent) => at = parent,
            None => {
                break span
                    .parent
                    .and_then(|p| stored.get(p))
                    .map_or_else(|| trace_run.to_owned(), |parent| parent.execution_id.clone());
            }
        }
    };
    for walked in path {
        filings[walked] = Some(Ok(inherited.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "trace-run";

    fn span<'a>(id: &'a str, parent: Option<&'a str>, declared: Option<&'a str>) -> Incoming<'a> {
        Incoming { span_id: id, parent, declared }
    }

    fn filed(pairs: &[(&str, &str, Option<&str>)]) -> FxHashMap<String, Filed> {
        pairs
            .iter()
            .map(|(id, e, p)| ((*id).to_owned(), Filed { execution_id: (*e).to_owned(), parent: p.map(str::to_owned) }))
            .collect()
    }

    fn filings(plan: &Plan) -> Vec<&str> {
        plan.filings.iter().map(|f| f.as_deref().unwrap_or("-")).collect()
    }

    #[test]
    fn descendants_in_the_batch_inherit_the_declared_execution() {
        let batch =
            [span("node", Some("exec"), None), span("exec", Some("request"), Some("E")), span("request", None, None)];
        let plan = plan(&batch, &FxHashMap::default(), &FxHashMap::default(), RUN);
        assert_eq!(filings(&plan), ["E", "E", RUN]);
        // The request above the execution span is its context; nothing waited in the trace's run.
        assert!(plan.context_from.contains(&("E".to_owned(), "request".to_owned())));
        assert!(plan.refiled.is_empty());
    }

    #[test]
    fn a_child_whose_parent_is_stored_follows_the_parent() {
        let stored = filed(&[("exec", "E", Some("request"))]);
        let plan = plan(&[span("node", Some("exec"), None)], &stored, &FxHashMap::default(), RUN);
        assert_eq!(filings(&plan), ["E"]);
        assert!(plan.context_from.is_empty());
    }

    #[test]
    fn an_orphan_waits_in_the_trace_run_and_its_ancestor_moves_it() {
        let orphan = plan(&[span("node", Some("exec"), None)], &FxHashMap::default(), &FxHashMap::default(), RUN);
        assert_eq!(filings(&orphan), [RUN]);
        // The execution span arrives later: what waits below it moves.
        let stored = filed(&[("node", RUN, Some("exec"))]);
        let children = FxHashMap::from_iter([("exec".to_owned(), vec!["node".to_owned()])]);
        let arrival = plan(&[span("exec", None, Some("E"))], &stored, &children, RUN);
        assert_eq!(filings(&arrival), ["E"]);
        assert!(arrival.move_under.contains(&("E".to_owned(), "exec".to_owned())));
        assert!(arrival.context_from.is_empty(), "a waiting child is moved, not made context");
    }

    #[test]
    fn a_request_arriving_after_its_execution_becomes_context() {
        let stored = filed(&[("exec", "E", Some("request"))]);
        let children = FxHashMap::from_iter([("request".to_owned(), vec!["exec".to_owned()])]);
        let plan = plan(&[span("request", None, None)], &stored, &children, RUN);
        assert_eq!(filings(&plan), [RUN]);
        assert!(plan.context_from.contains(&("E".to_owned(), "request".to_owned())));
    }

    #[test]
    fn a_span_filed_under_an_execution_stays_there() {
        let stored = filed(&[("node", "E", Some("exec"))]);
        let plan = plan(&[span("node", Some("exec"), None)], &stored, &FxHashMap::default(), RUN);
        assert_eq!(filings(&plan), ["E"]);
        // A declared copy of a span that waited in the trace's run drops the waiting row.
        let waiting = filed(&[("exec", RUN, None)]);
        let plan = super::plan(&[span("exec", None, Some("E"))], &waiting, &FxHashMap::default(), RUN);
        assert!(plan.refiled.contains(&(RUN.to_owned(), "exec".to_owned())));
    }

    #[test]
    fn a_span_cannot_change_execution() {
        let stored = filed(&[("exec", "E", None)]);
        let plan = plan(&[span("exec", None, Some("F"))], &stored, &FxHashMap::default(), RUN);
        assert_eq!(filings(&plan), ["-"]);
        assert_eq!(plan.conflicts.len(), 1);
        assert!(plan.conflicts[0].reason.contains("already belongs to execution E"), "{:?}", plan.conflicts);
    }

    #[test]
    fn a_cycle_of_parents_ends_in_the_trace_run() {
        let batch = [span("a", Some("b"), None), span("b", Some("a"), None)];
        let plan = plan(&batch, &FxHashMap::default(), &FxHashMap::default(), RUN);
        assert_eq!(filings(&plan), [RUN, RUN]);
    }

    #[test]
    fn nested_executions_see_the_outer_one_as_context() {
        let batch =
            [span("outer", None, Some("E")), span("step", Some("outer"), None), span("inner", Some("step"), Some("F"))];
        let plan = plan(&batch, &FxHashMap::default(), &FxHashMap::default(), RUN);
        assert_eq!(filings(&plan), ["E", "E", "F"]);
        assert!(plan.context_from.contains(&("F".to_owned(), "step".to_owned())));
    }
}
