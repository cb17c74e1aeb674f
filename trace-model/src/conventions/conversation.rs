//! A model call's messages as a conversation: turns with a role and typed parts (text, tool calls, tool
//! results, JSON), read from the GenAI message shapes (`parts` and the older `content`), the chat-API shape, and
//! OpenInference's flattened message attributes. `messages` picks the source; this module reads one message.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::facts::pretty;

/// Who a turn is from. Senders' own names for the same role (`human`, `ai`, `AIMessage`, `function`) are read
/// as the role they mean; any other name is kept as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
    /// A role outside the four (`developer`, a named input, …), or none (empty).
    Other(String),
}

impl Role {
    pub fn parse(name: &str) -> Self {
        match name {
            "system" | "SystemMessage" => Self::System,
            "user" | "human" | "HumanMessage" => Self::User,
            "assistant" | "ai" | "model" | "AIMessage" | "AIMessageChunk" => Self::Assistant,
            "tool" | "function" | "ToolMessage" | "FunctionMessage" => Self::Tool,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The role's name as shown: one of the four, else the sender's name.
    pub fn label(&self) -> &str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
            Self::Tool => "tool",
            Self::Other(name) => name,
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Self::Other(name) if name.is_empty())
    }
}

/// One piece of a turn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text as the sender wrote it (often Markdown).
    Text(String),
    /// The model asks for a tool; `arguments` is JSON (a JSON text is parsed; anything else stays a string).
    ToolCall { id: Option<String>, name: String, arguments: Value },
    /// A tool's answer to the call with `id`.
    ToolResult { id: Option<String>, content: Value },
    /// Any other part (an image reference, a structured input, a JSON value), as sent.
    Json(Value),
}

impl Part {
    /// The part as one line of plain text: what the copy buttons and the flattened text use.
    pub fn plain_text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::ToolCall { name, arguments, .. } => format!("→ {name}({})", scalar_text(arguments)),
            Self::ToolResult { content, .. } => format!("← {}", scalar_text(content)),
            Self::Json(value) => pretty(value),
        }
    }

    /// A GenAI part: `{"type": "text", "content"}`, `{"type": "tool_call", "id", "name", "arguments"}`,
    /// `{"type": "tool_call_response", "id", "response"}`; chat-API content parts (`{"type": "text", "text"}`);
    /// a bare string is text; any other part is kept as JSON.
    pub(super) fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::String(s) => Some(Self::Text(s.clone())),
            Value::Null => None,
            Value::Object(fields) => Some(match fields.get("type").and_then(Value::as_str) {
                Some("tool_call") | Some("function_call") => Self::ToolCall {
                    id: id_of(fields.get("id").or_else(|| fields.get("call_id"))),
                    name: fields.get("name").map(scalar_text).unwrap_or_default(),
                    arguments: fields.get("arguments").map(json_of).unwrap_or(Value::Null),
                },
                Some("tool_call_response") | Some("function_call_output") => Self::ToolResult {
                    id: id_of(fields.get("id").or_else(|| fields.get("call_id"))),
                    content: fields
                        .get("response")
                        .or_else(|| fields.get("output"))
                        .map(json_of)
                        .unwrap_or(Value::Null),
                },
                None | Some("text") | Some("reasoning") => match fields.get("content").or_else(|| fields.get("text")) {
                    Some(Value::String(text)) => Self::Text(text.clone()),
                    _ => Self::Json(value.clone()),
                },
                Some(_) => Self::Json(value.clone()),
            }),
            other => Some(Self::Json(other.clone())),
        }
    }
}

/// One message of a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Turn {
    pub role: Role,
    pub parts: Vec<Part>,
}

impl Turn {
    pub(super) fn text(role: &str, text: String) -> Self {
        Self { role: Role::parse(role), parts: vec![Part::Text(text)] }
    }

    /// A value that may hold JSON: a string stays text unless it is a JSON object or array, which (like any
    /// other JSON) becomes a JSON part.
    pub(super) fn value(role: &str, value: &Value) -> Self {
        let part = match json_of(value) {
            Value::String(text) => Part::Text(text),
            json => Part::Json(json),
        };
        Self { role: Role::parse(role), parts: vec![part] }
    }

    /// The turn's parts as plain text, one per line.
    pub fn plain_text(&self) -> String {
        self.parts.iter().map(Part::plain_text).collect::<Vec<_>>().join("\n")
    }

    pub(super) fn has_empty_role(&self) -> bool {
        self.role.is_empty()
    }

