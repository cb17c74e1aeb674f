//! A model call's prompt and response as a conversation (see `conversation`) and as text, from whichever
//! convention the sender used: GenAI messages (current `parts` and older `content` shapes; deprecated
//! `gen_ai.prompt`/`gen_ai.completion` as JSON, flattened, or on events; the per-message events), OpenInference
//! (`llm.input_messages.N.message.*`, `input.value`), Orcheo's Python events (`prompt`, `response`, `message`
//! with a `preview`), and our own previews. First match wins, in that order.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::wire::{Attributes, Span, SpanEvent};

use super::conversation::{Part, Role, Turn, indexed};
use super::names::*;
use super::{python_repr, str_attr};
use crate::facts::pretty;

/// A prompt or a response: the conversation when the span carries the messages, else the (redacted) preview as
/// one turn of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelText {
    /// The turns as plain text: one message alone is its text, several are `role: text` blocks.
    pub text: String,
    /// The producer cut the text before sending it (`orcheo.*.truncated`).
    pub truncated_at_source: bool,
    /// The turns, in order. A turn the sender gave no role is the user's in a prompt and the model's in a
    /// response.
    pub turns: Vec<Turn>,
    /// The attributes or event attributes the turns were read from, as pretty-printed JSON; `None` when the
    /// source is a plain text (a preview), which `text` then is.
    pub raw: Option<String>,
}

impl ModelText {
    fn whole(turns: Vec<Turn>, raw: Option<Value>) -> Option<Self> {
        let text = render(&turns);
        (!text.trim().is_empty()).then(|| Self {
            text,
            truncated_at_source: false,
            turns,
            raw: raw.map(|raw| pretty(&raw)),
        })
    }

