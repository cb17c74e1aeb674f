//! A model call's prompt and response as readable text, from whichever convention the sender used:
//! GenAI messages (current `parts` and older `content` shapes; deprecated `gen_ai.prompt`/`gen_ai.completion`
//! as JSON, flattened, or on events; the per-message events), OpenInference (`llm.input_messages.N.message.*`,
//! `input.value`), Orcheo's Python events (`prompt`, `response`, `message` with a `preview`), and our own
//! previews. First match wins, in that order.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::wire::{Attributes, Span, SpanEvent};

use super::names::*;
use super::{python_repr, str_attr};
use crate::facts::pretty;

/// A prompt or a response: the full text when the span carries the messages, else the (redacted) preview.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelText {
    pub text: String,
    /// The producer cut the text before sending it (`orcheo.*.truncated`).
    pub truncated_at_source: bool,
}

impl ModelText {
    fn whole(text: String) -> Option<Self> {
        (!text.trim().is_empty()).then_some(Self { text, truncated_at_source: false })
    }
}

/// One side of a model call, named by each convention.
struct Side {
    gen_ai_messages: &'static str,
    openinference_messages: &'static str,
    deprecated: &'static str,
    deprecated_event: &'static str,
    orcheo_event: &'static str,
    preview: &'static str,
    truncated: &'static str,
    value: &'static str,
    mime_type: &'static str,
}

const PROMPT: Side = Side {
    gen_ai_messages: GEN_AI_INPUT_MESSAGES,
    openinference_messages: LLM_INPUT_MESSAGES,
    deprecated: GEN_AI_PROMPT,
    deprecated_event: GEN_AI_CONTENT_PROMPT_EVENT,
    orcheo_event: PROMPT_EVENT,
    preview: PROMPT_PREVIEW,
    truncated: PROMPT_TRUNCATED,
    value: INPUT_VALUE,
    mime_type: INPUT_MIME_TYPE,
};

const RESPONSE: Side = Side {
    gen_ai_messages: GEN_AI_OUTPUT_MESSAGES,
    openinference_messages: LLM_OUTPUT_MESSAGES,
    deprecated: GEN_AI_COMPLETION,
    deprecated_event: GEN_AI_CONTENT_COMPLETION_EVENT,
    orcheo_event: RESPONSE_EVENT,
    preview: RESPONSE_PREVIEW,
    truncated: RESPONSE_TRUNCATED,
    value: OUTPUT_VALUE,
    mime_type: OUTPUT_MIME_TYPE,
};

pub fn prompt(span: &Span) -> Option<ModelText> {
    let a = &span.attributes;
    let mut messages = read(span, &PROMPT);
    if let (Some(list), Some(system)) = (messages.as_mut(), a.get(GEN_AI_SYSTEM_INSTRUCTIONS)) {
        list.insert(0, Message::text("system", instructions(system)));
    }
    messages
        .map(|list| render(&list))
        .and_then(ModelText::whole)
        .or_else(|| per_message_events(&span.events, false))
        .or_else(|| orcheo_events(&span.events, &PROMPT))
        .or_else(|| preview(a, &PROMPT))
        .or_else(|| value(a, &PROMPT))
}

pub fn response(span: &Span) -> Option<ModelText> {
    let a = &span.attributes;
    read(span, &RESPONSE)
        .map(|list| render(&list))
        .and_then(ModelText::whole)
        .or_else(|| per_message_events(&span.events, true))
        .or_else(|| orcheo_events(&span.events, &RESPONSE))
        .or_else(|| preview(a, &RESPONSE))
        .or_else(|| value(a, &RESPONSE))
}

/// The messages of one side from the message-list conventions.
fn read(span: &Span, side: &Side) -> Option<Vec<Message>> {
    let a = &span.attributes;
    if let Some(value) = a.get(side.gen_ai_messages) {
        return Some(messages_of(value));
    }
    let openinference = flattened(a, side.openinference_messages);
    if !openinference.is_empty() {
        return Some(openinference.values().map(|fields| Message::from_fields(fields)).collect());
    }
    let deprecated = flattened(a, side.deprecated);
    if !deprecated.is_empty() {
        return Some(deprecated.values().map(|fields| Message::from_fields(fields)).collect());
    }
    if let Some(value) = a.get(side.deprecated) {
        return Some(messages_of(value));
    }
    let event = span.events.iter().find(|e| e.name == side.deprecated_event)?;
    event.attributes.get(side.deprecated).map(messages_of)
}

