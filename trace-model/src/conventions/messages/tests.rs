use serde_json::json;

use super::*;
use crate::conventions::tests::attrs;
use crate::tree::tests::span;

fn with(pairs: &[(&str, Value)]) -> Span {
    let mut s = span("a", None, 0);
    s.attributes = attrs(pairs);
    s
}

fn event(name: &str, pairs: &[(&str, Value)]) -> SpanEvent {
    SpanEvent { name: name.to_owned(), time: span("a", None, 0).start_time, attributes: attrs(pairs) }
}

fn text(found: Option<ModelText>) -> String {
    found.map(|t| t.text).unwrap_or_default()
}

#[test]
fn genai_parts_and_system_instructions() {
    let s = with(&[
        (
            GEN_AI_INPUT_MESSAGES,
            json!(r#"[{"role":"user","parts":[{"type":"text","content":"What is the weather?"}]}]"#),
        ),
        (GEN_AI_SYSTEM_INSTRUCTIONS, json!([{"type": "text", "content": "Be brief."}])),
        (
            GEN_AI_OUTPUT_MESSAGES,
            json!([{"role": "assistant", "parts": [
                {"type": "tool_call", "name": "weather", "arguments": {"city": "Paris"}}
            ], "finish_reason": "tool_call"}]),
        ),
    ]);
    assert_eq!(text(prompt(&s)), "system: Be brief.\n\nuser: What is the weather?");
    assert_eq!(text(response(&s)), r#"→ weather({"city":"Paris"})"#);
}

#[test]
fn older_content_shape_and_a_single_message_alone() {
    let s = with(&[
        (GEN_AI_INPUT_MESSAGES, json!([{"role": "user", "content": "Hi"}])),
        (GEN_AI_OUTPUT_MESSAGES, json!([{"message": {"role": "assistant", "content": "Hello!"}}])),
    ]);
    assert_eq!(text(prompt(&s)), "Hi");
    assert_eq!(text(response(&s)), "Hello!");
}

#[test]
fn openinference_flattened_messages_in_number_order() {
    let mut pairs = vec![
        ("llm.input_messages.0.message.role", json!("system")),
        ("llm.input_messages.0.message.content", json!("You add numbers.")),
        ("llm.input_messages.1.message.role", json!("user")),
        ("llm.input_messages.1.message.contents.0.message_content.type", json!("text")),
        ("llm.input_messages.1.message.contents.0.message_content.text", json!("2+2?")),
        ("llm.output_messages.0.message.role", json!("assistant")),
        ("llm.output_messages.0.message.tool_calls.0.tool_call.function.name", json!("add")),
        ("llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments", json!("{\"a\":2,\"b\":2}")),
    ];
    for i in 2..=10 {
        pairs.push((Box::leak(format!("llm.input_messages.{i}.message.role").into_boxed_str()), json!("user")));
        pairs.push((Box::leak(format!("llm.input_messages.{i}.message.content").into_boxed_str()), json!(i)));
    }
    let s = with(&pairs);
    let prompt = text(prompt(&s));
    assert!(prompt.starts_with("system: You add numbers.\n\nuser: 2+2?\n\nuser: 2\n\n"), "{prompt}");
    assert!(prompt.ends_with("user: 9\n\nuser: 10"), "10 after 9, not after 1: {prompt}");
    assert_eq!(text(response(&s)), "→ add({\"a\":2,\"b\":2})");
}

#[test]
fn openinference_values_when_there_are_no_messages() {
    let s = with(&[
        (INPUT_VALUE, json!("{\"question\":\"why\"}")),
        (INPUT_MIME_TYPE, json!("application/json")),
        (OUTPUT_VALUE, json!("because")),
        (OUTPUT_MIME_TYPE, json!("text/plain")),
    ]);
    assert_eq!(text(prompt(&s)), "{\n  \"question\": \"why\"\n}");
    assert_eq!(text(response(&s)), "because");
}

#[test]
fn deprecated_genai_forms() {
    let flat = with(&[
        ("gen_ai.prompt.0.role", json!("user")),
        ("gen_ai.prompt.0.content", json!("Tell a joke")),
        ("gen_ai.completion.0.role", json!("assistant")),
        ("gen_ai.completion.0.content", json!("Knock knock")),
    ]);
    assert_eq!((text(prompt(&flat)), text(response(&flat))), ("Tell a joke".into(), "Knock knock".into()));

    let mut on_events = span("a", None, 0);
    on_events.events = vec![
        event(GEN_AI_CONTENT_PROMPT_EVENT, &[(GEN_AI_PROMPT, json!("[{\"role\":\"user\",\"content\":\"Q\"}]"))]),
        event(
            GEN_AI_CONTENT_COMPLETION_EVENT,
            &[(GEN_AI_COMPLETION, json!("[{\"role\":\"assistant\",\"content\":\"A\"}]"))],
        ),
    ];
    assert_eq!((text(prompt(&on_events)), text(response(&on_events))), ("Q".into(), "A".into()));

    let mut per_message = span("a", None, 0);
    per_message.events = vec![
        event("gen_ai.system.message", &[("content", json!("Be nice"))]),
        event("gen_ai.user.message", &[("content", json!("Hi"))]),
        event(GEN_AI_CHOICE_EVENT, &[("message", json!({"role": "assistant", "content": "Hello"}))]),
    ];
    assert_eq!(text(prompt(&per_message)), "system: Be nice\n\nuser: Hi");
    assert_eq!(text(response(&per_message)), "Hello");
}

#[test]
fn orcheo_python_events() {
    let mut s = span("a", None, 0);
    s.events = vec![
        event(PROMPT_EVENT, &[(PREVIEW, json!("Summarise the report"))]),
        event(RESPONSE_EVENT, &[(PREVIEW, json!("It went well"))]),
    ];
    assert_eq!((text(prompt(&s)), text(response(&s))), ("Summarise the report".into(), "It went well".into()));

    let mut named = span("a", None, 0);
    named.events = vec![event(PROMPT_EVENT, &[("question", json!("why?")), ("context", json!("none"))])];
    assert_eq!(text(prompt(&named)), "context: none\n\nquestion: why?");

    let mut conversation = span("a", None, 0);
    conversation.events = vec![
        event(MESSAGE_EVENT, &[(ROLE, json!("human")), (PREVIEW, json!("Hello"))]),
        event(MESSAGE_EVENT, &[(ROLE, json!("ai")), (PREVIEW, json!("Hi, how can I help?"))]),
    ];
    assert_eq!(text(prompt(&conversation)), "Hello", "the reply is the response, not part of the prompt");
    assert_eq!(text(response(&conversation)), "Hi, how can I help?");
}

#[test]
fn our_previews_with_the_truncation_flag_come_after_messages() {
    let mut s = with(&[(PROMPT_PREVIEW, json!("Hello")), (PROMPT_TRUNCATED, json!(true))]);
    assert_eq!(prompt(&s), Some(ModelText { text: "Hello".to_owned(), truncated_at_source: true }));
    s.attributes.insert(GEN_AI_INPUT_MESSAGES.to_owned(), json!("[{\"role\":\"user\",\"content\":\"Hello there\"}]"));
    assert_eq!(prompt(&s), Some(ModelText { text: "Hello there".to_owned(), truncated_at_source: false }));
    s.attributes.insert(RESPONSE_PREVIEW.to_owned(), json!("Hi"));
    assert_eq!(response(&s).map(|t| t.truncated_at_source), Some(false));
    assert_eq!(prompt(&span("b", None, 0)), None);
}

#[test]
fn orcheo_python_conversations_as_the_engine_sends_them() {
    // LangChain's serialized messages carry no role the engine reads: both come as "unknown".
    let mut node = span("a", None, 0);
    node.events = vec![
        event(MESSAGE_EVENT, &[(ROLE, json!("unknown")), (PREVIEW, json!("Summarise: sales rose 4%"))]),
        event(MESSAGE_EVENT, &[(ROLE, json!("unknown")), (PREVIEW, json!("Sales grew modestly."))]),
    ];
    assert_eq!(text(prompt(&node)), "Summarise: sales rose 4%");
    assert_eq!(text(response(&node)), "Sales grew modestly.");

    // A subgraph's model step previews the reply object itself.
    let mut step = span("b", None, 0);
    step.attributes = attrs(&[(NODE_ID, json!("model"))]);
    step.events = vec![event(
        MESSAGE_EVENT,
        &[
            (ROLE, json!("message")),
            (
                PREVIEW,
                json!(
                    "content='Sales grew modestly.' additional_kwargs={} response_metadata={'model_name': 'gpt-4o-mini'} id='run-1'"
                ),
            ),
        ],
    )];
    assert_eq!(text(response(&step)), "Sales grew modestly.");
    assert_eq!(prompt(&step), None);
    assert_eq!(crate::conventions::classify_span(&step), crate::wire::SpanKind::Llm);
    assert_eq!(
        crate::conventions::classify_span(&node),
        crate::wire::SpanKind::Other,
        "no node id: not an engine node"
    );
}
