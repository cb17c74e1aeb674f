use super::*;
use crate::calls::Message;
use crate::test_support::span_data;

fn request(messages: Vec<Message>) -> LlmRequest {
    LlmRequest {
        operation: "chat".to_owned(),
        provider: "orcheo.local".to_owned(),
        model: "local-mini".to_owned(),
        messages,
    }
}

fn response() -> LlmResponse {
    LlmResponse {
        id: "r-1".to_owned(),
        model: "local-mini-2".to_owned(),
        // Separators, digits and multi-byte text must come back unchanged.
        message: Message::new("assistant", "12:34 — naïve \"quoted\" 🙂\n:"),
        finish_reason: "stop".to_owned(),
        input_tokens: 3,
        output_tokens: 4,
    }
}

/// A model call's span with other attributes, expanded.
fn expanded(request: &LlmRequest, response: &LlmResponse, capture: bool) -> SpanData {
    let mut span = span_data(1, vec![KeyValue::new("before", 1), KeyValue::new("after", 2)]);
    let call = ModelCall {
        request: ModelRequest::new(request, capture),
        response: Some(ModelResponse::new(response, capture)),
    };
    expand(&mut span, &call);
    span
}

fn get<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes.iter().find(|kv| kv.key.as_str() == key).map(|kv| &kv.value)
}

fn text(span: &SpanData, key: &str) -> String {
    get(span, key).map(|v| v.as_str().into_owned()).unwrap_or_default()
}

#[test]
fn expansion_writes_the_convention_attributes_and_the_name() -> serde_json::Result<()> {
    let request = request(vec![
        Message::new("system", "Be brief."),
        Message::new("user", "Summarize: a:b 10:20 ünïcödé"),
        Message::new("assistant", "Earlier answer"),
    ]);
    let span = expanded(&request, &response(), true);
    assert_eq!(span.name, "chat local-mini");
    assert_eq!(text(&span, attrs::GEN_AI_OPERATION), "chat");
    assert_eq!(text(&span, attrs::GEN_AI_PROVIDER), "orcheo.local");
    assert_eq!(text(&span, attrs::GEN_AI_REQUEST_MODEL), "local-mini");
    assert_eq!(text(&span, attrs::GEN_AI_RESPONSE_MODEL), "local-mini-2");
    assert_eq!(text(&span, attrs::GEN_AI_RESPONSE_ID), "r-1");
    assert_eq!(get(&span, attrs::GEN_AI_FINISH_REASONS), Some(&Value::Array(vec![StringValue::from("stop")].into())));
    // The prompt preview is the last user message, not the last message.
    assert_eq!(text(&span, attrs::PROMPT_PREVIEW), "Summarize: a:b 10:20 ünïcödé");
    assert_eq!(text(&span, attrs::RESPONSE_PREVIEW), response().message.content);
    let input: serde_json::Value = serde_json::from_str(&text(&span, attrs::GEN_AI_INPUT_MESSAGES))?;
    assert_eq!(
        input,
        serde_json::json!([
            {"role": "system", "parts": [{"type": "text", "content": "Be brief."}]},
            {"role": "user", "parts": [{"type": "text", "content": "Summarize: a:b 10:20 ünïcödé"}]},
            {"role": "assistant", "parts": [{"type": "text", "content": "Earlier answer"}]},
        ])
    );
    let output: serde_json::Value = serde_json::from_str(&text(&span, attrs::GEN_AI_OUTPUT_MESSAGES))?;
    assert_eq!(
        output,
        serde_json::json!([{
            "role": "assistant",
            "parts": [{"type": "text", "content": response().message.content}],
            "finish_reason": "stop",
        }])
    );
    // Added after what the span had; no more than the room the tracer reserves.
    let keys: Vec<&str> = span.attributes.iter().map(|kv| kv.key.as_str()).collect();
    assert_eq!(keys.get(..2), Some(&["before", "after"][..]));
    assert_eq!(keys.len(), 2 + EXPANDED_ATTRIBUTES);
    Ok(())
}

#[test]
fn without_prompt_capture_no_message_text_is_copied_or_expanded() {
    let request = request(vec![Message::new("user", "secret plans")]);
    assert!(!format!("{:?}", ModelRequest::new(&request, false)).contains("secret plans"));
    assert!(!format!("{:?}", ModelResponse::new(&response(), false)).contains("naïve"));
    let span = expanded(&request, &response(), false);
    assert_eq!(span.name, "chat local-mini");
    for key in
        [attrs::GEN_AI_INPUT_MESSAGES, attrs::GEN_AI_OUTPUT_MESSAGES, attrs::PROMPT_PREVIEW, attrs::RESPONSE_PREVIEW]
    {
        assert!(get(&span, key).is_none(), "{key}");
    }
    assert_eq!(text(&span, attrs::GEN_AI_RESPONSE_ID), "r-1");
    assert_eq!(span.attributes.len(), 2 + 3 + 3);
}

#[test]
fn no_messages_give_an_empty_list_and_no_preview() {
    let span = expanded(&request(vec![]), &response(), true);
    assert_eq!(text(&span, attrs::GEN_AI_INPUT_MESSAGES), "[]");
    assert!(get(&span, attrs::PROMPT_PREVIEW).is_none());
}

#[test]
fn the_last_message_is_the_prompt_when_no_user_spoke() {
    let span = expanded(&request(vec![Message::new("system", "a"), Message::new("tool", "b")]), &response(), true);
    assert_eq!(text(&span, attrs::PROMPT_PREVIEW), "b");
}

/// A call that failed or was cancelled has no response: only the request's attributes.
#[test]
fn a_call_without_a_response_gets_the_request_attributes() {
    let mut span = span_data(1, vec![]);
    let call =
        ModelCall { request: ModelRequest::new(&request(vec![Message::new("user", "hi")]), true), response: None };
    expand(&mut span, &call);
    let keys: Vec<&str> = span.attributes.iter().map(|kv| kv.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            attrs::GEN_AI_OPERATION,
            attrs::GEN_AI_PROVIDER,
            attrs::GEN_AI_REQUEST_MODEL,
            attrs::GEN_AI_INPUT_MESSAGES,
            attrs::PROMPT_PREVIEW
        ]
    );
}

/// Field boundaries survive any text: separators and digits inside a field, empty fields, multi-byte text.
#[test]
fn fields_come_back_as_they_were_copied() {
    let fields = ["", "12:34", ":", "0:", "naïve 🙂", &"x".repeat(1_000)];
    let mut copied = Fields::builder(fields.iter().map(|f| field_len(f)).sum());
    for field in fields {
        copied.push(field);
    }
    let copied = copied.done();
    assert_eq!(copied.iter().collect::<Vec<_>>(), fields);
}

#[test]
fn decimal_lengths_are_exact() {
    for n in [0, 9, 10, 99, 100, 12_345, usize::MAX] {
        let mut s = String::new();
        push_decimal(&mut s, n);
        assert_eq!((s.len(), s), (digits(n), n.to_string()));
    }
}