/// Deprecated GenAI events, one per message: `gen_ai.{system,user,assistant,tool}.message` for the prompt,
/// `gen_ai.choice` for the response.
fn per_message_events(events: &[SpanEvent], choices: bool) -> Option<ModelText> {
    let messages: Vec<Message> = events
        .iter()
        .filter_map(|event| {
            let role = if choices {
                (event.name == GEN_AI_CHOICE_EVENT).then_some("assistant")?
            } else {
                event.name.strip_prefix("gen_ai.")?.strip_suffix(".message")?
            };
            let body = event.attributes.get("message").or_else(|| event.attributes.get("content"))?;
            let mut message = match body {
                Value::Object(_) => Message::from_value(body),
                Value::String(text) => match serde_json::from_str::<Value>(text) {
                    Ok(parsed @ Value::Object(_)) => Message::from_value(&parsed),
                    _ => Message::text(role, text.clone()),
                },
                other => Message::text(role, other.to_string()),
            };
            if message.role.is_empty() {
                role.clone_into(&mut message.role);
            }
            Some(message)
        })
        .collect();
    ModelText::whole(render(&messages))
}

/// The Python engine's `prompt`/`response` events (a `preview`, or one attribute per named input), with its
/// `message` events (`role`, `preview`) as the conversation: all of them for the prompt, the last reply from
/// the model for the response.
fn orcheo_events(events: &[SpanEvent], side: &Side) -> Option<ModelText> {
    let direct: Vec<Message> = events
        .iter()
        .filter(|e| e.name == side.orcheo_event)
        .flat_map(|e| {
            let preview = str_attr(&e.attributes, PREVIEW);
            let named = e.attributes.iter().map(|(key, value)| Message::text(key, pretty(value)));
            match preview {
                Some(text) => vec![Message::text("", text.to_owned())],
                None => named.collect(),
            }
        })
        .collect();
    if !direct.is_empty() {
        return ModelText::whole(render(&direct));
    }
    let conversation = orcheo_conversation(events);
    let reply = conversation_reply(&conversation);
    let chosen: Vec<Message> = if side.orcheo_event == RESPONSE_EVENT {
        reply.map(|at| conversation[at].clone()).into_iter().collect()
    } else {
        conversation[..reply.unwrap_or(conversation.len())].to_vec()
    };
    ModelText::whole(render(&chosen))
}

/// The Python engine's `message` events as messages; a model's reply previewed as its Python repr is read back
/// to its content, with the role `assistant`.
fn orcheo_conversation(events: &[SpanEvent]) -> Vec<Message> {
    events
        .iter()
        .filter(|e| e.name == MESSAGE_EVENT)
        .filter_map(|e| {
            let text = str_attr(&e.attributes, PREVIEW)?;
            Some(match python_repr::reply(text) {
                Some(reply) => Message::text("assistant", reply.content),
                None => Message::text(str_attr(&e.attributes, ROLE).unwrap_or("unknown"), text.to_owned()),
            })
        })
        .collect()
}

/// Which message is the model's reply: the last one from the model, else — roles unknown, as the engine sends
/// LangChain's serialized messages — the last of a conversation of two or more.
fn conversation_reply(conversation: &[Message]) -> Option<usize> {
    let is_reply = |m: &Message| matches!(m.role.as_str(), "ai" | "assistant" | "AIMessage");
    let unknown = |m: &Message| matches!(m.role.as_str(), "unknown" | "message");
    match conversation.iter().rposition(is_reply) {
        Some(at) => Some(at),
        None if conversation.len() >= 2 && conversation.last().is_some_and(unknown) => Some(conversation.len() - 1),
        None => None,
    }
}

