//! Model calls, recorded cheaply and expanded late. On the engine's thread the tracer copies a call's text once per
//! hook, into a [`ModelRequest`] and a [`ModelResponse`], and hands them to the export stage beside the span as a
//! [`ModelCall`] (`crate::export::stage::end_model_call`), never as attributes. The stage [`expand`]s them into the
//! span's name and the GenAI semantic-convention attributes (messages as JSON, prompt and response previews) before
//! redaction, the payload budget and any exporter. Name, JSON and previews are thus built on the export thread, and
//! the engine's thread makes one allocation per hook for the call's text instead of one per value.

use std::borrow::Cow;

use opentelemetry::{KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;
use serde::Serialize;

use crate::attrs;
use crate::calls::{LlmRequest, LlmResponse};

/// Attributes the expansion adds at most: five from the request, five from the response.
pub(crate) const EXPANDED_ATTRIBUTES: usize = 10;

/// What the tracer knows of a model call when its span ends (or, for an open copy, when it starts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModelCall {
    pub request: ModelRequest,
    /// None while the call runs, and when it failed or was cancelled.
    pub response: Option<ModelResponse>,
}

/// A request's text: operation, provider and model, then the role and content of each message when prompts are
/// captured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModelRequest {
    fields: Fields,
    with_messages: bool,
}

/// A response's text: id, model and finish reason, then the message's role and content when prompts are captured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ModelResponse {
    fields: Fields,
    with_message: bool,
}

impl ModelRequest {
    pub fn new(request: &LlmRequest, capture_prompts: bool) -> Self {
        let head = [request.operation.as_str(), request.provider.as_str(), request.model.as_str()];
        let messages = if capture_prompts { request.messages.as_slice() } else { &[] };
        let len = head.iter().map(|f| field_len(f)).sum::<usize>()
            + messages.iter().map(|m| field_len(&m.role) + field_len(&m.content)).sum::<usize>();
        let mut fields = Fields::builder(len);
        for field in head {
            fields.push(field);
        }
        for message in messages {
            fields.push(&message.role);
            fields.push(&message.content);
        }
        Self { fields: fields.done(), with_messages: capture_prompts }
    }

    /// The span's name in the GenAI convention: `{operation} {model}`.
    fn span_name(&self) -> String {
        let mut fields = self.fields.iter();
        let operation = fields.next().unwrap_or_default();
        let model = fields.nth(1).unwrap_or_default();
        format!("{operation} {model}")
    }

    /// The convention's request attributes.
    fn attributes(&self, out: &mut Vec<KeyValue>) {
        let mut fields = self.fields.iter();
        let operation = fields.next().unwrap_or_default();
        let provider = fields.next().unwrap_or_default();
        let model = fields.next().unwrap_or_default();
        out.push(KeyValue::new(attrs::GEN_AI_OPERATION, operation.to_owned()));
        out.push(KeyValue::new(attrs::GEN_AI_PROVIDER, provider.to_owned()));
        out.push(KeyValue::new(attrs::GEN_AI_REQUEST_MODEL, model.to_owned()));
        if self.with_messages {
            let messages: Vec<(&str, &str)> = pairs(fields).collect();
            out.push(KeyValue::new(attrs::GEN_AI_INPUT_MESSAGES, messages_json(&messages, None)));
            // The prompt is the last user message, else the last message.
            let prompt = messages.iter().rev().find(|(role, _)| *role == "user").or(messages.last());
            if let Some((_, content)) = prompt {
                out.push(KeyValue::new(attrs::PROMPT_PREVIEW, (*content).to_owned()));
            }
        }
    }
}

impl ModelResponse {
    pub fn new(response: &LlmResponse, capture_prompts: bool) -> Self {
        let head = [response.id.as_str(), response.model.as_str(), response.finish_reason.as_str()];
        let message = &response.message;
        let mut len = head.iter().map(|f| field_len(f)).sum::<usize>();
        if capture_prompts {
            len += field_len(&message.role) + field_len(&message.content);
        }
        let mut fields = Fields::builder(len);
        for field in head {
            fields.push(field);
        }
        if capture_prompts {
            fields.push(&message.role);
            fields.push(&message.content);
        }
        Self { fields: fields.done(), with_message: capture_prompts }
    }

    /// The convention's response attributes.
    fn attributes(&self, out: &mut Vec<KeyValue>) {
        let mut fields = self.fields.iter();
        let id = fields.next().unwrap_or_default();
        let model = fields.next().unwrap_or_default();
        let finish_reason = fields.next().unwrap_or_default();
        let reasons = vec![StringValue::from(finish_reason.to_owned())];
        out.push(KeyValue::new(attrs::GEN_AI_RESPONSE_MODEL, model.to_owned()));
        out.push(KeyValue::new(attrs::GEN_AI_RESPONSE_ID, id.to_owned()));
        out.push(KeyValue::new(attrs::GEN_AI_FINISH_REASONS, Value::Array(reasons.into())));
        if self.with_message
            && let Some(message) = pairs(fields).next()
        {
            out.push(KeyValue::new(attrs::GEN_AI_OUTPUT_MESSAGES, messages_json(&[message], Some(finish_reason))));
            out.push(KeyValue::new(attrs::RESPONSE_PREVIEW, message.1.to_owned()));
        }
    }
}

/// Names a model call's span and adds the convention's attributes to it.
pub(crate) fn expand(span: &mut SpanData, call: &ModelCall) {
    span.name = Cow::Owned(call.request.span_name());
    span.attributes.reserve(EXPANDED_ATTRIBUTES);
    call.request.attributes(&mut span.attributes);
    if let Some(response) = &call.response {
        response.attributes(&mut span.attributes);
    }
}

/// Strings copied into one buffer, each as `<byte length>:<bytes>`: one allocation however many there are.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Fields(Box<str>);

/// A [`Fields`] being written, sized exactly from the start.
struct FieldsBuilder(String);

impl Fields {
    fn builder(len: usize) -> FieldsBuilder {
        FieldsBuilder(String::with_capacity(len))
    }

    fn iter(&self) -> FieldIter<'_> {
        FieldIter(&self.0)
    }
}

impl FieldsBuilder {
    fn push(&mut self, field: &str) {
        push_decimal(&mut self.0, field.len());
        self.0.push(':');
        self.0.push_str(field);
    }

    /// Exact size: the buffer becomes a `Box<str>` without reallocating.
    fn done(self) -> Fields {
        Fields(self.0.into_boxed_str())
    }
}

/// The room one field takes in a [`Fields`] buffer.
fn field_len(field: &str) -> usize {
    digits(field.len()) + 1 + field.len()
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

/// The fields in order. The buffer is only ever written by [`FieldsBuilder`], so none is malformed; were one, the
/// iteration would stop there.
struct FieldIter<'a>(&'a str);

impl<'a> Iterator for FieldIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (len, rest) = self.0.split_once(':')?;
        let len: usize = len.parse().ok()?;
        let field = rest.get(..len)?;
        self.0 = rest.get(len..)?;
        Some(field)
    }
}

fn pairs<'a>(mut fields: FieldIter<'a>) -> impl Iterator<Item = (&'a str, &'a str)> {
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