    /// Roles the sender left out, from the side: a prompt's text is the user's, a response's the model's.
    fn with_default_role(mut self, role: Role) -> Self {
        for turn in self.turns.iter_mut().filter(|t| t.has_empty_role()) {
            turn.role = role.clone();
        }
        self
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
    if let (Some((list, raw)), Some(system)) = (messages.as_mut(), a.get(GEN_AI_SYSTEM_INSTRUCTIONS)) {
        list.insert(0, Turn::text("system", instructions(system)));
        if let Value::Object(raw) = raw {
            raw.insert(GEN_AI_SYSTEM_INSTRUCTIONS.to_owned(), system.clone());
        }
    }
    messages
        .and_then(|(list, raw)| ModelText::whole(list, Some(raw)))
        .or_else(|| per_message_events(&span.events, false))
        .or_else(|| orcheo_events(&span.events, &PROMPT))
        .or_else(|| preview(a, &PROMPT))
        .or_else(|| value(a, &PROMPT))
        .map(|text| text.with_default_role(Role::User))
}

pub fn response(span: &Span) -> Option<ModelText> {
    let a = &span.attributes;
    read(span, &RESPONSE)
        .and_then(|(list, raw)| ModelText::whole(list, Some(raw)))
        .or_else(|| per_message_events(&span.events, true))
        .or_else(|| orcheo_events(&span.events, &RESPONSE))
        .or_else(|| preview(a, &RESPONSE))
        .or_else(|| value(a, &RESPONSE))
        .map(|text| text.with_default_role(Role::Assistant))
}

/// The messages of one side from the message-list conventions, with the attributes they came from.
fn read(span: &Span, side: &Side) -> Option<(Vec<Turn>, Value)> {
    let a = &span.attributes;
    let source = |key: &str, value: &Value| super::object([(key.to_owned(), parsed(value))]);
    if let Some(value) = a.get(side.gen_ai_messages) {
        return Some((messages_of(value), source(side.gen_ai_messages, value)));
    }
    for prefix in [side.openinference_messages, side.deprecated] {
        let fields = flattened(a, prefix);
        if !fields.is_empty() {
            let turns = fields.values().map(Turn::from_fields).collect();
            return Some((turns, flattened_source(a, prefix)));
        }
    }
    if let Some(value) = a.get(side.deprecated) {
        return Some((messages_of(value), source(side.deprecated, value)));
    }
    let event = span.events.iter().find(|e| e.name == side.deprecated_event)?;
    event.attributes.get(side.deprecated).map(|value| (messages_of(value), source(side.deprecated, value)))
}

/// A JSON text as the JSON it holds, so that the raw view shows it indented rather than as one escaped string.
fn parsed(value: &Value) -> Value {
    match value {
        Value::String(text) => serde_json::from_str(text).unwrap_or_else(|_| value.clone()),
        other => other.clone(),
    }
}

/// The attributes under `{prefix}.` as one JSON object.
fn flattened_source(attributes: &Attributes, prefix: &str) -> Value {
    let start = format!("{prefix}.");
    super::object(
        attributes
            .range(start.clone()..)
            .take_while(|(k, _)| k.starts_with(&start))
            .map(|(k, v)| (k.clone(), v.clone())),
    )
}

/// Deprecated GenAI events, one per message: `gen_ai.{system,user,assistant,tool}.message` for the prompt,
/// `gen_ai.choice` for the response.
fn per_message_events(events: &[SpanEvent], choices: bool) -> Option<ModelText> {
    let (turns, sources): (Vec<Turn>, Vec<Value>) = events
        .iter()
        .filter_map(|event| {
            let role = if choices {
                (event.name == GEN_AI_CHOICE_EVENT).then_some("assistant")?
            } else {
                event.name.strip_prefix("gen_ai.")?.strip_suffix(".message")?
            };
            let body = event.attributes.get("message").or_else(|| event.attributes.get("content"))?;
            let mut turn = match body {
                Value::Object(_) => Turn::from_value(body),
                Value::String(text) => match serde_json::from_str::<Value>(text) {
                    Ok(parsed @ Value::Object(_)) => Turn::from_value(&parsed),
                    _ => Turn::text(role, text.clone()),
                },
                other => Turn::value(role, other),
            };
            if turn.has_empty_role() {
                turn.role = Role::parse(role);
            }
            Some((turn, event_source(event)))
        })
        .unzip();
    ModelText::whole(turns, Some(Value::Array(sources)))
}

/// An event as the raw view shows it: its name and attributes.
fn event_source(event: &SpanEvent) -> Value {
    serde_json::json!({ "name": event.name, "attributes": event.attributes })
}

/// The Python engine's `prompt`/`response` events (a `preview`, or one attribute per named input), with its
/// `message` events (`role`, `preview`) as the conversation: all of them for the prompt, the last reply from
/// the model for the response.
fn orcheo_events(events: &[SpanEvent], side: &Side) -> Option<ModelText> {
    let direct: Vec<&SpanEvent> = events.iter().filter(|e| e.name == side.orcheo_event).collect();
    let turns: Vec<Turn> = direct
        .iter()
        .flat_map(|e| match str_attr(&e.attributes, PREVIEW) {
            Some(text) => vec![Turn::text("", text.to_owned())],
            None => e.attributes.iter().map(|(key, value)| Turn::value(key, value)).collect(),
        })
        .collect();
    if !turns.is_empty() {
        return ModelText::whole(turns, Some(Value::Array(direct.into_iter().map(event_source).collect())));
    }
    let conversation = orcheo_conversation(events);
    let reply = conversation_reply(&conversation);
    let chosen: Vec<(Turn, Value)> = if side.orcheo_event == RESPONSE_EVENT {
        reply.map(|at| conversation[at].clone()).into_iter().collect()
    } else {
        conversation[..reply.unwrap_or(conversation.len())].to_vec()
    };
    let (turns, sources): (Vec<Turn>, Vec<Value>) = chosen.into_iter().unzip();
    ModelText::whole(turns, Some(Value::Array(sources)))
}

/// The Python engine's `message` events as turns (with the event each came from); a model's reply previewed as
/// its Python repr is read back to its content, with the role `assistant`.
fn orcheo_conversation(events: &[SpanEvent]) -> Vec<(Turn, Value)> {
    events
        .iter()
        .filter(|e| e.name == MESSAGE_EVENT)
        .filter_map(|e| {
            let text = str_attr(&e.attributes, PREVIEW)?;
            let turn = match python_repr::reply(text) {
                Some(reply) => Turn::text("assistant", reply.content),
                None => Turn::text(str_attr(&e.attributes, ROLE).unwrap_or("unknown"), text.to_owned()),
            };
            Some((turn, event_source(e)))
        })
        .collect()
}

/// Which message is the model's reply: the last one from the model, else — roles unknown, as the engine sends
/// LangChain's serialized messages — the last of a conversation of two or more.
fn conversation_reply(conversation: &[(Turn, Value)]) -> Option<usize> {
    let unknown = |(t, _): &(Turn, Value)| matches!(t.role.label(), "unknown" | "message");
    match conversation.iter().rposition(|(t, _)| t.role == Role::Assistant) {
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
    let turns = vec![Turn::text("", text.clone())];
    Some(ModelText { text, truncated_at_source, turns, raw: None })
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
    let turn = match value {
        Value::String(text) if !json => Turn::text("", text.clone()),
        other => Turn::value("", other),
    };
    ModelText::whole(vec![turn], None)
}

fn instructions(value: &Value) -> String {
    match value {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Array(_)) => instructions(&parsed),
            _ => text.clone(),
        },
        Value::Array(parts) => {
            parts.iter().filter_map(Part::from_value).map(|p| p.plain_text()).collect::<Vec<_>>().join("\n")
        }
        other => other.to_string(),
    }
}

/// A message list as the JSON array (or the JSON text of one) the GenAI conventions define.
fn messages_of(value: &Value) -> Vec<Turn> {
    match value {
        Value::Array(items) => items.iter().map(Turn::from_value).collect(),
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ (Value::Array(_) | Value::Object(_))) => messages_of(&parsed),
            _ => vec![Turn::text("", text.clone())],
        },
        Value::Object(_) => vec![Turn::from_value(value)],
        other => vec![Turn::value("", other)],
    }
}

/// The attributes `{prefix}.{N}.{rest}` grouped by N (in number order, not text order), each as `rest → value`.
fn flattened<'a>(attributes: &'a Attributes, prefix: &str) -> BTreeMap<usize, BTreeMap<&'a str, &'a Value>> {
    let start = format!("{prefix}.");
    let keys = attributes.range(start.clone()..).take_while(|(k, _)| k.starts_with(&start));
    indexed(keys.map(|(k, v)| (k.as_str(), v)), prefix)
}

/// One message alone is its text (its role is the side's); a conversation is one `role: text` block per message.
fn render(turns: &[Turn]) -> String {
    match turns {
        [only] => only.plain_text(),
        _ => turns
            .iter()
            .map(
                |t| if t.has_empty_role() { t.plain_text() } else { format!("{}: {}", t.role.label(), t.plain_text()) },
            )
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

#[cfg(test)]
mod tests;