/// Whether a node span of the Python engine carries a model's reply (its only sign of a model call when the
/// engine's model metadata does not reach the span).
pub(super) fn has_model_reply(events: &[SpanEvent]) -> bool {
    events
        .iter()
        .filter(|e| e.name == MESSAGE_EVENT)
        .any(|e| str_attr(&e.attributes, PREVIEW).and_then(python_repr::reply).is_some())
}

/// Our instrumentation's redacted previews, with the flag it sets when it cut them.
fn preview(attributes: &Attributes, side: &Side) -> Option<ModelText> {
    let text = str_attr(attributes, side.preview)?.to_owned();
    let truncated_at_source = match attributes.get(side.truncated) {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(flag)) => flag == "true",
        _ => false,
    };
    Some(ModelText { text, truncated_at_source })
}

/// The prompt (`input`) or response read from `input.value` / `output.value` alone: the text a node's In and Out
/// already show.
pub fn value_text(attributes: &Attributes, input: bool) -> Option<ModelText> {
    value(attributes, if input { &PROMPT } else { &RESPONSE })
}

/// OpenInference's `input.value` / `output.value`: JSON pretty-printed when its mime type says so.
fn value(attributes: &Attributes, side: &Side) -> Option<ModelText> {
    let value = attributes.get(side.value)?;
    let json = str_attr(attributes, side.mime_type).is_some_and(|m| m.contains("json"));
    let text = match value {
        Value::String(text) if !json => text.clone(),
        other => pretty(other),
    };
    ModelText::whole(text)
}

fn instructions(value: &Value) -> String {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Array(_)) => instructions(&parsed),
            _ => text.clone(),
        },
        Value::Array(parts) => {
            parts.iter().filter_map(|p| Part::from_value(p).map(|p| p.render())).collect::<Vec<_>>().join("\n")
        }
        other => other.to_string(),
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Message {
    role: String,
    parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    ToolCall { name: String, arguments: String },
    ToolResult(String),
}

impl Part {
    fn render(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::ToolCall { name, arguments } => format!("→ {name}({arguments})"),
            Self::ToolResult(content) => format!("← {content}"),
        }
    }

    /// A GenAI part: `{"type": "text", "content"}`, `{"type": "tool_call", "name", "arguments"}`,
    /// `{"type": "tool_call_response", "response"}`; a bare string is text.
    fn from_value(value: &Value) -> Option<Self> {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match value {
            Value::String(s) => Some(Self::Text(s.clone())),
            Value::Object(fields) => match fields.get("type").and_then(Value::as_str) {
                Some("tool_call") => Some(Self::ToolCall {
                    name: fields.get("name").map(text).unwrap_or_default(),
                    arguments: fields.get("arguments").map(text).unwrap_or_default(),
                }),
                Some("tool_call_response") => fields.get("response").map(|r| Self::ToolResult(text(r))),
                _ => fields.get("content").or_else(|| fields.get("text")).map(|c| Self::Text(text(c))),
            },
            _ => None,
        }
    }
}

impl Message {
    fn text(role: &str, text: String) -> Self {
        Self { role: role.to_owned(), parts: vec![Part::Text(text)] }
    }

