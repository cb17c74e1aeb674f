//! Model-call spans, recorded cheaply and expanded late. On the engine's thread a call's strings are copied once,
//! into one packed value per hook (request, response); the export stage expands them into the GenAI
//! semantic-convention attributes (messages as JSON, prompt and response previews) and the span's name before
//! redaction, the payload budget and any exporter. JSON and previews are thus built on the export thread, and the
//! engine's thread makes one allocation per hook for the call's text instead of one per value.
//!
//! Packed layout: fields in a fixed order, each as `<byte length>:<bytes>`.

use std::borrow::Cow;

use opentelemetry::{KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;
use serde::Serialize;

use crate::attrs;
use crate::calls::{LlmRequest, LlmResponse};

/// Internal attributes that the export stage replaces; no exporter ever sees them.
pub(crate) const PACKED_REQUEST: &str = "orcheo.internal.gen_ai.request";
pub(crate) const PACKED_RESPONSE: &str = "orcheo.internal.gen_ai.response";
/// The name of a model-call span until the stage names it `{operation} {model}`.
pub(crate) const PENDING_NAME: &str = "gen_ai";
/// Attributes the expansion adds beyond the two it replaces, reserved when the span starts.
pub(crate) const EXPANSION_ROOM: usize = 8;

/// First field: whether messages follow (prompt capture on).
const WITH_MESSAGES: &str = "m";
const WITHOUT_MESSAGES: &str = "-";

/// The request as one value: capture flag, operation, provider, model, then role and content of each message.
pub(crate) fn pack_request(request: &LlmRequest, capture_prompts: bool) -> StringValue {
    let flag = if capture_prompts { WITH_MESSAGES } else { WITHOUT_MESSAGES };
    let head = [flag, request.operation.as_str(), request.provider.as_str(), request.model.as_str()];
    let messages = if capture_prompts { request.messages.as_slice() } else { &[] };
    let len = head.iter().map(|f| packed_len(f)).sum::<usize>()
        + messages.iter().map(|m| packed_len(&m.role) + packed_len(&m.content)).sum::<usize>();
    // Exact size: the value becomes a `Box<str>` without reallocating.
    let mut out = String::with_capacity(len);
    for field in head {
        push_field(&mut out, field);
    }
    for message in messages {
        push_field(&mut out, &message.role);
        push_field(&mut out, &message.content);
    }
    StringValue::from(out)
}

/// The response as one value: capture flag, id, model, finish reason, then the message's role and content.
pub(crate) fn pack_response(response: &LlmResponse, capture_prompts: bool) -> StringValue {
    let flag = if capture_prompts { WITH_MESSAGES } else { WITHOUT_MESSAGES };
    let head = [flag, response.id.as_str(), response.model.as_str(), response.finish_reason.as_str()];
    let message = &response.message;
    let mut len = head.iter().map(|f| packed_len(f)).sum::<usize>();
    if capture_prompts {
        len += packed_len(&message.role) + packed_len(&message.content);
    }
    let mut out = String::with_capacity(len);
    for field in head {
        push_field(&mut out, field);
    }
    if capture_prompts {
        push_field(&mut out, &message.role);
        push_field(&mut out, &message.content);
    }
    StringValue::from(out)
}

fn packed_len(field: &str) -> usize {
    digits(field.len()) + 1 + field.len()
}

fn push_field(out: &mut String, field: &str) {
    push_decimal(out, field.len());
    out.push(':');
    out.push_str(field);
}

fn digits(mut n: usize) -> usize {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}

fn push_decimal(out: &mut String, n: usize) {
    let mut unit = 1;
    while unit <= n / 10 {
        unit *= 10;
    }
    while unit > 0 {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        unit /= 10;
    }
}

/// The fields of a packed value, in order; stops at the first malformed one.
struct Fields<'a>(&'a str);

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (len, rest) = self.0.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let field = rest.get(..len)?;
        self.0 = rest.get(len..)?;
        Some(field)
    }
}

