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

fn turns(found: Option<ModelText>) -> Vec<Turn> {
    found.map(|t| t.turns).unwrap_or_default()
}

fn turn(role: Role, parts: Vec<Part>) -> Turn {
    Turn { role, parts }
}

fn user_text(text: &str) -> Turn {
    turn(Role::User, vec![Part::Text(text.to_owned())])
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
    let previewed = prompt(&s).map(|t| (t.text, t.truncated_at_source, t.turns, t.raw));
    assert_eq!(previewed, Some(("Hello".to_owned(), true, vec![user_text("Hello")], None)));
    s.attributes.insert(GEN_AI_INPUT_MESSAGES.to_owned(), json!("[{\"role\":\"user\",\"content\":\"Hello there\"}]"));
    let read = prompt(&s).map(|t| (t.text, t.truncated_at_source, t.turns));
    assert_eq!(read, Some(("Hello there".to_owned(), false, vec![user_text("Hello there")])));
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

#[test]
fn genai_parts_as_a_conversation_with_tool_calls_results_and_other_parts() {
    // The shape `tests/senders/sdk_trace.py` sends (JSON text), extended with the other part types of the
    // GenAI conventions: tool_call (arguments as an object), tool_call_response, and a part of another type.
    let s = with(&[
        (
            GEN_AI_INPUT_MESSAGES,
            json!(
                serde_json::to_string(&json!([
                    {"role": "user", "parts": [{"type": "text", "content": "Summarize the quarterly report."}]},
                    {"role": "assistant", "parts": [
                        {"type": "tool_call", "id": "call_1", "name": "get_report", "arguments": {"quarter": "Q3"}}
                    ]},
                    {"role": "tool", "parts": [
                        {"type": "tool_call_response", "id": "call_1", "response": {"revenue": "+12%"}}
                    ]},
                    {"role": "user", "parts": [{"type": "uri", "modality": "image", "uri": "https://x.test/c.png"}]}
                ]))
                .unwrap_or_default()
            ),
        ),
        (GEN_AI_SYSTEM_INSTRUCTIONS, json!([{"type": "text", "content": "Be brief."}])),
        (
            GEN_AI_OUTPUT_MESSAGES,
            json!(
                r#"[{"role":"assistant","parts":[{"type":"text","content":"Revenue grew 12%."}],"finish_reason":"stop"}]"#
            ),
        ),
    ]);
    let read = prompt(&s);
    let raw = read.as_ref().and_then(|t| t.raw.clone()).unwrap_or_default();
    assert!(raw.contains("\"gen_ai.input.messages\": [") && raw.contains("\"get_report\""), "indented JSON: {raw}");
    assert!(raw.contains(GEN_AI_SYSTEM_INSTRUCTIONS), "{raw}");
    assert_eq!(
        turns(read),
        vec![
            turn(Role::System, vec![Part::Text("Be brief.".into())]),
            user_text("Summarize the quarterly report."),
            turn(
                Role::Assistant,
                vec![Part::ToolCall {
                    id: Some("call_1".into()),
                    name: "get_report".into(),
                    arguments: json!({"quarter": "Q3"})
                }]
            ),
            turn(Role::Tool, vec![Part::ToolResult { id: Some("call_1".into()), content: json!({"revenue": "+12%"}) }]),
            turn(
                Role::User,
                vec![Part::Json(json!({"type": "uri", "modality": "image", "uri": "https://x.test/c.png"}))]
            ),
        ]
    );
    assert_eq!(turns(response(&s)), vec![turn(Role::Assistant, vec![Part::Text("Revenue grew 12%.".into())])]);
}

#[test]
fn older_content_shape_with_chat_api_tool_calls_and_tool_messages() {
    let s = with(&[(
        GEN_AI_INPUT_MESSAGES,
        json!([
            {"role": "system", "content": "You check the weather."},
            {"role": "human", "content": [{"type": "text", "text": "Weather in Paris?"}]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "Sunny, 21 °C"},
            {"role": "developer", "content": {"format": "short"}}
        ]),
    )]);
    assert_eq!(
        turns(prompt(&s)),
        vec![
            turn(Role::System, vec![Part::Text("You check the weather.".into())]),
            user_text("Weather in Paris?"),
            turn(
                Role::Assistant,
                vec![Part::ToolCall {
                    id: Some("call_1".into()),
                    name: "get_weather".into(),
                    arguments: json!({"city": "Paris"})
                }]
            ),
            turn(Role::Tool, vec![Part::ToolResult { id: Some("call_1".into()), content: json!("Sunny, 21 °C") }]),
            turn(Role::Other("developer".into()), vec![Part::Json(json!({"format": "short"}))]),
        ]
    );
}

#[test]
fn openinference_agent_turns_as_the_langchain_instrumentor_flattens_them() {
    // The second model call of `tests/senders/langgraph_agent.py`: the question, the model's tool call, the
    // tool's answer; the answer on the output side.
    let s = with(&[
        ("llm.input_messages.0.message.role", json!("user")),
        ("llm.input_messages.0.message.content", json!("What is the weather in Paris?")),
        ("llm.input_messages.1.message.role", json!("assistant")),
        ("llm.input_messages.1.message.tool_calls.0.tool_call.id", json!("call_1")),
        ("llm.input_messages.1.message.tool_calls.0.tool_call.function.name", json!("get_weather")),
        ("llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments", json!("{\"city\": \"Paris\"}")),
        ("llm.input_messages.2.message.role", json!("tool")),
        ("llm.input_messages.2.message.content", json!("It is sunny in Paris.")),
        ("llm.input_messages.2.message.tool_call_id", json!("call_1")),
        ("llm.input_messages.2.message.name", json!("get_weather")),
        ("llm.input_messages.3.message.role", json!("user")),
        ("llm.input_messages.3.message.contents.0.message_content.type", json!("image")),
        ("llm.input_messages.3.message.contents.0.message_content.image.image.url", json!("https://x.test/a.png")),
        ("llm.output_messages.0.message.role", json!("assistant")),
        ("llm.output_messages.0.message.content", json!("It is sunny in Paris today.")),
    ]);
    let read = prompt(&s);
    let raw = read.as_ref().and_then(|t| t.raw.clone()).unwrap_or_default();
    assert!(raw.contains("\"llm.input_messages.2.message.tool_call_id\": \"call_1\""), "{raw}");
    assert!(!raw.contains("llm.output_messages"), "the prompt's raw JSON holds the prompt only: {raw}");
    assert_eq!(
        turns(read),
        vec![
            user_text("What is the weather in Paris?"),
            turn(
                Role::Assistant,
                vec![Part::ToolCall {
                    id: Some("call_1".into()),
                    name: "get_weather".into(),
                    arguments: json!({"city": "Paris"})
                }]
            ),
            turn(
                Role::Tool,
                vec![Part::ToolResult { id: Some("call_1".into()), content: json!("It is sunny in Paris.") }]
            ),
            turn(
                Role::User,
                vec![Part::Json(json!({
                    "message_content.type": "image",
                    "message_content.image.image.url": "https://x.test/a.png"
                }))]
            ),
        ]
    );
    assert_eq!(
        turns(response(&s)),
        vec![turn(Role::Assistant, vec![Part::Text("It is sunny in Paris today.".into())])]
    );
}

#[test]
fn previews_and_engine_events_are_turns_too() {
    // Only previews: one turn of text each, the user's in the prompt, the model's in the response.
    let s = with(&[(PROMPT_PREVIEW, json!("Summarize: revenue up 12%")), (RESPONSE_PREVIEW, json!("Up 12%."))]);
    assert_eq!(turns(prompt(&s)), vec![user_text("Summarize: revenue up 12%")]);
    assert_eq!(turns(response(&s)), vec![turn(Role::Assistant, vec![Part::Text("Up 12%.".into())])]);

    // The Python engine's `message` events: LangChain roles read as the roles they mean; the event is the raw.
    let mut conversation = span("a", None, 0);
    conversation.events = vec![
        event(MESSAGE_EVENT, &[(ROLE, json!("human")), (PREVIEW, json!("Hello"))]),
        event(MESSAGE_EVENT, &[(ROLE, json!("ai")), (PREVIEW, json!("Hi, how can I help?"))]),
    ];
    let read = prompt(&conversation);
    assert!(read.as_ref().and_then(|t| t.raw.clone()).is_some_and(|raw| raw.contains("\"human\"")));
    assert_eq!(turns(read), vec![user_text("Hello")]);

    // Named inputs: one turn per input, named by it; JSON inputs as JSON.
    let mut named = span("a", None, 0);
    named.events = vec![event(PROMPT_EVENT, &[("question", json!("why?")), ("context", json!("{\"docs\": 2}"))])];
    assert_eq!(
        turns(prompt(&named)),
        vec![
            turn(Role::Other("context".into()), vec![Part::Json(json!({"docs": 2}))]),
            turn(Role::Other("question".into()), vec![Part::Text("why?".into())]),
        ]
    );

    // OpenInference's JSON input value is one JSON part.
    let valued = with(&[(INPUT_VALUE, json!("{\"question\":\"why\"}")), (INPUT_MIME_TYPE, json!("application/json"))]);
    assert_eq!(turns(prompt(&valued)), vec![turn(Role::User, vec![Part::Json(json!({"question": "why"}))])]);
}
