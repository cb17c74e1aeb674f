//! A span's kind, from the first convention that names it.

use crate::wire::{Attributes, Span, SpanKind};

use super::names::*;
use super::str_attr;

/// The kind of a span: our explicit `orcheo.span.kind`, else the GenAI operation, else OpenInference's kind,
/// else the Python engine's node metadata, else HTTP or database attributes, else a guess from the name.
pub fn classify(name: &str, attributes: &Attributes) -> SpanKind {
    if let Some(kind) = str_attr(attributes, SPAN_KIND).and_then(SpanKind::parse) {
        return kind;
    }
    if let Some(kind) = str_attr(attributes, GEN_AI_OPERATION).and_then(gen_ai_operation) {
        return kind;
    }
    if let Some(kind) = str_attr(attributes, OPENINFERENCE_KIND).and_then(openinference_kind) {
        return kind;
    }
    if let Some(kind) = orcheo_node(attributes) {
        return kind;
    }
    // A client has a method; a server span of a framework may carry only its route (a WebSocket endpoint).
    if [HTTP_REQUEST_METHOD, HTTP_METHOD_DEPRECATED, HTTP_ROUTE].iter().any(|key| attributes.contains_key(*key)) {
        return SpanKind::Http;
    }
    if attributes.contains_key(DB_SYSTEM_DEPRECATED) || attributes.contains_key(DB_SYSTEM_NAME) {
        return SpanKind::Storage;
    }
    by_name(name)
}

/// A span's kind as [`classify`] reads it, and a Python engine node whose events hold a model's reply is an llm
/// span.
pub fn classify_span(span: &Span) -> SpanKind {
    match classify(&span.name, &span.attributes) {
        SpanKind::Node if span.attributes.contains_key(NODE_ID) && super::messages::has_model_reply(&span.events) => {
            SpanKind::Llm
        }
        kind => kind,
    }
}

/// `gen_ai.operation.name`: model calls are llm, tool runs tool; an agent is a step that contains model calls,
/// not one itself.
fn gen_ai_operation(operation: &str) -> Option<SpanKind> {
    match operation {
        "chat" | "text_completion" | "generate_content" | "embeddings" | "completion" => Some(SpanKind::Llm),
        "execute_tool" => Some(SpanKind::Tool),
        "invoke_agent" | "create_agent" => Some(SpanKind::Node),
        "invoke_workflow" => Some(SpanKind::Workflow),
        "retrieval" => Some(SpanKind::Storage),
        _ => None,
    }
}

/// `openinference.span.kind`. Guardrails and evaluators are checks run around model calls: they show with the
/// AI spans as tools do.
fn openinference_kind(kind: &str) -> Option<SpanKind> {
    match kind.to_ascii_uppercase().as_str() {
        "LLM" | "EMBEDDING" | "RERANKER" => Some(SpanKind::Llm),
        "TOOL" | "GUARDRAIL" | "EVALUATOR" => Some(SpanKind::Tool),
        "RETRIEVER" => Some(SpanKind::Storage),
        "CHAIN" | "AGENT" | "PROMPT" => Some(SpanKind::Node),
        _ => None,
    }
}

/// The Python engine's node spans: model metadata (`orcheo.ai.*`) or an AI node kind make an llm span; other
/// node kinds are read loosely (`LLMNode`, `http_request`, …) and default to node.
fn orcheo_node(attributes: &Attributes) -> Option<SpanKind> {
    if attributes.contains_key(AI_KIND) || attributes.contains_key(AI_MODEL_REQUESTED) {
        return Some(SpanKind::Llm);
    }
    let kind = str_attr(attributes, NODE_KIND).map(|k| k.to_ascii_lowercase());
    if kind.is_none() && !attributes.contains_key(NODE_ID) {
        return None;
    }
    let kind = kind.unwrap_or_default();
    let kind = kind.strip_suffix("node").unwrap_or(&kind).trim_end_matches(['_', '-', ' ']);
    Some(match kind {
        "llm" | "chat" | "agent" | "ai" | "model" | "embedding" | "embeddings" | "openai" | "anthropic" => {
            SpanKind::Llm
        }
        "tool" | "function" => SpanKind::Tool,
        "http" | "http_request" | "httprequest" | "webhook" => SpanKind::Http,
        "storage" | "database" | "db" | "sql" | "vector_store" | "vectorstore" => SpanKind::Storage,
        _ => SpanKind::Node,
    })
}