/// Replaces a model-call span's packed values with the convention's attributes, in place, and names the span.
/// Other spans are left as they are.
pub(crate) fn expand(span: &mut SpanData) {
    if span.name != PENDING_NAME {
        return;
    }
    if let Some((i, packed)) = take_packed(span, PACKED_REQUEST) {
        let (name, expanded) = request_attributes(&packed.as_str());
        span.name = Cow::Owned(name);
        span.attributes.splice(i..=i, expanded);
    }
    if let Some((i, packed)) = take_packed(span, PACKED_RESPONSE) {
        span.attributes.splice(i..=i, response_attributes(&packed.as_str()));
    }
}

/// The index and value of `key`; the value is moved out (the attribute is about to be replaced).
fn take_packed(span: &mut SpanData, key: &str) -> Option<(usize, Value)> {
    let i = span.attributes.iter().position(|kv| kv.key.as_str() == key)?;
    let kv = span.attributes.get_mut(i)?;
    Some((i, std::mem::replace(&mut kv.value, Value::Bool(false))))
}

fn request_attributes(packed: &str) -> (String, Vec<KeyValue>) {
    let mut fields = Fields(packed);
    let with_messages = fields.next() == Some(WITH_MESSAGES);
    let operation = fields.next().unwrap_or_default();
    let provider = fields.next().unwrap_or_default();
    let model = fields.next().unwrap_or_default();
    let mut out = Vec::with_capacity(5);
    out.push(KeyValue::new(attrs::GEN_AI_OPERATION, operation.to_owned()));
    out.push(KeyValue::new(attrs::GEN_AI_PROVIDER, provider.to_owned()));
    out.push(KeyValue::new(attrs::GEN_AI_REQUEST_MODEL, model.to_owned()));
    if with_messages {
        let messages: Vec<(&str, &str)> = pairs(fields).collect();
        out.push(KeyValue::new(attrs::GEN_AI_INPUT_MESSAGES, messages_json(&messages, None)));
        // The prompt is the last user message, else the last message.
        let prompt = messages.iter().rev().find(|(role, _)| *role == "user").or(messages.last());
        if let Some((_, content)) = prompt {
            out.push(KeyValue::new(attrs::PROMPT_PREVIEW, (*content).to_owned()));
        }
    }
    (format!("{operation} {model}"), out)
}

fn response_attributes(packed: &str) -> Vec<KeyValue> {
    let mut fields = Fields(packed);
    let with_messages = fields.next() == Some(WITH_MESSAGES);
    let id = fields.next().unwrap_or_default();
    let model = fields.next().unwrap_or_default();
    let finish_reason = fields.next().unwrap_or_default();
    let reasons = vec![StringValue::from(finish_reason.to_owned())];
    let mut out = Vec::with_capacity(5);
    out.push(KeyValue::new(attrs::GEN_AI_RESPONSE_MODEL, model.to_owned()));
    out.push(KeyValue::new(attrs::GEN_AI_RESPONSE_ID, id.to_owned()));
    out.push(KeyValue::new(attrs::GEN_AI_FINISH_REASONS, Value::Array(reasons.into())));
    if with_messages && let Some(message) = pairs(fields).next() {
        out.push(KeyValue::new(attrs::GEN_AI_OUTPUT_MESSAGES, messages_json(&[message], Some(finish_reason))));
        out.push(KeyValue::new(attrs::RESPONSE_PREVIEW, message.1.to_owned()));
    }
    out
}

fn pairs<'a>(mut fields: Fields<'a>) -> impl Iterator<Item = (&'a str, &'a str)> {
    std::iter::from_fn(move || Some((fields.next()?, fields.next()?)))
}

/// One message in the GenAI convention's JSON shape: `{"role", "parts": [{"type": "text", "content"}]}`.
#[derive(Serialize)]
struct ConventionMessage<'a> {
    role: &'a str,
    parts: [TextPart<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    finish_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct TextPart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    content: &'a str,
}

fn messages_json(messages: &[(&str, &str)], finish_reason: Option<&str>) -> String {
    let items: Vec<ConventionMessage<'_>> = messages
        .iter()
        .map(|(role, content)| ConventionMessage { role, parts: [TextPart { kind: "text", content }], finish_reason })
        .collect();
    // Serializing borrowed strings into a String cannot fail.
    serde_json::to_string(&items).unwrap_or_default()
}

#[cfg(test)]
mod tests;
