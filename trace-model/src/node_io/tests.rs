use serde_json::json;

use super::*;

fn span(attributes: Value) -> Span {
    Span { attributes: serde_json::from_value(attributes).unwrap_or_default(), ..Span::default() }
}

fn change(path: &str, before: Option<Value>, after: Option<Value>) -> Change {
    Change { path: path.to_owned(), before: before.map(IoValue::Json), after: after.map(IoValue::Json) }
}

#[test]
fn json_values_are_read_by_their_mime_type() {
    let io = node_io(&span(json!({
        "input.value": "{\"query\":\"why\"}",
        "input.mime_type": "application/json",
        "output.value": "{\"not\": \"parsed\"}",
        "output.mime_type": "text/plain",
    })));
    let io = io.unwrap_or_default();
    assert_eq!(io.input.map(|s| s.value), Some(IoValue::Json(json!({"query": "why"}))));
    assert_eq!(io.output.map(|s| s.value), Some(IoValue::Text("{\"not\": \"parsed\"}".to_owned())));
}

#[test]
fn without_a_mime_type_objects_and_lists_that_parse_are_json() {
    let io = node_io(&span(json!({"input.value": " [1, 2]", "output.value": "plain answer"}))).unwrap_or_default();
    assert_eq!(io.input.map(|s| s.value), Some(IoValue::Json(json!([1, 2]))));
    assert_eq!(io.output.map(|s| s.value), Some(IoValue::Text("plain answer".to_owned())));
    let broken = node_io(&span(json!({"input.value": "{cut…[truncated]", "input.mime_type": "application/json"})));
    assert_eq!(broken.and_then(|io| io.input).map(|s| s.value), Some(IoValue::Text("{cut…[truncated]".to_owned())));
}

#[test]
fn structured_values_and_orcheo_state_snapshots_are_read_too() {
    let io = node_io(&span(json!({
        "orcheo.workflow.state.before": {"count": 1},
        "orcheo.workflow.state.after": {"count": 2},
        "orcheo.workflow.state.truncated": true,
    })))
    .unwrap_or_default();
    let input = io.input.clone().unwrap_or_else(|| unreachable!("the before state is read"));
    assert_eq!(input.value, IoValue::Json(json!({"count": 1})));
    assert!(input.bounded && !input.cut);
    assert_eq!(io.changes(), Some(vec![change("count", Some(json!(1)), Some(json!(2)))]));
    // input.value wins over Orcheo's snapshot; a structured value is JSON as it is.
    let io = node_io(&span(json!({"input.value": {"a": 1}, "orcheo.workflow.state.before": {"b": 2}})));
    assert_eq!(io.and_then(|io| io.input).map(|s| s.value), Some(IoValue::Json(json!({"a": 1}))));
}

#[test]
fn flags_say_what_was_bounded_and_what_the_budget_cut() {
    let io = node_io(&span(json!({
        "input.value": "{}",
        "input.mime_type": "application/json",
        "orcheo.node.input.truncated": true,
        "output.value": "{\"a\":…[truncated]",
        "output.mime_type": "text/plain",
        "orcheo.truncated.attributes": ["output.value"],
    })))
    .unwrap_or_default();
    let (input, output) = (io.input.unwrap_or_else(|| unreachable!()), io.output.unwrap_or_else(|| unreachable!()));
    assert!(input.bounded && !input.cut);
    assert!(!output.bounded && output.cut);
}

#[test]
fn a_span_without_either_side_has_no_node_io() {
    assert_eq!(node_io(&span(json!({"orcheo.node.id": "fetch"}))), None);
    let only_input = node_io(&span(json!({"input.value": "hi"}))).unwrap_or_default();
    assert!(only_input.output.is_none());
    assert_eq!(only_input.changes(), None, "no changes without an output");
}

#[test]
fn object_diffs_list_added_removed_and_changed_nested_paths() {
    let before = IoValue::Json(json!({
        "query": "why",
        "draft": "v1",
        "results": {"fetch": "ok", "rank": {"score": 1}},
        "list": [1, 2],
        "same": {"deep": true},
    }));
    let after = IoValue::Json(json!({
        "query": "why",
        "results": {"fetch": "ok", "rank": {"score": 2}, "summary": "short"},
        "list": [1, 2, 3],
        "same": {"deep": true},
        "answer": {"text": "because"},
    }));
    assert_eq!(
        diff(&before, &after),
        vec![
            change("draft", Some(json!("v1")), None),
            change("list", Some(json!([1, 2])), Some(json!([1, 2, 3]))),
            change("results.rank.score", Some(json!(1)), Some(json!(2))),
            change("results.summary", None, Some(json!("short"))),
            change("answer", None, Some(json!({"text": "because"}))),
        ]
    );
    assert_eq!(diff(&before, &before), vec![]);
    let kinds: Vec<&str> = diff(&before, &after).iter().map(|c| c.kind().label()).collect();
    assert_eq!(kinds, ["removed", "changed", "changed", "added", "added"]);
}

#[test]
fn keys_with_separators_are_quoted_in_paths() {
    let before = IoValue::Json(json!({"a.b": 1, "": 1, "x": {"with space": 1}}));
    let after = IoValue::Json(json!({"a.b": 2, "": 2, "x": {"with space": 2}}));
    let paths: Vec<String> = diff(&before, &after).into_iter().map(|c| c.path).collect();
    assert_eq!(paths, ["[\"\"]", "[\"a.b\"]", "x[\"with space\"]"]);
}

#[test]
fn other_values_change_as_a_whole() {
    let text = |t: &str| IoValue::Text(t.to_owned());
    assert_eq!(
        diff(&text("question"), &text("answer")),
        vec![Change { path: String::new(), before: Some(text("question")), after: Some(text("answer")) }]
    );
    assert_eq!(diff(&text("same"), &text("same")), vec![]);
    let (list, object) = (IoValue::Json(json!([1])), IoValue::Json(json!({"a": 1})));
    assert_eq!(diff(&list, &object), vec![change("", Some(json!([1])), Some(json!({"a": 1})))]);
    assert_eq!(diff(&text("x"), &object).len(), 1);
}

#[test]
fn rendering_pretty_prints_json_and_keeps_text() {
    assert_eq!(IoValue::Json(json!({"a": 1})).render(), "{\n  \"a\": 1\n}");
    assert_eq!(IoValue::Text("as is".to_owned()).render(), "as is");
}

#[test]
fn tab_keys_wrap_and_jump() {
    assert_eq!(tab_after_key(TabKey::Right, 2, 3), Some(0));
    assert_eq!(tab_after_key(TabKey::Left, 0, 3), Some(2));
    assert_eq!(tab_after_key(TabKey::Right, 0, 3), Some(1));
    assert_eq!(tab_after_key(TabKey::Left, 2, 3), Some(1));
    assert_eq!(tab_after_key(TabKey::Home, 2, 3), Some(0));
    assert_eq!(tab_after_key(TabKey::End, 0, 3), Some(2));
    assert_eq!(tab_after_key(TabKey::Right, 0, 0), None);
}
