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

/// A pending model-call span with both packed values between other attributes, expanded.
fn expanded(request: &LlmRequest, response: &LlmResponse, capture: bool) -> SpanData {
    let mut span = span_data(
        1,
        vec![
            KeyValue::new("before", 1),
            KeyValue::new(PACKED_REQUEST, pack_request(request, capture)),
            KeyValue::new(PACKED_RESPONSE, pack_response(response, capture)),
            KeyValue::new("after", 2),
        ],
    );
    span.name = Cow::Borrowed(PENDING_NAME);
    expand(&mut span);
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
    // The packed values are gone, the neighbours kept in place.
    let keys: Vec<&str> = span.attributes.iter().map(|kv| kv.key.as_str()).collect();
    assert!(!keys.iter().any(|k| k.starts_with("orcheo.internal.")), "{keys:?}");
    assert_eq!((keys.first(), keys.last()), (Some(&"before"), Some(&"after")));
    assert_eq!(keys.len(), 2 + 5 + 5);
    Ok(())
}

#[test]
fn without_prompt_capture_no_message_text_is_packed_or_expanded() {
    let request = request(vec![Message::new("user", "secret plans")]);
    assert!(!pack_request(&request, false).as_str().contains("secret plans"));
    assert!(!pack_response(&response(), false).as_str().contains("naïve"));
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

#[test]
fn other_spans_are_untouched() {
    let attributes = vec![KeyValue::new(PACKED_REQUEST, "4:fake")];
    let mut span = span_data(1, attributes.clone());
    span.name = Cow::Borrowed("node gen_ai");
    expand(&mut span);
    assert_eq!((span.name.as_ref(), span.attributes), ("node gen_ai", attributes));
}

#[test]
fn packed_lengths_are_exact() {
    for n in [0, 9, 10, 99, 100, 12_345, usize::MAX] {
        let mut s = String::new();
        push_decimal(&mut s, n);
        assert_eq!((s.len(), s), (digits(n), n.to_string()));
    }
}