    /// `{"role", "parts": […]}` (current GenAI), `{"role", "content", "tool_calls"}` (older and chat-API
    /// shapes), or an old completion choice `{"message": {…}}`.
    fn from_value(value: &Value) -> Self {
        let Value::Object(fields) = value else {
            return Self::text("", pretty(value));
        };
        if let Some(inner @ Value::Object(_)) = fields.get("message") {
            return Self::from_value(inner);
        }
        let role = fields.get("role").and_then(Value::as_str).unwrap_or_default().to_owned();
        let mut parts: Vec<Part> = match (fields.get("parts"), fields.get("content")) {
            (Some(Value::Array(parts)), _) => parts.iter().filter_map(Part::from_value).collect(),
            (_, Some(Value::Array(parts))) => parts.iter().filter_map(Part::from_value).collect(),
            (_, Some(Value::String(text))) => vec![Part::Text(text.clone())],
            (_, Some(other)) if !other.is_null() => vec![Part::Text(other.to_string())],
            _ => vec![],
        };
        if let Some(Value::Array(calls)) = fields.get("tool_calls") {
            parts.extend(calls.iter().map(|call| {
                let function = call.get("function").unwrap_or(call);
                let text = |key: &str| match function.get(key) {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                Part::ToolCall { name: text("name"), arguments: text("arguments") }
            }));
        }
        Self { role, parts }
    }

    /// A flattened message: `role`, `content`, and indexed `contents` and `tool_calls`, with or without
    /// OpenInference's `message.` / `message_content.` / `tool_call.function.` prefixes.
    fn from_fields(fields: &BTreeMap<&str, &Value>) -> Self {
        let get = |keys: &[&str]| keys.iter().find_map(|k| fields.get(k)).map(|v| scalar_text(v));
        let role = get(&["message.role", "role"]).unwrap_or_default();
        let mut parts = Vec::new();
        if let Some(text) = get(&["message.content", "content"]) {
            parts.push(Part::Text(text));
        }
        for (_, content) in indexed(fields.iter().map(|(k, v)| (*k, *v)), "message.contents") {
            let text = ["message_content.text", "text"].iter().find_map(|k| content.get(k)).and_then(|v| v.as_str());
            if let Some(text) = text {
                parts.push(Part::Text(text.to_owned()));
            }
        }
        for prefix in ["message.tool_calls", "tool_calls"] {
            for (_, call) in indexed(fields.iter().map(|(k, v)| (*k, *v)), prefix) {
                let text = |keys: &[&str]| keys.iter().find_map(|k| call.get(k)).map(|v| scalar_text(v));
                parts.push(Part::ToolCall {
                    name: text(&["tool_call.function.name", "name"]).unwrap_or_default(),
                    arguments: text(&["tool_call.function.arguments", "arguments"]).unwrap_or_default(),
                });
            }
        }
        Self { role, parts }
    }
}

/// A string as it is, any other value as JSON.
fn scalar_text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

/// A message list as the JSON array (or the JSON text of one) the GenAI conventions define.
fn messages_of(value: &Value) -> Vec<Message> {
    match value {
        Value::Array(items) => items.iter().map(Message::from_value).collect(),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ (Value::Array(_) | Value::Object(_))) => messages_of(&parsed),
            _ => vec![Message::text("", text.clone())],
        },
        Value::Object(_) => vec![Message::from_value(value)],
        other => vec![Message::text("", other.to_string())],
    }
}

/// The attributes `{prefix}.{N}.{rest}` grouped by N (in number order, not text order), each as `rest → value`.
fn flattened<'a>(attributes: &'a Attributes, prefix: &str) -> BTreeMap<usize, BTreeMap<&'a str, &'a Value>> {
    let start = format!("{prefix}.");
    let keys = attributes.range(start.clone()..).take_while(|(k, _)| k.starts_with(&start));
    indexed(keys.map(|(k, v)| (k.as_str(), v)), prefix)
}

fn indexed<'a>(
    fields: impl Iterator<Item = (&'a str, &'a Value)>,
    prefix: &str,
) -> BTreeMap<usize, BTreeMap<&'a str, &'a Value>> {
    let mut out: BTreeMap<usize, BTreeMap<&'a str, &'a Value>> = BTreeMap::new();
    for (key, value) in fields {
        let Some(rest) = key.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) else { continue };
        let Some((index, field)) = rest.split_once('.') else { continue };
        if let Ok(index) = index.parse::<usize>() {
            out.entry(index).or_default().insert(field, value);
        }
    }
    out
}

/// One message alone is its text (its role is the side's); a conversation is one `role: text` block per message.
fn render(messages: &[Message]) -> String {
    let body = |m: &Message| m.parts.iter().map(Part::render).collect::<Vec<_>>().join("\n");
    match messages {
        [only] => body(only),
        _ => messages
            .iter()
            .map(|m| if m.role.is_empty() { body(m) } else { format!("{}: {}", m.role, body(m)) })
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

#[cfg(test)]
mod tests;
