//! Attribute conventions (ARCHITECTURE §3): the names the instrumentation writes and the rules that read them back.

use serde_json::Value;

use crate::wire::{Attributes, SpanKind, TokenUsage};

pub const SPAN_KIND: &str = "orcheo.span.kind";
pub const EXECUTION_ID: &str = "orcheo.execution.id";
pub const WORKFLOW_ID: &str = "orcheo.workflow.id";
pub const WORKSPACE_ID: &str = "orcheo.workspace.id";
/// The Orcheo Python engine's name for the workspace (a resource attribute).
pub const WORKSPACE: &str = "orcheo.workspace";
pub const EXECUTION_STATUS: &str = "orcheo.execution.status";
pub const NODE_ID: &str = "orcheo.node.id";
pub const NODE_KIND: &str = "orcheo.node.kind";
pub const NODE_ATTEMPT: &str = "orcheo.node.attempt";
pub const ARTIFACT_IDS: &str = "orcheo.artifact.ids";
pub const ARTIFACT_ID: &str = "orcheo.artifact.id";
pub const PROMPT_PREVIEW: &str = "orcheo.prompt.preview";
pub const PROMPT_TRUNCATED: &str = "orcheo.prompt.truncated";
pub const RESPONSE_PREVIEW: &str = "orcheo.response.preview";
pub const RESPONSE_TRUNCATED: &str = "orcheo.response.truncated";

pub const GEN_AI_OPERATION: &str = "gen_ai.operation.name";
pub const GEN_AI_PROVIDER: &str = "gen_ai.provider.name";
pub const GEN_AI_SYSTEM: &str = "gen_ai.system";
pub const GEN_AI_REQUEST_MODEL: &str = "gen_ai.request.model";
pub const GEN_AI_RESPONSE_MODEL: &str = "gen_ai.response.model";
pub const GEN_AI_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
pub const GEN_AI_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
pub const GEN_AI_INPUT_MESSAGES: &str = "gen_ai.input.messages";
pub const GEN_AI_OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
pub const OPENINFERENCE_KIND: &str = "openinference.span.kind";

/// Token attribute pairs, in the order they are trusted.
const TOKEN_KEYS: [(&str, &str); 3] = [
    (GEN_AI_INPUT_TOKENS, GEN_AI_OUTPUT_TOKENS),
    ("orcheo.token.input", "orcheo.token.output"),
    ("llm.token_count.prompt", "llm.token_count.completion"),
];

/// The kind of a span: the explicit `orcheo.span.kind`, else the GenAI operation, else OpenInference's kind,
/// else a guess from the name. First match wins.
pub fn classify(name: &str, attributes: &Attributes) -> SpanKind {
    if let Some(kind) = str_attr(attributes, SPAN_KIND).and_then(SpanKind::parse) {
        return kind;
    }
    if let Some(op) = str_attr(attributes, GEN_AI_OPERATION) {
        return match op {
            "execute_tool" => SpanKind::Tool,
            _ => SpanKind::Llm,
        };
    }
    if let Some(kind) = str_attr(attributes, OPENINFERENCE_KIND) {
        match kind.to_ascii_uppercase().as_str() {
            "LLM" | "EMBEDDING" | "RERANKER" => return SpanKind::Llm,
            "TOOL" => return SpanKind::Tool,
            "RETRIEVER" => return SpanKind::Storage,
            "CHAIN" | "AGENT" => return SpanKind::Node,
            _ => {}
        }
    }
    if attributes.contains_key("http.request.method") || attributes.contains_key("http.method") {
        return SpanKind::Http;
    }
    if attributes.contains_key("db.system") || attributes.contains_key("db.system.name") {
        return SpanKind::Storage;
    }
    classify_by_name(name)
}

