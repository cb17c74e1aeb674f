//! The trace view's algorithms on synthetic traces of 1k, 10k and 100k spans: from spans to rows, the filters,
//! search, a keyboard step and a live merge. `cargo bench -p trace-model`; results in docs/benchmarks.md.

use std::hint::black_box;

use chrono::{Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use serde_json::json;
use trace_model::facts::span_kind;
use trace_model::filter::{SpanFilter, with_ancestors};
use trace_model::keyboard::{TreeKey, TypeAhead, tree_action};
use trace_model::merge::merge_spans;
use trace_model::search::{SearchIndex, normalize};
use trace_model::{Span, SpanKind, SpanTree, StatusCode, visible_rows, visible_rows_where};

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

/// A workflow root, then nodes each with an LLM, a tool, an HTTP and a storage child; 2 % of spans fail.
fn synthetic(count: usize) -> Vec<Span> {
    let start = Utc.timestamp_millis_opt(1_700_000_000_000).single().unwrap_or_default();
    let kinds = [SpanKind::Llm, SpanKind::Tool, SpanKind::Http, SpanKind::Storage];
    let mut spans = Vec::with_capacity(count);
    let make = |id: usize, parent: Option<usize>, kind: SpanKind, at: i64| {
        let mut attributes = trace_model::Attributes::new();
        attributes.insert("orcheo.node.id".to_owned(), json!(format!("step_{}", parent.unwrap_or(id))));
        attributes.insert("gen_ai.request.model".to_owned(), json!("gpt-4o-mini"));
        Span {
            span_id: format!("{id:016x}"),
            parent_span_id: parent.map(|p| format!("{p:016x}")),
            name: format!("{} {id}", kind.as_str()),
            kind,
            start_time: start + Duration::milliseconds(at),
            end_time: Some(start + Duration::milliseconds(at + 5)),
            duration_ms: Some(5.0),
            status: trace_model::SpanStatus {
                code: if id % 50 == 7 { StatusCode::Error } else { StatusCode::Ok },
                message: None,
            },
            attributes,
            ..Default::default()
        }
    };
    spans.push(make(0, None, SpanKind::Workflow, 0));
    let mut id = 1;
    while spans.len() < count {
        let node = id;
        spans.push(make(node, Some(0), SpanKind::Node, id as i64));
        id += 1;
        for kind in kinds {
            if spans.len() >= count {
                break;
            }
            spans.push(make(id, Some(node), kind, id as i64));
            id += 1;
        }
    }
    spans
}

fn algorithms(c: &mut Criterion) {
    for size in SIZES {
        let spans = synthetic(size);
        let tree = SpanTree::build(&spans);
        let kinds: Vec<SpanKind> = spans.iter().map(span_kind).collect();
        let index = SearchIndex::build(&spans);

        c.bench_function(&format!("rows from spans (tree + flatten)/{size}"), |b| {
            b.iter(|| {
                let tree = SpanTree::build(black_box(&spans));
                visible_rows(&tree, |_| false).len()
            })
        });
        c.bench_with_input(BenchmarkId::new("filter errors only", size), &size, |b, _| {
            let filter = SpanFilter { errors_only: true, ai_only: false };
            b.iter(|| {
                let keep = with_ancestors(&tree, |n| filter.matches(&spans[n], kinds[n]));
                visible_rows_where(&tree, |n| keep[n], |_| false).len()
            })
        });
        c.bench_with_input(BenchmarkId::new("search attribute value", size), &size, |b, _| {
            let query = normalize("step_42");
            b.iter(|| {
                let hit: Vec<bool> = (0..spans.len()).map(|n| index.is_match(n, &query)).collect();
                let keep = with_ancestors(&tree, |n| hit[n]);
                visible_rows_where(&tree, |n| keep[n], |_| false).len()
            })
        });
        c.bench_with_input(BenchmarkId::new("search index build", size), &size, |b, _| {
            b.iter(|| SearchIndex::build(black_box(&spans)).len())
        });
        let rows = visible_rows(&tree, |_| false);
        c.bench_with_input(BenchmarkId::new("type-ahead step", size), &size, |b, _| {
            b.iter(|| {
                let mut typed = TypeAhead::default();
                let name = |n: usize| spans[n].name.as_str();
                tree_action(TreeKey::Char('w'), &rows, &tree, 1, &mut typed, 0.0, name)
            })
        });
        c.bench_with_input(BenchmarkId::new("live merge of 100 spans", size), &size, |b, _| {
            let updates: Vec<Span> = spans.iter().rev().take(100).cloned().collect();
            b.iter_batched(
                || spans.clone(),
                // The trace is returned so that dropping it is not timed.
                |mut spans| {
                    let outcome = merge_spans(&mut spans, updates.clone());
                    (spans, outcome)
                },
                criterion::BatchSize::LargeInput,
            )
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(2));
    targets = algorithms
}
criterion_main!(benches);