fn by_name(name: &str) -> SpanKind {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::tests::attrs;
    use serde_json::json;

    #[test]
    fn explicit_kind_wins_over_genai() {
        let a = attrs(&[(SPAN_KIND, json!("node")), (GEN_AI_OPERATION, json!("chat"))]);
        assert_eq!(classify("x", &a), SpanKind::Node);
    }

    #[test]
    fn every_genai_operation_has_its_kind() {
        let kind = |op: &str| classify("x", &attrs(&[(GEN_AI_OPERATION, json!(op))]));
        for op in ["chat", "text_completion", "generate_content", "embeddings"] {
            assert_eq!(kind(op), SpanKind::Llm, "{op}");
        }
        assert_eq!(kind("execute_tool"), SpanKind::Tool);
        assert_eq!(kind("invoke_agent"), SpanKind::Node, "an agent contains model calls; it is not one");
        assert_eq!(kind("create_agent"), SpanKind::Node);
        assert_eq!(kind("something_new"), SpanKind::Other, "an unknown operation falls through to the name");
    }

    #[test]
    fn every_openinference_kind_has_its_kind() {
        let kind = |k: &str| classify("x", &attrs(&[(OPENINFERENCE_KIND, json!(k))]));
        let expected = [
            ("LLM", SpanKind::Llm),
            ("EMBEDDING", SpanKind::Llm),
            ("RERANKER", SpanKind::Llm),
            ("TOOL", SpanKind::Tool),
            ("GUARDRAIL", SpanKind::Tool),
            ("EVALUATOR", SpanKind::Tool),
            ("RETRIEVER", SpanKind::Storage),
            ("CHAIN", SpanKind::Node),
            ("AGENT", SpanKind::Node),
        ];
        for (k, want) in expected {
            assert_eq!(kind(k), want, "{k}");
        }
    }

    #[test]
    fn orcheo_python_nodes() {
        let node = |pairs: &[(&str, serde_json::Value)]| classify("step", &attrs(pairs));
        assert_eq!(node(&[(NODE_ID, json!("a"))]), SpanKind::Node);
        assert_eq!(node(&[(NODE_ID, json!("a")), (NODE_KIND, json!("llm"))]), SpanKind::Llm);
        assert_eq!(node(&[(NODE_KIND, json!("LLMNode"))]), SpanKind::Llm);
        assert_eq!(node(&[(NODE_KIND, json!("AgentNode"))]), SpanKind::Llm);
        assert_eq!(node(&[(NODE_KIND, json!("HttpRequestNode"))]), SpanKind::Http);
        assert_eq!(node(&[(NODE_ID, json!("a")), (AI_KIND, json!("chat"))]), SpanKind::Llm);
        assert_eq!(node(&[(NODE_KIND, json!("transform"))]), SpanKind::Node);
        assert_eq!(classify("workflow.execution", &Attributes::new()), SpanKind::Workflow);
    }

    #[test]
    fn http_database_and_name_heuristics() {
        assert_eq!(classify("x", &attrs(&[("http.request.method", json!("GET"))])), SpanKind::Http);
        assert_eq!(classify("WS /ws/{id}", &attrs(&[("http.route", json!("/ws/{id}"))])), SpanKind::Http);
        assert_eq!(classify("x", &attrs(&[("db.system.name", json!("postgresql"))])), SpanKind::Storage);
        assert_eq!(classify("GET /users", &Attributes::new()), SpanKind::Http);
        assert_eq!(classify("workflow hello", &Attributes::new()), SpanKind::Workflow);
        assert_eq!(classify("something", &Attributes::new()), SpanKind::Other);
    }
}