fn classify_by_name(name: &str) -> SpanKind {
    let lower = name.to_ascii_lowercase();
    let first = lower.split([' ', '.', ':', '/']).next().unwrap_or_default();
    match first {
        "workflow" => SpanKind::Workflow,
        "node" => SpanKind::Node,
        "chat" | "llm" | "completion" | "text_completion" | "embeddings" | "generate_content" => SpanKind::Llm,
        "tool" | "execute_tool" => SpanKind::Tool,
        "get" | "post" | "put" | "patch" | "delete" | "head" | "http" => SpanKind::Http,
        "storage" | "db" | "sql" | "select" | "insert" | "update" | "s3" => SpanKind::Storage,
        _ => SpanKind::Other,
    }
}

/// Token usage recorded on a span, from the first convention that has it.
pub fn token_usage(attributes: &Attributes) -> Option<TokenUsage> {
    TOKEN_KEYS.iter().find_map(|(input_key, output_key)| {
        let input = attributes.get(*input_key).and_then(as_count);
        let output = attributes.get(*output_key).and_then(as_count);
        if input.is_none() && output.is_none() {
            return None;
        }
        Some(TokenUsage::new(input.unwrap_or(0), output.unwrap_or(0)))
    })
}

/// The model a GenAI span used: response model, else request model.
pub fn model(attributes: &Attributes) -> Option<&str> {
    str_attr(attributes, GEN_AI_RESPONSE_MODEL).or_else(|| str_attr(attributes, GEN_AI_REQUEST_MODEL))
}

/// The workspace a span names: `orcheo.workspace.id`, else Orcheo's `orcheo.workspace`.
pub fn workspace(attributes: &Attributes) -> Option<&str> {
    str_attr(attributes, WORKSPACE_ID).or_else(|| str_attr(attributes, WORKSPACE)).filter(|w| !w.is_empty())
}

/// Whether an event says the run was cancelled (`orcheo.cancelled`, Orcheo's `cancelled`/`cancellation`, …).
pub fn is_cancellation(event_name: &str) -> bool {
    event_name.to_ascii_lowercase().contains("cancel")
}

pub fn str_attr<'a>(attributes: &'a Attributes, key: &str) -> Option<&'a str> {
    attributes.get(key).and_then(Value::as_str)
}

/// A count stored as a JSON number or a numeric string; negative and fractional values are not counts.
fn as_count(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs(pairs: &[(&str, Value)]) -> Attributes {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn explicit_kind_wins_over_genai() {
        let a = attrs(&[(SPAN_KIND, json!("node")), (GEN_AI_OPERATION, json!("chat"))]);
        assert_eq!(classify("x", &a), SpanKind::Node);
    }

    #[test]
    fn genai_operation_classifies_llm_and_tool() {
        assert_eq!(classify("x", &attrs(&[(GEN_AI_OPERATION, json!("chat"))])), SpanKind::Llm);
        assert_eq!(classify("x", &attrs(&[(GEN_AI_OPERATION, json!("execute_tool"))])), SpanKind::Tool);
    }

    #[test]
    fn openinference_and_name_heuristics() {
        assert_eq!(classify("x", &attrs(&[(OPENINFERENCE_KIND, json!("RETRIEVER"))])), SpanKind::Storage);
        assert_eq!(classify("GET /users", &Attributes::new()), SpanKind::Http);
        assert_eq!(classify("workflow hello", &Attributes::new()), SpanKind::Workflow);
        assert_eq!(classify("something", &Attributes::new()), SpanKind::Other);
    }

    #[test]
    fn tokens_from_first_matching_convention() {
        let a = attrs(&[
            ("llm.token_count.prompt", json!(1)),
            (GEN_AI_INPUT_TOKENS, json!(12)),
            (GEN_AI_OUTPUT_TOKENS, json!("30")),
        ]);
        assert_eq!(token_usage(&a), Some(TokenUsage { input: 12, output: 30, total: 42 }));
        let b = attrs(&[("llm.token_count.completion", json!(7))]);
        assert_eq!(token_usage(&b), Some(TokenUsage { input: 0, output: 7, total: 7 }));
        assert_eq!(token_usage(&attrs(&[(GEN_AI_INPUT_TOKENS, json!(-3))])), None);
    }
}