    /// `{"role", "parts": […]}` (current GenAI), `{"role", "content", "tool_calls", "tool_call_id"}` (older
    /// GenAI and chat-API shapes), or an old completion choice `{"message": {…}}`.
    pub(super) fn from_value(value: &Value) -> Self {
        let Value::Object(fields) = value else {
            return Self::value("", value);
        };
        if let Some(inner @ Value::Object(_)) = fields.get("message") {
            return Self::from_value(inner);
        }
        let role = Role::parse(fields.get("role").and_then(Value::as_str).unwrap_or_default());
        let mut parts: Vec<Part> = match (fields.get("parts"), fields.get("content")) {
            (Some(Value::Array(parts)), _) => parts.iter().filter_map(Part::from_value).collect(),
            (_, Some(Value::Array(parts))) => parts.iter().filter_map(Part::from_value).collect(),
            (_, Some(Value::String(text))) => vec![Part::Text(text.clone())],
            (_, Some(other)) if !other.is_null() => vec![Part::Json(other.clone())],
            _ => vec![],
        };
        if let Some(Value::Array(calls)) = fields.get("tool_calls") {
            parts.extend(calls.iter().map(|call| {
                let function = call.get("function").unwrap_or(call);
                Part::ToolCall {
                    id: id_of(call.get("id")),
                    name: function.get("name").map(scalar_text).unwrap_or_default(),
                    arguments: function
                        .get("arguments")
                        .or_else(|| function.get("args"))
                        .map(json_of)
                        .unwrap_or(Value::Null),
                }
            }));
        }
        let result_id = id_of(fields.get("tool_call_id"));
        Self { parts: as_tool_result(&role, result_id, parts), role }
    }

    /// A flattened message: `role`, `content`, `tool_call_id`, and indexed `contents` and `tool_calls`, with or
    /// without OpenInference's `message.` / `message_content.` / `tool_call.` prefixes.
    pub(super) fn from_fields(fields: &BTreeMap<&str, &Value>) -> Self {
        let get = |keys: &[&str]| keys.iter().find_map(|k| fields.get(k)).map(|v| scalar_text(v));
        let role = Role::parse(&get(&["message.role", "role"]).unwrap_or_default());
        let mut parts = Vec::new();
        if let Some(text) = get(&["message.content", "content"]) {
            parts.push(Part::Text(text));
        }
        for (_, content) in indexed(fields.iter().map(|(k, v)| (*k, *v)), "message.contents") {
            let text = ["message_content.text", "text"].iter().find_map(|k| content.get(k)).and_then(|v| v.as_str());
            parts.push(match text {
                Some(text) => Part::Text(text.to_owned()),
                None => Part::Json(super::object(content.iter().map(|(k, v)| ((*k).to_owned(), (*v).clone())))),
            });
        }
        for prefix in ["message.tool_calls", "tool_calls"] {
            for (_, call) in indexed(fields.iter().map(|(k, v)| (*k, *v)), prefix) {
                let field = |keys: &[&str]| keys.iter().find_map(|k| call.get(k)).copied();
                parts.push(Part::ToolCall {
                    id: id_of(field(&["tool_call.id", "id"])),
                    name: field(&["tool_call.function.name", "name"]).map(scalar_text).unwrap_or_default(),
                    arguments: field(&["tool_call.function.arguments", "arguments"])
                        .map(json_of)
                        .unwrap_or(Value::Null),
                });
            }
        }
        let result_id = id_of(["message.tool_call_id", "tool_call_id"].iter().find_map(|k| fields.get(k)).copied());
        Self { parts: as_tool_result(&role, result_id, parts), role }
    }
}

/// A tool's message that names the call it answers: its text is that call's result.
fn as_tool_result(role: &Role, id: Option<String>, parts: Vec<Part>) -> Vec<Part> {
    if *role != Role::Tool || id.is_none() {
        return parts;
    }
    parts
        .into_iter()
        .map(|part| match part {
            Part::Text(text) => Part::ToolResult { id: id.clone(), content: json_of(&Value::String(text)) },
            Part::Json(content) => Part::ToolResult { id: id.clone(), content },
            other => other,
        })
        .collect()
}

fn id_of(value: Option<&Value>) -> Option<String> {
    value.filter(|v| !v.is_null()).map(scalar_text).filter(|id| !id.is_empty())
}

/// A string as it is, any other value as JSON.
pub(super) fn scalar_text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

/// A value with a JSON object or array inside a string read as that JSON.
fn json_of(value: &Value) -> Value {
    if let Value::String(text) = value {
        let trimmed = text.trim_start();
        if (trimmed.starts_with('{') || trimmed.starts_with('['))
            && let Ok(parsed) = serde_json::from_str::<Value>(text)
        {
            return parsed;
        }
    }
    value.clone()
}

/// The fields `{prefix}.{N}.{rest}` grouped by N (in number order, not text order), each as `rest → value`.
pub(super) fn indexed<'a>(
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
